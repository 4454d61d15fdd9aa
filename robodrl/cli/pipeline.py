"""``robodrl pipeline CONFIG``: train, export with its gates, sweep, one report."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console


def add(sub: argparse._SubParsersAction) -> None:
    """``robodrl pipeline``: train, export with its gates, sweep, one report."""
    pipeline = sub.add_parser(
        "pipeline", help="train -> export (with its gates) -> sweep, one report"
    )
    pipeline.add_argument("config", help="YAML training config, or a recipe name")
    pipeline.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", help="override a config field"
    )
    pipeline.add_argument("--run-dir", type=Path, help="where the run goes (default runs/<name>)")
    pipeline.add_argument(
        "--sweep",
        action="append",
        default=[],
        help="sweep to run (a name or YAML); repeat for several (default observation-noise)",
    )
    pipeline.add_argument(
        "--videos", action="store_true", help="show the nominal episode and the worst cell"
    )


def run(args: argparse.Namespace) -> None:
    from robodrl.pipeline import run_pipeline
    from robodrl.resolve import load_config

    config = load_config(args.config, args.set)
    sweeps = args.sweep or ["observation-noise"]
    run_pipeline(config, run_dir=args.run_dir, sweep=sweeps, videos=args.videos, console=Console())
