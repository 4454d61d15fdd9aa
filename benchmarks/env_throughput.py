"""Env steps/s of robodrl's batched env next to raw ``mujoco.batch`` and Gymnasium, one run.

For Cheetah and Quadruped at 1, 16, 64 and 256 envs with 1 and 2 threads:
  robodrl  - robodrl's core (task code, action checks, instability detection, autoreset)
  raw      - ``mujoco.batch.Batch`` stepping the same model, same frame skip and stage, no task
  gym-vec  - Gymnasium ``SyncVectorEnv`` of plain ``MujocoEnv``s (same XML, obs and reward)
and, for one simulation, robodrl's ``gymnasium.Env`` next to the plain Gymnasium env.
Targets: robodrl >= 0.8 x raw at 64 envs; >= 4 x gym-vec; single env >= 0.9 x plain Gymnasium.

Contenders of one row are measured in interleaved rounds and each keeps its best round, so a
slow moment of the machine does not fall on one side only.

Usage: python benchmarks/env_throughput.py [--seconds S] [--envs 1 16 64 256] [--tasks ...]
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Callable

import gymnasium
import mujoco
import numpy as np

# the script's folder is on sys.path when run as `python benchmarks/env_throughput.py`
from gym_reference import REFERENCE_ENVS
from mujoco import batch as mjbatch

import robodrl

ROUNDS = 5


def best_rates(steps: dict[str, Callable[[], None]], num_envs: int, seconds: float) -> dict:
    """Env steps/s of each ``step()``: interleaved rounds, best round kept."""
    best = dict.fromkeys(steps, 0.0)
    for step in steps.values():  # warm-up
        for _ in range(10):
            step()
    for _ in range(ROUNDS):
        for name, step in steps.items():
            calls, start = 0, time.perf_counter()
            while (elapsed := time.perf_counter() - start) < seconds / ROUNDS:
                for _ in range(10):
                    step()
                calls += 10
            best[name] = max(best[name], calls * num_envs / elapsed)
    return best


def _cycler(actions: np.ndarray, step: Callable[[np.ndarray], object]) -> Callable[[], None]:
    """A no-argument step function that feeds ``actions`` in turn."""
    i = [0]

    def run() -> None:
        step(actions[i[0] % len(actions)])
        i[0] += 1

    return run


def _actions(num_envs: int, action_dim: int) -> np.ndarray:
    return np.random.default_rng(0).uniform(-1, 1, (64, num_envs, action_dim))


def robodrl_step(task: str, num_envs: int, threads: int) -> Callable[[], None]:
    core = robodrl.make_core(task, num_envs, num_threads=threads, seed=0)
    return _cycler(_actions(num_envs, core.action_dim), core.step)


def raw_step(task: str, num_envs: int, threads: int) -> Callable[[], None]:
    core = robodrl.make_core(task, 1, num_threads=1, seed=0)
    batch = mjbatch.Batch(core.model, num_envs, threads, persistent=True)
    ctrl, frame_skip, stage = batch.bind("ctrl"), core.frame_skip, core.task.stage
    controls = core.action_to_ctrl(_actions(num_envs, core.action_dim))

    def step(control: np.ndarray) -> None:
        ctrl[:] = control
        batch.step(nstep=frame_skip, stage=stage)

    return _cycler(controls, step)


def gym_vector_step(task: str, num_envs: int) -> Callable[[], None]:
    env = gymnasium.vector.SyncVectorEnv([REFERENCE_ENVS[task]] * num_envs)
    env.reset(seed=0)
    return _cycler(_actions(num_envs, env.single_action_space.shape[0]), env.step)


def single_env_step(env: gymnasium.Env) -> Callable[[], None]:
    env.reset(seed=0)

    def step(action: np.ndarray) -> None:
        _, _, terminated, truncated, _ = env.step(action)
        if terminated or truncated:
            env.reset()

    actions = _actions(1, env.action_space.shape[0])[:, 0].astype(np.float32)
    return _cycler(actions, step)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="measuring time per cell")
    parser.add_argument("--envs", type=int, nargs="+", default=[1, 16, 64, 256])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--tasks", nargs="+", default=["Cheetah", "Quadruped"])
    args = parser.parse_args()
    print(
        f"# env_throughput: {platform.machine()}, {len(__import__('os').sched_getaffinity(0))} "
        f"CPUs, mujoco {mujoco.__version__}, robodrl {robodrl.__version__}, "
        f"{args.seconds:g} s per contender and row"
    )
    print(
        f"{'task':10} {'envs':>5} {'thr':>4} {'robodrl':>10} {'raw':>10} {'gym-vec':>10} "
        f"{'/raw':>6} {'/gym':>6}"
    )
    for task in args.tasks:
        for threads in args.threads:
            for n in args.envs:
                steps = {
                    "robodrl": robodrl_step(task, n, threads),
                    "raw": raw_step(task, n, threads),
                    "gym": gym_vector_step(task, n),
                }
                r = best_rates(steps, n, args.seconds)
                print(
                    f"{task:10} {n:5d} {threads:4d} {r['robodrl']:10,.0f} {r['raw']:10,.0f} "
                    f"{r['gym']:10,.0f} {r['robodrl'] / r['raw']:6.2f} "
                    f"{r['robodrl'] / r['gym']:6.2f}"
                )
        steps = {
            "robodrl": single_env_step(gymnasium.make(f"robodrl/{task}-v0").unwrapped),
            "plain": single_env_step(REFERENCE_ENVS[task]()),
        }
        r = best_rates(steps, 1, args.seconds)
        print(
            f"{task:10} single env: robodrl {r['robodrl']:,.0f}/s, plain Gymnasium "
            f"{r['plain']:,.0f}/s, ratio {r['robodrl'] / r['plain']:.2f}"
        )


if __name__ == "__main__":
    main()
