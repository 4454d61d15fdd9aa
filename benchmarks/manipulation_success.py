"""Success of trained manipulation policies over many episodes under their own training
randomization and perturbations, beside the task's scripted expert on the same episodes.

    python benchmarks/manipulation_success.py RUN [RUN ...] [--episodes 256] [--seed 50000]
                                              [--checkpoint best]

Each run's ``--checkpoint`` (default ``best``, what ``robodrl export`` ships) is evaluated on
``--episodes`` episodes (seeds from ``--seed``, away from the training evaluations' seeds) with
the randomization and perturbations its config trained under; the task's scripted expert (push,
pick and place; reach has none) drives the same episodes (common random numbers) as the
reference. Prints the success rate with its 95% Wilson interval and the mean return.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from robodrl.envs.episodes import run_episodes
from robodrl.envs.multi.registry import robot_of
from robodrl.make import make_core
from robodrl.policy import actions_for
from robodrl.runs.run import Run


def wilson(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The 95% Wilson score interval of a success rate."""
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def episodes(config, seed: int, count: int, act_of) -> tuple[np.ndarray, np.ndarray, float]:
    """Success and return of ``count`` episodes, and their wall time; ``act_of(core)`` is
    the actions' function for that core."""
    robot_id, robot_task, _ = robot_of(config.env.id, config.env.task)
    core = make_core(robot_id, count, seed=seed, randomization=config.env.randomization,
                     perturbations=config.env.perturbations, autoreset=False,
                     **robot_task)  # fmt: skip
    act = act_of(core)
    start = time.perf_counter()
    stats = run_episodes(core, act)
    return stats.success, stats.returns, time.perf_counter() - start


def report(label: str, success: np.ndarray, returns: np.ndarray, seconds: float) -> None:
    low, high = wilson(int(success.sum()), len(success))
    print(f"| {label} | {len(success)} | {success.mean():.1%} | {low:.1%}-{high:.1%} | "
          f"{returns.mean():.1f} | {seconds:.0f} s |")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+")
    parser.add_argument("--episodes", type=int, default=256)
    parser.add_argument("--seed", type=int, default=50_000)
    parser.add_argument("--checkpoint", default="best", help="best, latest or step_N")
    args = parser.parse_args()
    print("| policy | episodes | success | 95% interval | mean return | wall |")
    print("|---|---:|---:|---|---:|---:|")
    scripted_done = set()
    for run_dir in args.runs:
        run = Run.open(run_dir)
        config, policy = run.config, run.policy(args.checkpoint)

        def trained(core, policy=policy):
            return lambda obs: actions_for(policy, obs, core)

        success, returns, seconds = episodes(config, args.seed, args.episodes, trained)
        report(run_dir, success, returns, seconds)
        key = (config.env.id, repr(sorted(config.env.task.items())), str(config.env.randomization))
        probe = make_core(config.env.id, 1, **config.env.task)
        if key in scripted_done or probe.task.scripted_expert(probe.obs_layout) is None:
            continue  # reach has no script
        scripted_done.add(key)

        def script(core):
            return core.task.scripted_expert(core.obs_layout).act

        success, returns, seconds = episodes(config, args.seed, args.episodes, script)
        report(f"scripted expert ({config.env.task.get('robot', '')})", success, returns, seconds)


if __name__ == "__main__":
    main()
