"""Planner rollouts per second next to raw ``mujoco.batch`` stepping the same simulations, one run.

For Cheetah and Quadruped with 2 threads, one plan of predictive sampling (``--samples``
candidates over ``--horizon`` seconds, 4 zero-order knots) from one acting simulation:
  planner - robodrl's planning batch: copy the acting state into every row, interpolate the
            knots, step the task (rewards, terminations, action checks) over the horizon
  raw     - a ``mujoco.batch.Batch`` of the same model and size, the same number of control
            steps (frame skip and stage as the task's), controls written, nothing else
Target: the planner's own work costs <= 20% over raw physics. Also printed: plans per second
(the control rate the planner can sustain) for the results' settings, and whether that is real
time (plans/s >= the task's control rate).

Interleaved rounds, each contender keeps its best round (the 2-core box swings by ±30%).

Usage: python benchmarks/planner_throughput.py [--seconds S] [--samples 128] [--horizon 0.5]
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Callable

import numpy as np
from mujoco import batch as mjbatch

import robodrl
from robodrl.planners import make_planner
from robodrl.planners.config import validate_planner

ROUNDS = 5


def best_seconds(contenders: dict[str, Callable[[], None]], seconds: float) -> dict[str, float]:
    """Seconds per call of each contender: interleaved rounds, best round kept."""
    best = dict.fromkeys(contenders, np.inf)
    for call in contenders.values():
        call()  # warm-up
    for _ in range(ROUNDS):
        for name, call in contenders.items():
            calls, start = 0, time.perf_counter()
            while (elapsed := time.perf_counter() - start) < seconds / ROUNDS / len(contenders):
                call()
                calls += 1
            best[name] = min(best[name], elapsed / calls)
    return best


def planner_call(task: str, samples: int, horizon: float) -> tuple[Callable[[], None], dict]:
    document = {"env": {"id": task}, "num_threads": 2,
                "planner": {"name": "predictive_sampling", "samples": samples,
                            "horizon_seconds": horizon, "knots": 4}}  # fmt: skip
    planner = make_planner(validate_planner(document))
    acting = robodrl.make_core(task, 1, num_threads=1, seed=0, autoreset=False)
    acting.step(np.zeros((1, acting.action_dim)))
    planner.plan(acting)
    return lambda: planner.plan(acting), {
        "horizon_steps": planner.spline.horizon,
        "frame_skip": acting.frame_skip,
        "control_hz": 1.0 / acting.control_dt,
    }


def raw_call(task: str, samples: int, horizon_steps: int) -> Callable[[], None]:
    core = robodrl.make_core(task, 1, num_threads=1, seed=0)
    batch = mjbatch.Batch(core.model, samples, 2, persistent=True)
    ctrl, frame_skip, stage = batch.bind("ctrl"), core.frame_skip, core.task.stage
    shape = (horizon_steps, samples, core.action_dim)
    controls = core.action_to_ctrl(np.random.default_rng(0).uniform(-1, 1, shape))
    state = np.asarray(batch.state).copy()

    def rollout() -> None:
        batch.state[:] = state
        batch.forward()
        for t in range(horizon_steps):
            ctrl[:] = controls[t]
            batch.step(nstep=frame_skip, stage=stage)

    return rollout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--samples", type=int, default=128)
    parser.add_argument("--horizon", type=float, default=0.5)
    parser.add_argument("--tasks", nargs="+", default=["Cheetah", "Quadruped"])
    args = parser.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, 2 threads, "
          f"{args.samples} samples, {args.horizon} s horizon")  # fmt: skip
    for task in args.tasks:
        plan, facts = planner_call(f"robodrl/{task}-v0", args.samples, args.horizon)
        raw = raw_call(f"robodrl/{task}-v0", args.samples, facts["horizon_steps"])
        seconds = best_seconds({"planner": plan, "raw": raw}, args.seconds)
        physics = args.samples * facts["horizon_steps"] * facts["frame_skip"]
        overhead = seconds["planner"] / seconds["raw"] - 1.0
        plans = 1.0 / seconds["planner"]
        print(
            f"{task}: planner {physics / seconds['planner']:,.0f} physics steps/s, raw "
            f"{physics / seconds['raw']:,.0f}; planner's own work +{overhead:.0%} over raw "
            f"(target <= 20%); {plans:.1f} plans/s vs {facts['control_hz']:.0f} Hz control: "
            f"{'real time' if plans >= facts['control_hz'] else 'slower than real time'}"
        )


if __name__ == "__main__":
    main()
