"""``robodrl export RUN``: a run's policy to one verified ONNX file."""

from __future__ import annotations

import argparse
from pathlib import Path


def add(sub: argparse._SubParsersAction) -> None:
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


def run(args: argparse.Namespace) -> None:
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
