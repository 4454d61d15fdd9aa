"""The deploy loop's own cost per control step next to bare onnxruntime inference.

Runs ``robodrl deploy POLICY --robot sim`` for ``--seconds`` and reads, per step, the loop's
compute time (read the robot, the watchdog and guards, build the observation, the policy, the
clamps, write) and the policy call's time; then times a bare ``InferenceSession.run`` of the
same file at batch 1, one thread, in this process, back to back and one call per 20 ms
(caches and clocks cool between calls at a control rate, in the loop and out of it). Prints
p50 / p99 of each and the ratios.

    python benchmarks/deploy_overhead.py POLICY.onnx --seconds 20
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort
from deploy_vs_eval import run_deploy  # this folder's


def loop_times(policy: Path, seconds: float) -> dict[str, np.ndarray]:
    _, out = run_deploy(policy, ["--seconds", str(seconds), "--no-probe"])
    rows = list(csv.DictReader((out / "deploy.csv").open()))
    return {
        key: np.array([float(r[key]) for r in rows if r.get(key)])
        for key in ("compute_ms", "inference_ms", "late_ms")
    }


def bare_times(policy: Path, calls: int, pause: float = 0.0) -> np.ndarray:
    """Batch-1 calls of a bare session, back to back or ``pause`` s apart (a control rate:
    caches and clocks cool between calls, as in the loop)."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    session = ort.InferenceSession(str(policy), options, providers=["CPUExecutionProvider"])
    obs_dim = session.get_inputs()[0].shape[1]
    obs = np.random.default_rng(0).normal(size=(1, obs_dim)).astype(np.float32)
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        session.run(["action"], {"obs": obs})
        times.append(time.perf_counter() - start)
        if pause:
            time.sleep(pause)
    return np.array(times) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("policy", type=Path)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--calls", type=int, default=10_000)
    args = parser.parse_args()
    loop = loop_times(args.policy, args.seconds)
    bare = bare_times(args.policy, args.calls)
    paced = bare_times(args.policy, len(loop["compute_ms"]), pause=0.02)
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; "
        f"{len(loop['compute_ms'])} loop steps, {args.calls} bare calls (batch 1, 1 thread)"
    )
    print("| | p50 ms | p99 ms | p50 / bare |")
    print("|---|---:|---:|---:|")
    reference = float(np.percentile(bare, 50))
    for name, values in (
        ("bare onnxruntime run", bare),
        ("bare onnxruntime run, one per 20 ms", paced),
        ("policy call in the loop", loop["inference_ms"]),
        ("whole loop step", loop["compute_ms"]),
    ):
        p50, p99 = np.percentile(values, 50), np.percentile(values, 99)
        print(f"| {name} | {p50:.3f} | {p99:.3f} | {p50 / reference:.1f}x |")
    late = loop["late_ms"]
    print(
        f"lateness at the deadline: p50 {np.percentile(late, 50):.3f} ms, p99 "
        f"{np.percentile(late, 99):.3f} ms, max {late.max():.3f} ms"
    )


if __name__ == "__main__":
    main()
