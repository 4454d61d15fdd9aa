"""Hopper against Gymnasium's Hopper-v5: the same algorithm, hyperparameters and budget, side by
side in one run, so that robodrl's Hopper task is checked to learn at least as well.

Both contenders train SB3's PPO with ``recipes/hopper_ppo.yaml``'s hyperparameters, network and
number of environments, observation normalization on, seed 0:

- ``robodrl``: ``robodrl train hopper_ppo`` (robodrl/Hopper-v0 on the batched core);
- ``gymnasium``: ``gymnasium.make("Hopper-v5")`` in SB3's ``DummyVecEnv`` + ``VecNormalize``
  (observations, and rewards when the recipe scales them).

Each policy is then evaluated deterministically for ``--episodes`` episodes (fixed seeds) on its
own task: the return, the episode length (1,000 steps = a whole 8 s episode) and the distance
hopped. Run alone: the two trainings run one after the other.

Usage: python benchmarks/hopper_vs_gymnasium.py [--steps 1000000] [--episodes 8]
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

import gymnasium
import numpy as np
import torch
from stable_baselines3 import PPO
from stable_baselines3.common.logger import Logger
from stable_baselines3.common.vec_env import DummyVecEnv, VecNormalize

from robodrl.make import make_core
from robodrl.resolve import load_config
from robodrl.runs.loading import load_run_policy
from robodrl.runs.train import train

ACTIVATIONS = {"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU, "elu": torch.nn.ELU}


def robodrl_contender(steps: int, episodes: int, folder: Path) -> dict:
    config = load_config("hopper_ppo", [f"total_steps={steps}"])
    start = time.perf_counter()
    run, _ = train(config, folder / "robodrl")
    wall = time.perf_counter() - start
    policy = load_run_policy(run, checkpoint="latest")
    core = make_core("robodrl/Hopper-v0", episodes, seed=10_000, autoreset=False)
    obs, running = core.reset(), np.ones(episodes, dtype=bool)
    returns, lengths = np.zeros(episodes), np.zeros(episodes)
    start_x = core.task.qpos[:, 0].copy()
    distance = np.zeros(episodes)
    while running.any():
        obs, reward, terminated, truncated, _ = core.step(np.clip(policy.act(obs), -1, 1))
        returns += reward * running
        lengths += running
        distance = np.where(running, core.task.qpos[:, 0] - start_x, distance)
        running &= ~(terminated | truncated)
    return _row(returns, lengths, distance, wall)


def gymnasium_contender(steps: int, episodes: int) -> dict:
    config = load_config("hopper_ppo")
    hp = dict(config.algorithm.hyperparameters)
    venv = VecNormalize(
        DummyVecEnv([lambda: gymnasium.make("Hopper-v5")] * config.env.num_envs),
        norm_reward=config.normalize.rewards,  # robodrl's reward scaling is this wrapper's
        clip_obs=config.normalize.clip,
        clip_reward=config.normalize.clip,
        gamma=hp.get("gamma", 0.99),
    )
    venv.seed(0)
    policy_kwargs = {
        "net_arch": list(config.policy.net_arch),
        "activation_fn": ACTIVATIONS[config.policy.activation],
        "log_std_init": config.policy.log_std_init,
    }
    model = PPO("MlpPolicy", venv, seed=0, device="cpu", policy_kwargs=policy_kwargs, **hp)
    model.set_logger(Logger(folder=None, output_formats=[]))  # SB3's default: a /tmp folder
    start = time.perf_counter()
    model.learn(steps)
    wall = time.perf_counter() - start
    venv.training = False
    returns, lengths, distance = np.zeros(episodes), np.zeros(episodes), np.zeros(episodes)
    for e in range(episodes):
        env = gymnasium.make("Hopper-v5")
        obs, _ = env.reset(seed=10_000 + e)
        start_x, done = env.unwrapped.data.qpos[0], False
        while not done:
            action, _ = model.predict(venv.normalize_obs(obs[None]), deterministic=True)
            obs, reward, terminated, truncated, _ = env.step(action[0])
            returns[e] += reward
            lengths[e] += 1
            done = terminated or truncated
        distance[e] = env.unwrapped.data.qpos[0] - start_x
    return _row(returns, lengths, distance, wall)


def _row(returns, lengths, distance, wall) -> dict:
    return {
        "return": float(returns.mean()),
        "return_min": float(returns.min()),
        "length": float(lengths.mean()),
        "whole_episodes": int((lengths >= 1000).sum()),
        "distance_m": float(distance.mean()),
        "train_seconds": wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1_000_000)
    parser.add_argument("--episodes", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        rows = {
            "robodrl Hopper-v0": robodrl_contender(args.steps, args.episodes, Path(folder)),
            "Gymnasium Hopper-v5": gymnasium_contender(args.steps, args.episodes),
        }
    print(
        f"\nPPO, recipes/hopper_ppo.yaml's settings, {args.steps:,} steps, seed 0; machine: "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs"
    )
    print("| task | return | worst episode | length | whole episodes | distance | train time |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, r in rows.items():
        print(
            f"| {name} | {r['return']:.0f} | {r['return_min']:.0f} | {r['length']:.0f} | "
            f"{r['whole_episodes']}/{args.episodes} | {r['distance_m']:.1f} m | "
            f"{r['train_seconds']:.0f} s |"
        )


if __name__ == "__main__":
    main()
