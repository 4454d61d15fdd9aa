"""``robodrl bench export RUN``: benchmarks of robodrl's own artifacts."""

from __future__ import annotations

import argparse
from pathlib import Path


def add(sub: argparse._SubParsersAction) -> None:
    """``robodrl bench``: benchmarks of robodrl's own artifacts."""
    bench = sub.add_parser("bench", help="benchmarks of robodrl's own artifacts")
    bench.add_argument("what", choices=["export"], help="export: batch-1 latency of a run's policy")
    bench.add_argument("run", help="run directory")
    bench.add_argument(
        "--trust", action="store_true", help="load a run whose signature does not verify"
    )


def bench_export(run: Path, out: Path, *, calls: int = 5000, trust: bool = False) -> dict:
    """Export ``run`` to ``out`` and measure its batch-1 latency against the references."""
    from robodrl.export.exporter import export_run, load_trained, open_run
    from robodrl.export.latency import measure

    opened = open_run(run, trust=trust)
    out, manifest = export_run(opened, out)
    policy = load_trained(opened)  # the checkpoint export_run used ("best")
    return measure(policy, out / "policy.onnx", obs_dim=manifest["obs_dim"], calls=calls)


def run(args: argparse.Namespace) -> None:
    import json
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        result = bench_export(Path(args.run), Path(folder) / "export", trust=args.trust)
    print(json.dumps(result, indent=2))
