"""``robodrl eval POLICY... --sweep SWEEP``: robustness sweeps of runs, ONNX files and planners."""

from __future__ import annotations

import argparse
from pathlib import Path


def add(sub: argparse._SubParsersAction) -> None:
    """``robodrl eval``: robustness sweeps of runs, ONNX files and planners."""
    evaluate = sub.add_parser("eval", help="robustness sweep of policies, with a report")
    evaluate.add_argument(
        "policies", nargs="+", help="run directories, exported .onnx files or planner YAML files"
    )
    evaluate.add_argument(
        "--sweep",
        required=True,
        help="sweep YAML, or the name of one of the task's sweeps (robodrl sweeps TASK)",
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


def run(args: argparse.Namespace) -> None:
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
