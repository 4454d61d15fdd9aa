"""The ``robodrl`` command's arguments: one function per subcommand."""

from __future__ import annotations

import argparse
from pathlib import Path

from robodrl import __version__
from robodrl.datasets.commands import add_demos_parser
from robodrl.listing_commands import add_listing_parsers
from robodrl.robot_commands import add_robot_parser

Subparsers = argparse._SubParsersAction  # what add_subparsers returns


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``robodrl`` command."""
    parser = argparse.ArgumentParser(
        prog="robodrl",
        description="Robot learning in MuJoCo: train, harden, evaluate and export policies.",
    )
    parser.add_argument("--version", action="version", version=f"robodrl {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("envs", help="list every environment id with its sizes and control rate")
    for add in (
        _add_demo,
        _add_train,
        _add_export,
        _add_evaluate,
        _add_render,
        _add_pipeline,
        _add_bench,
        add_demos_parser,
        _add_run_onnx,
        add_robot_parser,
        add_listing_parsers,
    ):
        add(sub)
    return parser


def _add_demo(sub: Subparsers) -> None:
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


def _add_train(sub: Subparsers) -> None:
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


def _add_export(sub: Subparsers) -> None:
    """``robodrl export``: a run's policy to one verified ONNX file."""
    export = sub.add_parser("export", help="export a run's policy to one verified ONNX file")
    export.add_argument("run", help="run directory")
    export.add_argument("--out", type=Path, help="output folder (default export/<run name>)")
    export.add_argument("--checkpoint", default="best", help="best (default), latest, or step_N")
    export.add_argument(
        "--trust",
        action="store_true",
        help="export a run whose signature does not verify (runs its pickles)",
    )


def _add_evaluate(sub: Subparsers) -> None:
    """``robodrl eval``: robustness sweeps of runs, ONNX files and planners."""
    evaluate = sub.add_parser("eval", help="robustness sweep of policies, with a report")
    evaluate.add_argument(
        "policies", nargs="+", help="run directories, exported .onnx files or planner YAML files"
    )
    evaluate.add_argument(
        "--sweep", required=True, help="sweep YAML, or a name in envs/<task>/sweeps"
    )
    evaluate.add_argument("--episodes", type=int, help="episodes per cell (default: the sweep's)")
    evaluate.add_argument("--seed", type=int, help="first episode seed (default: the sweep's)")
    evaluate.add_argument("--backend", default="local", choices=["local", "ray"])
    evaluate.add_argument("--address", help="Ray cluster address (default: a local cluster)")
    evaluate.add_argument(
        "--out", type=Path, help="output folder (default runs/eval/<policies>-<sweep>)"
    )
    evaluate.add_argument(
        "--trust", action="store_true", help="load runs whose signature does not verify"
    )
    evaluate.add_argument(
        "--task",
        action="append",
        default=[],
        metavar="KEY=V1[,V2]",
        help="evaluate each policy with these task arguments, one report column per value "
        "(e.g. physics=fast,accurate: the sim-to-sim gap of a policy trained in fast physics)",
    )
    evaluate.add_argument(
        "--videos",
        action="store_true",
        help="GIFs of the first policy's nominal episode and worst cell in the report",
    )
    evaluate.add_argument(
        "--adversary",
        metavar="RUN|random",
        help="for a sweep with an adversary_force_scale axis: the trained adversaries of a "
        "rarl run, or random forces under the task's default adversary (the baseline)",
    )


def _add_render(sub: Subparsers) -> None:
    """``robodrl render``: an offscreen video of a policy."""
    render = sub.add_parser("render", help="offscreen video of a policy (MUJOCO_GL=egl)")
    render.add_argument("policy", help="run directory, exported .onnx file or planner YAML")
    render.add_argument("--out", type=Path, required=True, help="FILE.mp4 or FILE.gif")
    render.add_argument("--episodes", type=int, default=1, help="episodes, one after another")
    render.add_argument("--seed", type=int, default=0, help="episode e starts from seed + e")
    render.add_argument("--sweep", help="render under one cell of this sweep ...")
    render.add_argument("--cell", type=int, help="... the cell's index in the sweep")
    render.add_argument(
        "--trust", action="store_true", help="load a run whose signature does not verify"
    )
    render.add_argument("--overwrite", action="store_true", help="replace an existing --out file")
    render.add_argument(
        "--seconds", type=float, help="cut each episode after this much simulated time"
    )


def _add_pipeline(sub: Subparsers) -> None:
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


def _add_bench(sub: Subparsers) -> None:
    """``robodrl bench``: benchmarks of robodrl's own artifacts."""
    bench = sub.add_parser("bench", help="benchmarks of robodrl's own artifacts")
    bench.add_argument("what", choices=["export"], help="export: batch-1 latency of a run's policy")
    bench.add_argument("run", help="run directory")
    bench.add_argument(
        "--trust", action="store_true", help="load a run whose signature does not verify"
    )


def _add_run_onnx(sub: Subparsers) -> None:
    """``robodrl run-onnx``: smoke-test an exported policy with the onboard runtime."""
    run_onnx = sub.add_parser("run-onnx", help="smoke-test an exported policy with the runtime")
    run_onnx.add_argument("file", type=Path, help="an exported policy.onnx")
    run_onnx.add_argument(
        "--steps", type=int, default=1000, help="random observations to run it on (latency)"
    )
