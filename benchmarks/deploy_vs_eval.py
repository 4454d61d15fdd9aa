"""Deploy against evaluation: the same policy file, the same command schedule and the same kicks,
driven (a) by ``robodrl deploy --robot sim`` (the real-time loop that knows only the file, a
simulator in another process) and (b) in robodrl's batched env, as ``robodrl eval`` steps it
(accurate physics, the push sweep's velocity kicks), over many episodes.

Both report the RMS tracking error of vx, vy (m/s) and the yaw rate (rad/s) after the first
``--settle`` seconds, and falls (the base below half its standing height or tilted past the
task's limit). The deploy run is one episode; the env gives the spread over ``--episodes``.

    python benchmarks/deploy_vs_eval.py POLICY.onnx --schedule SCHEDULE.yaml --seconds 60
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from robodrl.deploy.schedule import CommandSchedule
from robodrl.make import make_core
from robodrl.runtime import OnnxPolicy

COMMAND_ARGUMENTS = ("command_seconds", "standing_probability", "episode_seconds", "physics")


def run_deploy(policy: Path, options: list[str]) -> tuple[dict, Path]:
    """``robodrl deploy POLICY [options] --out TEMP`` in a fresh process: its summary and
    report folder (the command's last words if it wrote none)."""
    out = Path(tempfile.mkdtemp()) / "deploy"
    command = [sys.executable, "-m", "robodrl", "deploy", str(policy), *options, "--out", str(out)]
    done = subprocess.run(command, check=False, capture_output=True, text=True)
    if not (out / "deploy.json").is_file():
        raise SystemExit(f"robodrl deploy failed: {done.stderr[-2000:]}")
    return json.loads((out / "deploy.json").read_text()), out


def deploy(
    policy: Path, schedule: Path, seconds: float, kick: float, extra: list[str], seed: int
) -> dict:
    options = f"--schedule {schedule} --seconds {seconds} --kick-speed {kick} --seed {seed}"
    summary, _ = run_deploy(policy, [*options.split(), *extra])
    return {
        "tracking": summary["tracking"],
        "falls": summary["sim_truth"]["falls"],
        "safety": {k: v for k, v in summary["safety"].items() if v},
        "ended": summary["ended"],
    }


def in_env(
    policy_path: Path,
    schedule_path: Path,
    seconds: float,
    kick: float,
    episodes: int,
    settle: float,
) -> dict:
    policy = OnnxPolicy(policy_path)
    task = {k: v for k, v in policy.checked.task_arguments.items() if k not in COMMAND_ARGUMENTS}
    push = {
        "body": "@base",
        "kind": "velocity",
        "magnitude": {"low": kick, "high": kick},
        "interval_seconds": {"low": 2.0, "high": 3.0},
    }
    core = make_core(
        policy.metadata["env_id"],
        episodes,
        seed=10_000,
        autoreset=False,
        perturbations={"pushes": [push]} if kick else None,
        **task,
        physics="accurate",
        command_seconds=1e6,
        standing_probability=0.0,
        episode_seconds=seconds + 1,
    )
    schedule = CommandSchedule.load(schedule_path, 3)
    middle = (policy.ctrl_low + policy.ctrl_high) / 2
    half = (policy.ctrl_high - policy.ctrl_low) / 2
    task_state, dt = core.task, core.control_dt
    obs = core.reset()
    errors, fell = [], np.zeros(episodes, dtype=bool)
    for step in range(round(seconds / dt)):
        task_state.commands.value[:] = schedule.at(step * dt)
        obs[:, core.obs_layout["command"]] = schedule.at(step * dt)
        ctrl = policy.act(obs)
        obs, _, terminated, _, _ = core.step(np.clip((ctrl - middle) / half, -1, 1))
        fell |= terminated
        if step * dt >= settle:
            data = task_state.sensordata
            measured = np.c_[data[:, task_state.velocimeter][:, :2], data[:, task_state.gyro][:, 2]]
            error = schedule.at(step * dt) - measured
            errors.append(np.where(fell[:, None], np.nan, error))
    rms = np.sqrt(np.nanmean(np.square(errors), axis=0))  # (episodes, 3)
    return {
        "episodes": episodes,
        "falls": int(fell.sum()),
        "vx_rms": [float(np.mean(rms[:, 0])), float(np.std(rms[:, 0]))],
        "vy_rms": [float(np.mean(rms[:, 1])), float(np.std(rms[:, 1]))],
        "yaw_rate_rms": [float(np.mean(rms[:, 2])), float(np.std(rms[:, 2]))],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("policy", type=Path)
    parser.add_argument("--schedule", type=Path, required=True)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--kick", type=float, default=0.75, help="m/s, every 2-3 s")
    parser.add_argument("--episodes", type=int, default=16)
    parser.add_argument("--runs", type=int, default=3, help="deploy runs (seeds 0, 1, ...)")
    parser.add_argument("--settle", type=float, default=1.0, help="seconds left out")
    parser.add_argument("--deploy-args", default="", help="more deploy options, one string")
    args = parser.parse_args()
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; "
        f"{args.seconds:g} s, kicks {args.kick} m/s every 2-3 s"
    )
    env = in_env(args.policy, args.schedule, args.seconds, args.kick, args.episodes, args.settle)
    print("env (accurate physics):", json.dumps(env))
    runs = [
        deploy(args.policy, args.schedule, args.seconds, args.kick, args.deploy_args.split(), seed)
        for seed in range(args.runs)
    ]
    for seed, run in enumerate(runs):
        print(f"deploy --robot sim, seed {seed}:", json.dumps(run))
    rms = {k: [r["tracking"][k] for r in runs if r["tracking"]] for k in env if k.endswith("_rms")}
    print(
        "deploy over runs:",
        json.dumps(
            {"runs": len(runs), "falls": sum(r["falls"] for r in runs)}
            | {k: [float(np.mean(v)), float(np.std(v))] for k, v in rms.items()}
        ),
    )


if __name__ == "__main__":
    main()
