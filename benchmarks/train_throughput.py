"""Training steps/s: SB3 PPO and SAC on robodrl's batched VecEnv next to the same algorithm and
hyperparameters on Gymnasium envs in SB3's ``DummyVecEnv`` and ``SubprocVecEnv``, one run.

The Gymnasium env is the plain ``MujocoEnv`` built from robodrl's Cheetah XML with the same
observation and reward (``benchmarks/gym_reference.py``). Each contender trains from scratch
for ``--steps`` env steps after a short warm-up; the figure is env steps per wall second.
Target (issue 4): PPO >= 2x the better of DummyVecEnv and SubprocVecEnv on this machine.

Usage: python benchmarks/train_throughput.py [--steps N] [--envs N] [--algos ppo sac]
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import torch
from gym_reference import PlainCheetahEnv
from stable_baselines3 import PPO, SAC
from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv

import robodrl

SETTINGS = {
    "ppo": (PPO, {"n_steps": 64, "batch_size": 512, "n_epochs": 4, "learning_rate": 3e-4}),
    "sac": (
        SAC,
        {"learning_starts": 1000, "batch_size": 256, "train_freq": 1, "gradient_steps": 1},
    ),
}


def make_env(kind: str, num_envs: int, threads: int):
    if kind == "robodrl":
        return robodrl.make_sb3_vec("Cheetah", num_envs, num_threads=threads, seed=0)
    factory = DummyVecEnv if kind == "dummy" else SubprocVecEnv
    return factory([PlainCheetahEnv] * num_envs)


def steps_per_second(kind: str, algo: str, args: argparse.Namespace) -> float:
    cls, hyperparameters = SETTINGS[algo]
    env = make_env(kind, args.envs, args.threads)
    model = cls("MlpPolicy", env, seed=0, device="cpu", verbose=0, **hyperparameters)
    warmup = args.envs * (hyperparameters.get("n_steps", 1) if algo == "ppo" else 1) * 2
    model.learn(max(warmup, hyperparameters.get("learning_starts", 0) + args.envs * 10))
    start, before = time.perf_counter(), model.num_timesteps
    model.learn(args.steps, reset_num_timesteps=False)
    rate = (model.num_timesteps - before) / (time.perf_counter() - start)
    env.close()
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=40_000)
    parser.add_argument("--envs", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--algos", nargs="+", default=["ppo", "sac"])
    args = parser.parse_args()
    torch.set_num_threads(1)  # the same for every contender; SubprocVecEnv uses the other core
    print(
        f"# train_throughput: {platform.machine()}, {len(os.sched_getaffinity(0))} CPUs, "
        f"torch {torch.__version__} (1 thread), Cheetah, {args.envs} envs, {args.steps} steps"
    )
    for algo in args.algos:
        steps = args.steps if algo == "ppo" else args.steps // 10
        run_args = argparse.Namespace(**{**vars(args), "steps": steps})
        rates = {
            kind: steps_per_second(kind, algo, run_args) for kind in ("robodrl", "dummy", "subproc")
        }
        best = max(rates["dummy"], rates["subproc"])
        print(
            f"{algo:4} robodrl {rates['robodrl']:8,.0f}  DummyVecEnv {rates['dummy']:8,.0f}  "
            f"SubprocVecEnv {rates['subproc']:8,.0f} steps/s  "
            f"ratio vs the better {rates['robodrl'] / best:.2f}"
        )


if __name__ == "__main__":
    main()
