"""Batch-1 latency of an exported policy vs the bare MLP ONNX vs torch eager, one run, 1 thread.

Targets (issue 5): exported p50 <= 1.2 x the bare MLP ONNX; >= 3 x faster than torch eager.
With ``--run RUN`` it measures that run's exported policy; without, it trains nothing and
exports a freshly initialised Quadruped-sized PPO policy (44 obs → 12 actions, 64 x 64 tanh,
with observation normalization): latency does not depend on the weights' values.

Usage: python benchmarks/export_latency.py [--run RUN] [--calls N]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
from pathlib import Path


def fresh_run(root: Path) -> Path:
    from robodrl.resolve import validate_config
    from robodrl.runs.train import train

    config = validate_config(
        {
            "env": {"id": "Quadruped", "num_envs": 4},
            "algorithm": {"name": "ppo", "hyperparameters": {"n_steps": 16, "batch_size": 64}},
            "total_steps": 64,
            "eval": {"episodes": 1},
        }
    )
    run, _ = train(config, root / "run")
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--run", type=Path, help="a run directory (default: a fresh policy)")
    parser.add_argument("--calls", type=int, default=5000)
    args = parser.parse_args()
    from robodrl.cli.bench import bench_export

    with tempfile.TemporaryDirectory() as folder:
        os.environ.setdefault("ROBODRL_HOME", str(Path(folder) / "home"))
        run = args.run or fresh_run(Path(folder))
        print(f"# export_latency: {platform.machine()}, {len(os.sched_getaffinity(0))} CPUs")
        print(json.dumps(bench_export(run, Path(folder) / "export", calls=args.calls), indent=2))


if __name__ == "__main__":
    main()
