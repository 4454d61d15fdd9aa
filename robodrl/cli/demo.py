"""``robodrl demo``: the main job on the robust quadruped (or the quick Pendulum)."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console


def add(sub: argparse._SubParsersAction) -> None:
    """``robodrl demo``: the main job on the robust quadruped (or the quick Pendulum)."""
    demo = sub.add_parser(
        "demo", help="the main job on the robust quadruped: train, export, sweep, report"
    )
    demo.add_argument("--no-train", action="store_true", help="only the rollout summary")
    demo.add_argument(
        "--quick",
        action="store_true",
        help="the Pendulum swing-up (about a minute on 2 cores) instead of the robust quadruped",
    )
    demo.add_argument("--run-dir", type=Path, help="where the demo run goes (default runs/demo-*)")


def run(args: argparse.Namespace) -> None:
    from robodrl.demo import legged_demo, pipeline_demo, run_demo

    console = Console(width=max(140, Console().width))
    run_demo(console)
    if args.no_train:
        return
    if args.quick:
        pipeline_demo(console, run_dir=args.run_dir)
    else:
        legged_demo(console, run_dir=args.run_dir)
