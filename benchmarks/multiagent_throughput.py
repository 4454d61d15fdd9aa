"""Env steps/s of robodrl's multi-agent teams next to its single-agent env on the same robot,
and next to MaMuJoCo's HalfCheetah 2x3 (gymnasium-robotics) under PettingZoo, in one run.

Contenders, 64 simulations with 2 threads unless told otherwise:
  team    - ``robodrl.make_team`` (``CheetahTeam``, ``QuadrupedLegs`` with 4 agents): one action
            dict per step, every agent's observation per step
  single  - ``robodrl.make_core`` of the same robot: one action array per step
  mamujoco- gymnasium-robotics' ``mamujoco_v1.parallel_env("HalfCheetah", "2x3")``, one
            PettingZoo env per simulation stepped in a loop (that is what it offers), when the
            package is installed (``pip install gymnasium-robotics``); else the reason is printed
Target (issue 13): team >= 0.85 x single. Rounds are interleaved; each contender keeps its best.

Usage: python benchmarks/multiagent_throughput.py [--envs 64] [--threads 2] [--seconds 6]
"""

from __future__ import annotations

import argparse
import platform
from collections.abc import Callable

import numpy as np
from env_throughput import best_rates

import robodrl


def team_step(team_id: str, num_envs: int, threads: int, **kwargs) -> Callable[[], None]:
    team = robodrl.make_team(team_id, num_envs, num_threads=threads, seed=0, **kwargs)
    rng = np.random.default_rng(0)
    actions = [
        {a: rng.uniform(-1, 1, (num_envs, d)) for a, d in team.action_dims.items()}
        for _ in range(64)
    ]
    i = [0]

    def step() -> None:
        team.step(actions[i[0] % 64])
        i[0] += 1

    return step


def single_step(env_id: str, num_envs: int, threads: int) -> Callable[[], None]:
    core = robodrl.make_core(env_id, num_envs, num_threads=threads, seed=0)
    actions = np.random.default_rng(0).uniform(-1, 1, (64, num_envs, core.action_dim))
    i = [0]

    def step() -> None:
        core.step(actions[i[0] % 64])
        i[0] += 1

    return step


def mamujoco_step(num_envs: int) -> Callable[[], None] | str:
    """MaMuJoCo's HalfCheetah 2x3, one PettingZoo env per simulation; or why it cannot run."""
    try:
        from gymnasium_robotics import mamujoco_v1
    except ImportError as err:
        return f"gymnasium-robotics is not installed ({err})"
    try:
        envs = [mamujoco_v1.parallel_env("HalfCheetah", "2x3") for _ in range(num_envs)]
        for i, env in enumerate(envs):
            env.reset(seed=i)
    except Exception as err:  # report whatever stops it on this stack
        return f"MaMuJoCo does not run here: {type(err).__name__}: {err}"
    rng = np.random.default_rng(0)

    def step() -> None:
        for env in envs:
            actions = {a: rng.uniform(-1, 1, env.action_space(a).shape) for a in env.agents}
            _, _, terminated, truncated, _ = env.step(actions)
            if any(terminated.values()) or any(truncated.values()):
                env.reset()

    return step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--envs", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=6.0)
    args = parser.parse_args()
    n, threads = args.envs, args.threads
    print(f"machine: {platform.machine()}, {n} simulations, {threads} threads, best of rounds")
    print("| robot | team steps/s | single-agent steps/s | team / single | MaMuJoCo steps/s |")
    print("|---|---:|---:|---:|---|")
    for team_id, env_id, kwargs in (
        ("CheetahTeam", "Cheetah", {}),
        ("QuadrupedLegs", "Quadruped", {"agents": 4}),
    ):
        steps = {
            "team": team_step(team_id, n, threads, **kwargs),
            "single": single_step(env_id, n, threads),
        }
        reference = mamujoco_step(n) if env_id == "Cheetah" else "no MaMuJoCo counterpart"
        if callable(reference):
            steps["mamujoco"] = reference
        rates = best_rates(steps, n, args.seconds)
        other = f"{rates['mamujoco']:,.0f}" if "mamujoco" in rates else reference
        if "mamujoco" in rates:
            other += f" (team: {rates['team'] / rates['mamujoco']:.1f}x)"
        print(f"| {env_id} | {rates['team']:,.0f} | {rates['single']:,.0f} | "
              f"{rates['team'] / rates['single']:.2f} | {other} |")  # fmt: skip


if __name__ == "__main__":
    main()
