"""``robodrl demos record`` and ``robodrl demos info``: the demonstrations commands."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

import numpy as np

from robodrl.datasets.demonstrations import Demonstrations
from robodrl.datasets.storage import (
    INDEX,
    KIND,
    check_dataset_out,
    dataset_bytes,
    load_demonstrations,
    save_demonstrations,
)
from robodrl.files.atomic import claim_output_folder, free_bytes, size_text


def add(sub: argparse._SubParsersAction) -> None:
    """The ``demos`` command and its ``record`` / ``info`` subcommands."""
    demos = sub.add_parser("demos", help="record demonstrations (Minari datasets), summarize them")
    action = demos.add_subparsers(dest="demos_command", required=True)
    record = action.add_parser("record", help="record a policy's episodes as a Minari dataset")
    record.add_argument(
        "policy", help="run directory, exported .onnx file, team folder or planner YAML"
    )
    record.add_argument("--episodes", type=int, required=True, help="episodes to record")
    record.add_argument("--out", type=Path, required=True, help="the dataset folder to write")
    record.add_argument("--seed", type=int, default=0, help="episode e starts from seed + e")
    record.add_argument("--randomization", help="DR preset name or YAML (default: none)")
    record.add_argument("--perturbations", help="perturbation preset name or YAML")
    record.add_argument("--trust", action="store_true", help="load an unsigned run")
    record.add_argument(
        "--overwrite", action="store_true", help="replace a dataset robodrl recorded at --out"
    )
    record.add_argument(
        "--allow-worse-than-random",
        action="store_true",
        help="keep a demonstrator whose return is below random actions' (scores invert)",
    )
    info = action.add_parser("info", help="summarize a dataset")
    info.add_argument("dataset", type=Path)
    info.add_argument(
        "--trust", action="store_true", help="read a dataset this account did not record"
    )


def run(args: argparse.Namespace) -> None:
    """Dispatch ``robodrl demos ...``."""
    if args.demos_command == "record":
        _record(args)
    else:
        print(
            format_summary(
                summarize(load_demonstrations(args.dataset, trust=args.trust)), args.dataset
            )
        )


def _record(args: argparse.Namespace) -> None:
    from robodrl.datasets.recording import record_demonstrations
    from robodrl.errors import ConfigError
    from robodrl.runs.loading import load_policy

    if args.episodes < 1:
        raise ConfigError(f"--episodes must be >= 1, got {args.episodes}")
    if args.seed < 0:
        raise ConfigError(f"--seed must be >= 0, got {args.seed}")
    out = Path(args.out)
    check_dataset_out(out, overwrite=args.overwrite)  # before the work, as after it
    claim_output_folder(out, kind=KIND, index=INDEX)
    policy = load_policy(args.policy, trust=args.trust)
    check_recording_size(policy, args.episodes, out)
    demos = record_demonstrations(
        policy,
        args.episodes,
        seed=args.seed,
        randomization=args.randomization,
        perturbations=args.perturbations,
        source=Path(str(args.policy)).name,  # not the recording machine's path
    )
    reference = demos.reference
    if reference["demonstrator_return"] < reference["random_return"]:
        message = (
            f"{args.policy} returns {reference['demonstrator_return']:.1f} on these episodes, "
            f"below uniformly random actions ({reference['random_return']:.1f}): every "
            "normalized score against this dataset would be inverted"
        )
        if not args.allow_worse_than_random:
            raise ConfigError(
                f"{message}; nothing was written: record a better policy, or pass "
                "--allow-worse-than-random"
            )
        print(f"warning: {message}")
    save_demonstrations(demos, out, overwrite=args.overwrite)
    print(format_summary(summarize(demos), out))


def check_recording_size(policy, episodes: int, out: Path) -> None:
    """Refuse a recording that cannot fit on the disk holding ``out`` or in memory, before
    it starts; say how big it will be."""
    from robodrl.errors import ConfigError
    from robodrl.make import make_core

    steps = make_core(policy.env_id, 1, seed=0, **policy.task_arguments).max_episode_steps
    on_disk = dataset_bytes(episodes * steps, episodes, policy.obs_dim, policy.act_dim)
    in_memory = 3 * episodes * (steps + 1) * 8 * (policy.obs_dim + policy.act_dim + 3)
    free, memory = free_bytes(out), os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    if on_disk > free or in_memory > memory:
        raise ConfigError(
            f"--episodes {episodes:,}: up to {episodes * steps:,} steps, about "
            f"{size_text(on_disk)} on disk ({size_text(free)} free at {out.parent}) and "
            f"{size_text(in_memory)} of memory while recording ({size_text(memory)} free); "
            "record fewer episodes, or several datasets"
        )
    print(f"recording {episodes:,} episodes (up to {size_text(on_disk)}) to {out}")


def summarize(demos: Demonstrations) -> dict[str, Any]:
    """Episodes, steps, returns, references and recording settings of a dataset."""
    returns = np.array([e.episode_return for e in demos.episodes])
    lengths = np.array([e.length for e in demos.episodes])
    return {
        "env_id": demos.env_id,
        "task_arguments": demos.task_arguments,
        "obs_dim": demos.obs_dim,
        "act_dim": demos.act_dim,
        "episodes": len(demos.episodes),
        "steps": int(lengths.sum()),
        "terminated": int(sum(bool(e.terminations[-1]) for e in demos.episodes)),
        "return_mean": float(returns.mean()),
        "return_std": float(returns.std()),
        "return_min": float(returns.min()),
        "return_max": float(returns.max()),
        "length_mean": float(lengths.mean()),
        "source": demos.source,
        "settings": demos.settings,
        "reference": demos.reference,
        "randomized": sorted({k for e in demos.episodes for k in e.randomization}),
    }


def format_summary(summary: dict[str, Any], path: Path) -> str:
    """A few lines a person reads."""
    lines = [
        f"{path}: {summary['episodes']} episodes, {summary['steps']:,} steps of "
        f"{summary['env_id']} (obs {summary['obs_dim']}, act {summary['act_dim']})",
        f"  return {summary['return_mean']:.1f} ± {summary['return_std']:.1f} "
        f"(min {summary['return_min']:.1f}, max {summary['return_max']:.1f}); "
        f"mean length {summary['length_mean']:.1f}; {summary['terminated']} ended by "
        "termination",
    ]
    reference = summary["reference"]
    if reference:
        lines.append(
            f"  reference: demonstrator {reference['demonstrator_return']:.1f}, random "
            f"actions {reference['random_return']:.1f} (normalized score 1 and 0)"
        )
    if summary["task_arguments"]:
        lines.append(f"  task arguments: {summary['task_arguments']}")
    lines.append(f"  recorded from: {summary['source'] or 'a Python policy'}")
    if summary["randomized"]:
        lines.append(f"  randomized per episode: {', '.join(summary['randomized'])}")
    for key, value in summary["settings"].items():
        lines.append(f"  {key}: {value}")
    return "\n".join(lines)
