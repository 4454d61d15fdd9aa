"""``robodrl render POLICY --out FILE``: an offscreen video of a policy."""

from __future__ import annotations

import argparse
from pathlib import Path


def add(sub: argparse._SubParsersAction) -> None:
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


def run(args: argparse.Namespace) -> None:
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
