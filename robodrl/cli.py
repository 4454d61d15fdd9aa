"""The ``robodrl`` command line."""

from __future__ import annotations

import argparse
import os
import sys
import threading
from pathlib import Path

from rich.console import Console

from robodrl.atomic import disk_full, is_disk_full
from robodrl.cli_parser import build_parser
from robodrl.datasets.commands import run_demos_command
from robodrl.errors import ConfigError, RobodrlError
from robodrl.listing_commands import run_listing_command
from robodrl.robot_commands import run_robot_command


def _cmd_envs(args: argparse.Namespace) -> None:
    from robodrl.listing_commands import tasks_table, teams_table

    console = Console(width=max(120, Console().width))
    console.print(tasks_table())
    console.print(teams_table())


def _cmd_demo(args: argparse.Namespace) -> None:
    from robodrl.demo import legged_demo, pipeline_demo, run_demo

    console = Console(width=max(140, Console().width))
    run_demo(console)
    if args.no_train:
        return
    if args.quick:
        pipeline_demo(console, run_dir=args.run_dir)
    else:
        legged_demo(console, run_dir=args.run_dir)


def _cmd_train(args: argparse.Namespace) -> None:
    from robodrl.config import load_config
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


def _cmd_export(args: argparse.Namespace) -> None:
    from robodrl.export.exporter import export_run

    out, manifest = export_run(
        Path(args.run), args.out, checkpoint=args.checkpoint, trust=args.trust
    )
    parity, loop = manifest["parity"], manifest["closed_loop"]
    print(
        f"exported: {', '.join(str(out / name) for name in manifest['files'])}\n"
        f"parity: max |onnx - torch| = {parity['max_abs_diff']:.2e} over "
        f"{parity['observations']:,} observations (limit {parity['tolerances']['abs']:g})\n"
        f"closed loop: return {loop['onnx_mean_return']:.1f} "
        f"(torch {loop['torch_mean_return']:.1f})\n"
        f"latency (batch 1, 1 thread): p50 {loop['latency_ms']['p50']:.3f} ms, "
        f"p99 {loop['latency_ms']['p99']:.3f} ms"
    )


def _cmd_run_onnx(args: argparse.Namespace) -> None:
    import numpy as np

    from robodrl.runtime import OnnxPolicy

    if not 1 <= args.steps <= 10_000_000:
        raise ConfigError(f"--steps must be from 1 to 10,000,000, got {args.steps}")
    policy = OnnxPolicy(args.file)
    rng = np.random.default_rng(0)
    for _ in range(args.steps):
        command = policy.act(rng.normal(size=policy.obs_dim).astype(np.float32))
    nan_obs = np.full(policy.obs_dim, np.nan, dtype=np.float32)
    safe = policy.act(nan_obs)
    latency = policy.latency_ms()
    print(
        f"{args.file}: {policy.metadata['env_id']} ({policy.metadata['algorithm']}), "
        f"obs {policy.obs_dim} -> commands {policy.act_dim} for {policy.actuator_names}\n"
        f"last command {np.round(command, 4).tolist()}; NaN observation -> safe command "
        f"{np.round(safe, 4).tolist()} (faults: {policy.faults})\n"
        f"latency over {latency['calls']} calls: p50 {latency['p50']:.3f} ms, "
        f"p99 {latency['p99']:.3f} ms"
    )


def bench_export(run: Path, out: Path, *, calls: int = 5000, trust: bool = False) -> dict:
    """Export ``run`` to ``out`` and measure its batch-1 latency against the references."""
    from robodrl.export.exporter import export_run, load_trained
    from robodrl.export.latency import measure

    out, manifest = export_run(run, out, trust=trust)
    policy = load_trained(run, trust=trust)  # the checkpoint export_run used ("best")
    return measure(policy, out / "policy.onnx", obs_dim=manifest["obs_dim"], calls=calls)


def _cmd_bench(args: argparse.Namespace) -> None:
    import json
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        result = bench_export(Path(args.run), Path(folder) / "export", trust=args.trust)
    print(json.dumps(result, indent=2))


def _cmd_eval(args: argparse.Namespace) -> None:
    from robodrl.evaluation.run import evaluate, task_variants
    from robodrl.runs.loading import output_label

    sweep = Path(str(args.sweep)).stem
    out = args.out or Path("runs") / "eval" / f"{output_label(args.policies)}-{sweep}"
    out, results = evaluate(
        args.policies,
        args.sweep,
        out=out,
        episodes=args.episodes,
        seed=args.seed,
        backend=args.backend,
        address=args.address,
        trust=args.trust,
        task_variants=task_variants(args.task),
        videos=args.videos,
        adversary=args.adversary,
    )
    from robodrl.evaluation.anchors import ranked

    for result in ranked(results):
        score = result["robustness"]
        if "not_applicable" in result:
            print(f"{result['policy']}: not applicable: {result['not_applicable']}")
            continue
        print(
            f"{result['policy']}: score {score['score']:.2f}, nominal return "
            f"{result['nominal']['mean_return']:.1f}, {score['fraction_above_80_percent']:.0%} "
            "of cells keep >= 80% of it"
        )
    anchor = results[0]["nominal"]["anchors"]
    print(
        f"anchors at nominal: random actions {anchor['random_actions']:.1f}, zero actions "
        f"{anchor['zero_actions']:.1f} (score: 0 = random actions in each cell, 1 = the best "
        "nominal return here)"
    )
    print(f"report: {out / 'report.html'}")


def _cmd_pipeline(args: argparse.Namespace) -> None:
    from robodrl.config import load_config
    from robodrl.pipeline import run_pipeline

    config = load_config(args.config, args.set)
    sweeps = args.sweep or ["observation-noise"]
    run_pipeline(config, run_dir=args.run_dir, sweep=sweeps, videos=args.videos, console=Console())


def _cmd_render(args: argparse.Namespace) -> None:
    from robodrl.evaluation.render import render_policy

    result = render_policy(
        args.policy,
        args.out,
        episodes=args.episodes,
        seed=args.seed,
        sweep=args.sweep,
        cell=args.cell,
        trust=args.trust,
        overwrite=args.overwrite,
        seconds=args.seconds,
    )
    returns = ", ".join(f"{r:.1f}" for r in result["returns"])
    print(
        f"{result['path']}: {result['frames']} frames at {result['fps']:.0f} fps; returns {returns}"
    )


COMMANDS = {
    "envs": _cmd_envs,
    "demo": _cmd_demo,
    "train": _cmd_train,
    "export": _cmd_export,
    "run-onnx": _cmd_run_onnx,
    "bench": _cmd_bench,
    "eval": _cmd_eval,
    "pipeline": _cmd_pipeline,
    "render": _cmd_render,
    "demos": run_demos_command,
    "robot": run_robot_command,
    "recipes": run_listing_command,
    "sweeps": run_listing_command,
    "presets": run_listing_command,
}


def _quiet_on_full_disk(args: threading.ExceptHookArgs) -> None:
    """A writer thread (TensorBoard's) that meets a full disk stays quiet: the command reports
    it once, in one line."""
    if not is_disk_full(args.exc_value):
        threading.__excepthook__(args)


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code (2 for a user error, with its message on stderr)."""
    args = build_parser().parse_args(argv)
    os.environ.setdefault("MUJOCO_GL", "egl")  # offscreen rendering; read when MuJoCo is imported
    threading.excepthook = _quiet_on_full_disk
    try:
        COMMANDS[args.command](args)
    except RobodrlError as err:
        code = getattr(err, "exit_code", 2)
        what = "" if code == 130 else "error: "  # a stop the user asked for is no error
        print(f"robodrl {args.command}: {what}{err}", file=sys.stderr)
        return code
    except KeyboardInterrupt:
        print(
            f"robodrl {args.command}: interrupted; files it had not finished were removed",
            file=sys.stderr,
        )
        return 130
    except Exception as err:  # a full disk met outside robodrl's own writers
        if not is_disk_full(err):
            raise
        where = Path(getattr(err, "filename", None) or "its output")
        print(f"robodrl {args.command}: error: {disk_full(where)}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
