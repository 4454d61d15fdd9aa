"""``robodrl train``: a config or recipe, overrides, ``--resume``, seeds on a backend."""

from __future__ import annotations

import argparse
from pathlib import Path

from robodrl.errors import ConfigError


def add(sub: argparse._SubParsersAction) -> None:
    """``robodrl train``: a config or recipe, overrides, resume, seeds on a backend."""
    train = sub.add_parser("train", help="train a policy from a YAML config, or resume a run")
    train.add_argument(
        "config", nargs="?", help="YAML training config, or a recipe name (e.g. pendulum_ppo)"
    )
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
        "--checkpoint",
        default="latest",
        help="with --resume: the checkpoint to continue from (latest, best or step_N)",
    )
    train.add_argument(
        "--trust",
        action="store_true",
        help="load a checkpoint whose signature does not verify (runs its pickles); with a "
        "CONFIG: a demos dataset this account did not record",
    )
    train.add_argument("--seeds", type=int, nargs="+", help="one run per seed: RUN_DIR/seed_<k>")
    train.add_argument(
        "--backend",
        default="local",
        choices=["local", "ray"],
        help="where the --seeds runs go (ray: pip install 'robodrl[ray]')",
    )
    train.add_argument("--address", help="Ray cluster address (default: a local cluster)")


def run(args: argparse.Namespace) -> None:
    from robodrl.resolve import load_config
    from robodrl.runs.train import resume, train

    if args.resume is not None:
        if args.config is not None or args.seeds:
            raise ConfigError(
                "--resume continues a run with its saved config; drop CONFIG / --seeds"
            )
        run_dir, summary = resume(
            Path(args.resume),
            trust=args.trust,
            checkpoint=args.checkpoint,
            total_steps=_resume_total_steps(args.set),
        )
        if summary is None:
            print(
                f"{run_dir} is complete: it reached its total_steps; nothing changed "
                f"(to train longer: robodrl train --resume {run_dir} --set total_steps=N)"
            )
            return
    elif args.checkpoint != "latest":
        raise ConfigError("--checkpoint chooses where --resume starts; give --resume RUN")
    elif args.seeds:
        from robodrl.runs.train import train_seeds

        if args.config is None:
            raise ConfigError("give a CONFIG file with --seeds")
        config = load_config(args.config, args.set + _trust_demos(args))
        for run_dir, summary in train_seeds(
            config, args.seeds, args.run_dir, backend=args.backend, address=args.address
        ):
            returns = _rounded((summary["final_eval"] or {}).get("mean_return"))
            print(f"run: {run_dir}  steps: {summary['steps']:,}  eval return: {returns}")
        return
    else:
        if args.config is None:
            raise ConfigError("give a CONFIG file, or --resume RUN")
        config = load_config(args.config, args.set + _trust_demos(args))
        run_dir, summary = train(config, args.run_dir)
    final = summary["final_eval"] or {}
    print(
        f"run: {run_dir}\nsteps: {summary['steps']:,}  wall: {summary['wall_seconds']:.1f} s  "
        f"steps/s: {summary['steps_per_second'] or 0:,.0f}  "
        f"eval return: {_rounded(final.get('mean_return'))}"
    )
    if summary["steps"] > summary["total_steps"]:
        print(
            f"note: total_steps {summary['total_steps']:,} was rounded up to "
            f"{summary['steps']:,}: the learner collects whole rollouts (steps per rollout x "
            "num_envs)"
        )


def _rounded(value: float | None) -> str:
    """A return as a person reads it (one decimal)."""
    return "-" if value is None else f"{value:,.1f}"


def _trust_demos(args: argparse.Namespace) -> list[str]:
    """``train CONFIG --trust``: the config's ``demos`` may be a dataset recorded elsewhere."""
    return ["demos_trust=true"] if args.trust else []


def _resume_total_steps(overrides: list[str]) -> int | None:
    """The one override a resumed run takes: ``--set total_steps=N`` (to train longer)."""
    from robodrl.config import apply_overrides

    if not overrides:
        return None
    data = apply_overrides({}, overrides)  # parsed as every --set is (1e6 is a number)
    value = data.get("total_steps")
    if set(data) != {"total_steps"} or isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(
            f"--resume keeps the run's config; the only --set it takes is total_steps=N "
            f"(an integer), got {overrides}"
        )
    return value
