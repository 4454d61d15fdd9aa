"""Throughput with ``dr-default`` (randomization resampled every episode, plus perturbations)
vs ``nominal``, 64 envs, same run. Target: <= 5% slower.

Actions stay small (policy actions U(-0.2, 0.2) around the nominal pose / zero torque) so that
robots stay up and both contenders reset equally often, at every time limit. Two ratios are
printed: the whole step, and robodrl's own work per step (everything but ``Batch.step``, timed
around the physics call). They differ because randomized models are different physics: heavier,
slipperier or pushed robots cost MuJoCo a different amount of solver work per step.
Contenders are measured in interleaved rounds; each keeps its best round.

Usage: python benchmarks/dr_overhead.py [--seconds S] [--envs N] [--threads T]
                                        [--episode-seconds S] [--tasks ...]
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import mujoco
import numpy as np
from env_throughput import best_rates

import robodrl


class _TimedBatch:
    """Wraps a ``mujoco.batch.Batch`` so that time spent in ``step`` is accumulated."""

    def __init__(self, batch) -> None:
        self._batch, self.physics_seconds = batch, 0.0

    def __getattr__(self, name: str):
        return getattr(self._batch, name)

    def step(self, *args, **kwargs) -> None:
        start = time.perf_counter()
        self._batch.step(*args, **kwargs)
        self.physics_seconds += time.perf_counter() - start


def stepper(task: str, preset: str, args: argparse.Namespace):
    kwargs = {} if args.episode_seconds is None else {"episode_seconds": args.episode_seconds}
    core = robodrl.make_core(
        task,
        args.envs,
        num_threads=args.threads,
        seed=0,
        randomization=preset,
        perturbations=preset,
        **kwargs,
    )
    core.batch = _TimedBatch(core.batch)
    actions = np.random.default_rng(0).uniform(-0.2, 0.2, (64, args.envs, core.action_dim))
    stats = {"steps": 0, "resets": 0, "seconds": 0.0}

    def step() -> None:
        start = time.perf_counter()
        _, _, terminated, truncated, _ = core.step(actions[stats["steps"] % 64])
        stats["seconds"] += time.perf_counter() - start
        stats["resets"] += int((terminated | truncated).sum())
        stats["steps"] += 1

    return step, stats, core.batch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--envs", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--episode-seconds", type=float, default=None, help="default: the task's")
    parser.add_argument("--tasks", nargs="+", default=["Cheetah", "Quadruped"])
    args = parser.parse_args()
    episodes = "task default" if args.episode_seconds is None else f"{args.episode_seconds:g} s"
    print(
        f"# dr_overhead: {platform.machine()}, {len(os.sched_getaffinity(0))} CPUs, "
        f"mujoco {mujoco.__version__}, {args.envs} envs, {args.threads} threads, "
        f"episodes: {episodes}, {args.seconds:g} s per contender"
    )
    for task in args.tasks:
        nominal, n_stats, n_batch = stepper(task, "nominal", args)
        randomized, r_stats, r_batch = stepper(task, "dr-default", args)
        rates = best_rates({"nominal": nominal, "dr": randomized}, args.envs, args.seconds)

        def own_us(stats, batch) -> float:
            return (stats["seconds"] - batch.physics_seconds) / stats["steps"] * 1e6

        def resets(stats) -> float:
            return stats["resets"] / (stats["steps"] * args.envs)

        total_us = n_stats["seconds"] / n_stats["steps"] * 1e6
        own_nominal, own_dr = own_us(n_stats, n_batch), own_us(r_stats, r_batch)
        print(
            f"{task:10} nominal {rates['nominal']:9,.0f} steps/s  dr-default {rates['dr']:9,.0f} "
            f"steps/s  ratio {rates['dr'] / rates['nominal']:.3f} | robodrl's own work per "
            f"step: nominal {own_nominal:6.0f} us, dr-default {own_dr:6.0f} us, "
            f"+{(own_dr - own_nominal) / total_us:.1%} of a nominal step | resets per env step "
            f"{resets(n_stats):.4f} / {resets(r_stats):.4f}"
        )


if __name__ == "__main__":
    main()
