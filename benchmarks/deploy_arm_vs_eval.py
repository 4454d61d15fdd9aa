"""Deploy against evaluation for an arm: a joint-target reach policy file, the same targets,
driven (a) by ``robodrl deploy --robot sim`` (the loop that knows only the file; the sim arm in
another process), one target after another, each held ``--hold`` seconds, and (b) in
robodrl's batched env, one episode per target from home, as ``robodrl eval`` steps it.

The targets are the task's own: the goals its first ``--targets`` episodes draw (seed 10,000).
Both report each target's final distance (m) and how many end within the task's 2 cm.

    python benchmarks/deploy_arm_vs_eval.py POLICY.onnx --targets 10 --hold 4
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
from pathlib import Path

import numpy as np
import yaml
from deploy_vs_eval import run_deploy  # this folder's

from robodrl.make import make_core
from robodrl.runtime import OnnxPolicy

SEED = 10_000


def env_and_targets(policy: OnnxPolicy, count: int) -> tuple[list[float], np.ndarray]:
    """Final distances of ``count`` env episodes, and their targets (the arm's base frame)."""
    task = dict(policy.checked.task_arguments)
    core = make_core(policy.metadata["env_id"], count, seed=SEED, autoreset=False, **task)
    obs = core.reset()
    base = core.task.scene.workspace.base
    targets = core.task.goal_pos() - base
    middle = (policy.ctrl_low + policy.ctrl_high) / 2
    half = (policy.ctrl_high - policy.ctrl_low) / 2
    for _ in range(core.max_episode_steps):
        obs, *_ = core.step(np.clip((policy.act(obs) - middle) / half, -1, 1))
    distances = np.linalg.norm(core.task.goal_pos() - core.task.ee_pos(), axis=1)
    return distances.round(4).tolist(), targets


def deploy(path: Path, targets: np.ndarray, hold: float) -> dict:
    folder = Path(tempfile.mkdtemp())
    commands = [{"at": i * hold, "command": t.round(4).tolist()} for i, t in enumerate(targets)]
    (folder / "targets.yaml").write_text(yaml.safe_dump({"commands": commands}))
    options = f"--schedule {folder / 'targets.yaml'} --seconds {hold * len(targets)}"
    summary, _ = run_deploy(path, options.split())
    return {
        "reach": summary["reach"],
        "ended": summary["ended"],
        "lateness_ms": summary["lateness_ms"],
        "missed": summary["missed_deadlines"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("policy", type=Path)
    parser.add_argument("--targets", type=int, default=10)
    parser.add_argument("--hold", type=float, default=4.0, help="seconds per target")
    args = parser.parse_args()
    policy = OnnxPolicy(args.policy)
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; "
        f"{args.targets} targets, {args.hold:g} s each"
    )
    env, targets = env_and_targets(policy, args.targets)
    print(
        "env, one episode per target from home:",
        json.dumps({"final_distance_m": env, "reached": int(np.sum(np.array(env) < 0.02))}),
    )
    print(
        "deploy --robot sim, one target after another:",
        json.dumps(deploy(args.policy, targets, args.hold)),
    )


if __name__ == "__main__":
    main()
