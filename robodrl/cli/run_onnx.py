"""``robodrl run-onnx FILE``: smoke-test an exported policy with the onboard runtime."""

from __future__ import annotations

import argparse
from pathlib import Path

from robodrl.errors import ConfigError


def add(sub: argparse._SubParsersAction) -> None:
    """``robodrl run-onnx``: smoke-test an exported policy with the onboard runtime."""
    run_onnx = sub.add_parser("run-onnx", help="smoke-test an exported policy with the runtime")
    run_onnx.add_argument("file", type=Path, help="an exported policy.onnx")
    run_onnx.add_argument(
        "--steps", type=int, default=1000, help="random observations to run it on (latency)"
    )


def run(args: argparse.Namespace) -> None:
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
