"""The ``robodrl`` command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from robodrl.errors import ConfigError, RobodrlError


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
    from robodrl.demo import run_demo, train_demo

    console = Console(width=max(140, Console().width))
    run_demo(console)
    if not args.no_train:
        train_demo(console, run_dir=args.run_dir)


def _cmd_train(args: argparse.Namespace) -> None:
    from robodrl.config import load_config
    from robodrl.trainers.run import resume, train

    if args.resume is not None:
        if args.config is not None or args.set:
            raise ConfigError("--resume continues a run with its saved config; drop CONFIG / --set")
        run_dir, summary = resume(Path(args.resume), trust=args.trust)
    else:
        if args.config is None:
            raise ConfigError("give a CONFIG file, or --resume RUN")
        config = load_config(args.config, args.set)
        run_dir, summary = train(config, args.run_dir)
    final = summary["final_eval"] or {}
    print(
        f"run: {run_dir}\nsteps: {summary['steps']:,}  wall: {summary['wall_seconds']} s  "
        f"steps/s: {summary['steps_per_second']}  eval return: {final.get('mean_return')}"
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``robodrl`` command."""
    parser = argparse.ArgumentParser(prog="robodrl", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("envs", help="list every environment id with its sizes and control rate")
    demo = sub.add_parser("demo", help="the main job on the quick task: rollouts, then training")
    demo.add_argument("--no-train", action="store_true", help="only the rollout summary")
    demo.add_argument("--run-dir", type=Path, help="where the demo run goes (default runs/demo-*)")
    train = sub.add_parser("train", help="train a policy from a YAML config, or resume a run")
    train.add_argument("config", nargs="?", help="YAML training config")
    train.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a config field, e.g. --set algorithm.hyperparameters.n_steps=64",
    )
    train.add_argument("--run-dir", type=Path, help="where the run goes (default runs/<name>)")
    train.add_argument("--resume", metavar="RUN", help="continue RUN from its latest checkpoint")
    train.add_argument(
        "--trust",
        action="store_true",
        help="load a checkpoint whose signature does not verify (runs its pickles)",
    )
    return parser


COMMANDS = {"envs": _cmd_envs, "demo": _cmd_demo, "train": _cmd_train}


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
