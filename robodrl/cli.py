"""The ``robodrl`` command line."""

from __future__ import annotations

import argparse
import sys

from rich.console import Console
from rich.table import Table

from robodrl.errors import RobodrlError


def _cmd_envs(args: argparse.Namespace) -> None:
    from robodrl.make import make_core
    from robodrl.registry import env_ids, get_spec

    table = Table(title="robodrl environments")
    for column in ("id", "obs", "act", "control Hz", "episode s", "description"):
        table.add_column(column, justify="left" if column in ("id", "description") else "right")
    for env_id in env_ids():
        core = make_core(env_id, 1, num_threads=1, seed=0)
        table.add_row(
            env_id,
            str(core.obs_dim),
            str(core.action_dim),
            f"{1.0 / core.control_dt:g}",
            f"{core.max_episode_steps * core.control_dt:g}",
            get_spec(env_id).description,
        )
    Console(width=max(120, Console().width)).print(table)


def _cmd_demo(args: argparse.Namespace) -> None:
    from robodrl.demo import run_demo

    run_demo(Console(width=max(140, Console().width)))


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``robodrl`` command."""
    parser = argparse.ArgumentParser(prog="robodrl", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("envs", help="list every environment id with its sizes and control rate")
    sub.add_parser("demo", help="run the demo job (today: a rollout summary of each task)")
    return parser


COMMANDS = {"envs": _cmd_envs, "demo": _cmd_demo}


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code (2 for a user error, with its message on stderr)."""
    args = build_parser().parse_args(argv)
    try:
        COMMANDS[args.command](args)
    except RobodrlError as err:
        print(f"robodrl {args.command}: error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
