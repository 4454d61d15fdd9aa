"""Training throughput on the legged task: the whole training loop next to raw physics, one run.

Contenders, each on robodrl/Legged-v0 with the robust recipe's settings (fast physics,
dr-default randomization and perturbations, the recipe's batch of simulations):

- ``raw``: ``mujoco.batch.Batch`` stepping the same model, same batch size, frame skip and stage,
  random controls, no task code, no learning (the physics alone);
- ``lean_ppo``: robodrl's lean batched PPO learning from the batched core (``robodrl train``'s
  learner, the recipe's hyperparameters);
- ``sb3_ppo``: Stable-Baselines3's PPO on robodrl's batched VecEnv with the same rollout length,
  epochs, minibatch count and network.

Each contender runs ``--iterations`` training iterations (one rollout + update) per round, after
a warm-up iteration; rounds are interleaved; the figure is env steps per wall second, the best
round of each. Target (issue 11): lean_ppo >= 0.5x raw physics.

Usage: python benchmarks/legged_train_throughput.py [--envs 1024] [--iterations 3] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np
import torch
from stable_baselines3.common.logger import Logger

from robodrl.algorithms.registry import get_algorithm
from robodrl.algorithms.sb3.build import build_env, build_model
from robodrl.make import make_core
from robodrl.resolve import load_config

RECIPE = "quadruped_robust_ppo"


class NoHooks:
    """Run hooks that do nothing (no evaluation, checkpoints or logs in the timing)."""

    def rollout_start(self, learner) -> None:
        pass

    def episodes_done(self, learner, episodes) -> None:
        pass

    def rollout_end(self, learner) -> None:
        pass

    def record(self, key: str, value: float) -> None:
        pass


def recipe(envs: int, algorithm: dict | None = None):
    overrides = [f"env.num_envs={envs}"]
    if algorithm is not None:
        overrides += [f"algorithm={algorithm}"]
    return load_config(RECIPE, overrides)


def raw_contender(envs: int):
    core = make_core("robodrl/Legged-v0", envs, seed=0, **recipe(envs).env.task)
    batch, frame_skip, stage = core.batch, core.frame_skip, core.task.stage
    ctrl = batch.bind("ctrl")
    low, high = core.ctrl_low, core.ctrl_high
    rng = np.random.default_rng(0)
    steps = recipe(envs).algorithm.hyperparameters["n_steps"]

    def iteration() -> int:
        for _ in range(steps):
            ctrl[:] = rng.uniform(low, high, ctrl.shape)
            batch.step(nstep=frame_skip, stage=stage)
        return steps * envs

    return iteration


def learner_iteration(learner):
    """One training iteration of a registry learner (a rollout and an update), no hooks;
    returns the env steps it took."""
    hooks = NoHooks()

    def iteration() -> int:
        before = learner.num_timesteps
        learner.learn(before + 1, hooks)
        return learner.num_timesteps - before

    return iteration


def lean_ppo_contender(envs: int):
    return learner_iteration(get_algorithm("lean_ppo").build(recipe(envs)))


def sb3_ppo_contender(envs: int):
    lean = recipe(envs).algorithm.hyperparameters
    steps = lean["n_steps"]
    hyperparameters = {
        "n_steps": steps,
        "batch_size": steps * envs // lean["n_minibatches"],
        "n_epochs": lean["n_epochs"],
        "learning_rate": lean["learning_rate"],
        "ent_coef": lean["ent_coef"],
    }
    config = recipe(envs, {"name": "ppo", "hyperparameters": hyperparameters})
    model = build_model(config, build_env(config))
    model.set_logger(Logger(folder=None, output_formats=[]))  # SB3's default: a /tmp folder
    model.learn(steps * envs)  # warm-up

    def iteration() -> int:
        model.learn(steps * envs, reset_num_timesteps=False)
        return steps * envs

    return iteration


def best_rates(contenders: dict, rounds: int, iterations: int) -> dict[str, float]:
    """Env steps per second of each contender (``name -> iteration()``), best of ``rounds``
    interleaved rounds of ``iterations`` iterations, after one warm-up iteration each."""
    for run in contenders.values():
        run()  # warm-up
    best = dict.fromkeys(contenders, 0.0)
    for round_ in range(rounds):
        for name, run in contenders.items():
            start, steps = time.perf_counter(), 0
            for _ in range(iterations):
                steps += run()
            rate = steps / (time.perf_counter() - start)
            best[name] = max(best[name], rate)
            print(f"round {round_} {name}: {rate:,.0f} steps/s", flush=True)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--envs", type=int, default=1024)
    parser.add_argument("--iterations", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--contenders", nargs="+", default=["raw", "lean_ppo", "sb3_ppo"])
    args = parser.parse_args()
    builders = {"raw": raw_contender, "lean_ppo": lean_ppo_contender, "sb3_ppo": sb3_ppo_contender}
    contenders = {name: builders[name](args.envs) for name in args.contenders}
    best = best_rates(contenders, args.rounds, args.iterations)
    print(
        f"\nmachine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"torch threads {torch.get_num_threads()}; {args.envs} simulations, best of "
        f"{args.rounds} rounds x {args.iterations} iterations"
    )
    print("| contender | steps/s | / raw |")
    print("|---|---:|---:|")
    for name, rate in best.items():
        ratio = rate / best["raw"] if best.get("raw") else float("nan")
        print(f"| {name} | {rate:,.0f} | {ratio:.2f} |")


if __name__ == "__main__":
    main()
