"""Time to walk: wall time from ``robodrl train`` to a quadruped that tracks commands under pushes.

Trains a robust legged recipe (default ``quadruped_robust_ppo``) with ``robodrl train`` in a
subprocess, keeping a checkpoint every ``--every`` steps, and clocks each checkpoint from the
command's start (the checkpoint file's write time). Afterwards (not competing with training for
the CPU) it checks each checkpoint, in order, under the push sweep's middle cell (velocity kicks
of 0.75 m/s on the base every 2-3 s) in the accurate physics settings (and the fast ones for
comparison), ``--episodes`` full episodes with fresh commands from the task's default command
ranges (a recipe may train on others; the check is the same for every recipe):

- tracking: the tracking reward terms' sum over all steps / their maximum (1 per step for each
  term at its weight); "walks" needs >= 0.8;
- falls: episodes that ended early (base too low or tilted); "walks" needs none.

The time to walk is the wall time of the first checkpoint that walks. Target (issue 11): <= 10
minutes on the project's 2-core machine.

Usage: python benchmarks/time_to_walk.py [--recipe quadruped_robust_ppo] [--steps N]
       [--every N] [--episodes 32] [--run-dir DIR] [--seed N] [--set KEY=VALUE ...]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from robodrl.lookup import find_config
from robodrl.make import make_core
from robodrl.resolve import load_config
from robodrl.runs.checkpoints import step_folders
from robodrl.runs.loading import load_run_policy

PUSH_MIDDLE_CELL = {
    "pushes": [
        {
            "body": "@base",
            "kind": "velocity",
            "magnitude": {"low": 0.75, "high": 0.75},
            "interval_seconds": {"low": 2.0, "high": 3.0},
        }
    ]
}
TRACKING_TERMS = ("track_velocity", "track_yaw_rate")
#: the check draws commands from the task's default ranges, whatever a recipe trains on
COMMAND_ARGUMENTS = (
    "command_vx_range",
    "command_vy_range",
    "command_yaw_rate_range",
    "command_seconds",
    "standing_probability",
)


def walk_check(
    run: Path, checkpoint: str, physics: str, episodes: int, push: float = 0.75
) -> dict[str, float]:
    """Tracking ratio and falls of a checkpoint under kicks of ``push`` m/s every 2-3 s."""
    policy = load_run_policy(run, checkpoint=checkpoint)
    task = {k: v for k, v in policy.task_arguments.items() if k not in COMMAND_ARGUMENTS}
    task["physics"] = physics
    core = make_core(
        policy.env_id,
        episodes,
        seed=10_000,
        perturbations=push_cell(push),
        autoreset=False,
        **task,
    )
    weights = core.task.reward_weights
    obs, running = core.reset(), np.ones(episodes, dtype=bool)
    tracking, steps = 0.0, 0
    fell = np.zeros(episodes, dtype=bool)
    while running.any():
        obs, _, terminated, truncated, info = core.step(np.clip(policy.act(obs), -1, 1))
        tracking += sum(float(info[f"reward_{t}"][running].sum()) for t in TRACKING_TERMS)
        steps += int(running.sum())
        fell |= terminated & running
        running &= ~(terminated | truncated)
    maximum = steps * sum(weights[t] for t in TRACKING_TERMS)
    return {"tracking": tracking / maximum, "falls": int(fell.sum()), "episodes": episodes}


def push_cell(speed: float) -> dict:
    """The push sweep's cell at ``speed`` m/s (0.75: its middle cell)."""
    push = dict(PUSH_MIDDLE_CELL["pushes"][0], magnitude={"low": speed, "high": speed})
    return {"pushes": [push]}


def warn_if_schedule_follows_budget(recipe: str, steps: int | None, overrides: list[str]) -> None:
    """``--steps`` sets the run's budget; a step-size schedule over the budget then changes too,
    so the run is not the recipe's training cut short (say so before training)."""
    if steps is None:
        return
    hyperparameters = load_config(find_config(recipe), overrides).algorithm.hyperparameters
    if (
        hyperparameters.get("final_learning_rate") is not None
        and hyperparameters.get("final_learning_rate_steps") is None
    ):
        print(
            f"note: {recipe}'s step size falls over its whole budget, and --steps {steps:,} "
            "changes the budget: each checkpoint differs from the recipe's at the same steps "
            "(set algorithm.hyperparameters.final_learning_rate_steps to compare)",
            flush=True,
        )


def train(recipe: str, run: Path, steps: int | None, every: int, robot: str | None,
          overrides: list[str]) -> float:  # fmt: skip
    """Run ``robodrl train`` and return its start time (``time.time()``)."""
    command = [
        sys.executable, "-m", "robodrl", "train", recipe, "--run-dir", str(run),
        "--set", f"checkpoint.every_steps={every}", "--set", "checkpoint.keep_last=1000",
    ]  # fmt: skip
    if steps is not None:
        command += ["--set", f"total_steps={steps}"]
    if robot is not None:
        command += ["--set", f"env.task.robot={robot}"]
    for override in overrides:
        command += ["--set", override]
    start = time.time()
    subprocess.run(command, check=True)
    return start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipe", default="quadruped_robust_ppo")
    parser.add_argument("--steps", type=int, help="training steps (default: the recipe's)")
    parser.add_argument("--every", type=int, default=500_000, help="checkpoint interval")
    parser.add_argument("--episodes", type=int, default=32)
    parser.add_argument("--run-dir", type=Path, help="keep the run here (default: a temp dir)")
    parser.add_argument("--robot", help="the recipe on another robot (a name or a description)")
    parser.add_argument("--seed", type=int, help="the training seed (default: the recipe's)")
    parser.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", help="a recipe override"
    )
    parser.add_argument(
        "--final-push", type=float, default=1.0, help="also check the last checkpoint at this kick"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        run = args.run_dir or Path(scratch) / "run"
        overrides = args.set + ([] if args.seed is None else [f"seed={args.seed}"])
        warn_if_schedule_follows_budget(args.recipe, args.steps, overrides)
        start = train(args.recipe, run, args.steps, args.every, args.robot, overrides)
        results = []
        for folder in step_folders(run / "checkpoints"):
            state = json.loads((folder / "state.json").read_text())
            row = {
                "checkpoint": folder.name,
                "steps": state["num_timesteps"],
                "wall_seconds": (folder / "state.json").stat().st_mtime - start,
            }
            for physics in ("accurate", "fast"):
                check = walk_check(run, folder.name, physics, args.episodes)
                row[physics] = check
            row["walks"] = row["accurate"]["tracking"] >= 0.8 and row["accurate"]["falls"] == 0
            results.append(row)
            print(json.dumps(row), flush=True)
    print(
        f"\n{args.recipe}; machine: {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs; {args.episodes} episodes per check, push 0.75 m/s every 2-3 s"
    )
    print("| steps | wall time | tracking (accurate) | falls | tracking (fast) | falls | walks |")
    print("|---:|---:|---:|---:|---:|---:|---|")
    for r in results:
        a, f = r["accurate"], r["fast"]
        print(
            f"| {r['steps']:,} | {r['wall_seconds'] / 60:.1f} min | {a['tracking']:.2f} | "
            f"{a['falls']}/{a['episodes']} | {f['tracking']:.2f} | {f['falls']}/{f['episodes']} "
            f"| {'yes' if r['walks'] else 'no'} |"
        )
    if results:
        final = walk_check(run, results[-1]["checkpoint"], "accurate", args.episodes,
                           args.final_push)  # fmt: skip
        print(f"last checkpoint, kicks of {args.final_push} m/s (accurate): {json.dumps(final)}")
    first = next((r for r in results if r["walks"]), None)
    print(
        f"time to walk: {first['wall_seconds'] / 60:.1f} min ({first['steps']:,} steps)"
        if first
        else "time to walk: not reached within the budget"
    )


if __name__ == "__main__":
    main()
