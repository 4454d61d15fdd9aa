"""Batch-1 latency of an exported policy next to the bare network ONNX and torch eager, one
thread each, measured in one run (``robodrl bench export``, ``benchmarks/export_latency.py``)."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import onnxruntime as ort
import torch

from robodrl.export.graph import build_onnx, metadata_strings
from robodrl.policy import Layer, TrainedPolicy


def _percentiles(call: Callable[[], object], calls: int) -> dict[str, float]:
    for _ in range(200):  # warm-up
        call()
    samples = np.empty(calls)
    for i in range(calls):
        start = time.perf_counter()
        call()
        samples[i] = time.perf_counter() - start
    samples *= 1e3
    return {
        "p50_ms": float(np.percentile(samples, 50)),
        "p99_ms": float(np.percentile(samples, 99)),
    }


def _session(path: Path) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def without_fault_guard(model: onnx.ModelProto) -> onnx.ModelProto:
    """The exported graph minus its NaN / inf guard (to measure what the guard costs)."""
    nodes = list(model.graph.node)
    producer = {n.output[0]: n for n in nodes}
    where, is_nan = producer["action"], producer["fault"]
    reduce_sum = producer[is_nan.input[0]]
    guard = {id(where), id(is_nan), id(reduce_sum), id(producer[reduce_sum.input[0]])}
    producer[where.input[2]].output[0] = "action"  # the clipped command is the output again
    del model.graph.node[:]
    model.graph.node.extend(n for n in nodes if id(n) not in guard)
    del model.graph.output[1:]
    used = {name for n in model.graph.node for name in n.input}
    kept = [init for init in model.graph.initializer if init.name in used]
    del model.graph.initializer[:]
    model.graph.initializer.extend(kept)
    return model


def torch_actor(layers: list[Layer]) -> torch.nn.Sequential:
    """The actor network's layers as a torch module (for a torch-eager reference)."""
    modules: list[torch.nn.Module] = []
    for layer in layers:
        if layer.kind == "linear":
            linear = torch.nn.Linear(layer.weight.shape[1], layer.weight.shape[0])
            linear.weight.data = torch.as_tensor(layer.weight)
            linear.bias.data = torch.as_tensor(layer.bias)
            modules.append(linear)
        elif layer.kind == "elu":
            modules.append(torch.nn.ELU(layer.alpha))
        else:
            modules.append({"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU}[layer.kind]())
    return torch.nn.Sequential(*modules).eval()


def measure(
    policy: TrainedPolicy, policy_file: Path, *, obs_dim: int, calls: int = 5000
) -> dict[str, Any]:
    """p50 / p99 (ms) of: the exported graph, the bare network as ONNX, torch eager, and the
    training stack's deterministic action (for SB3: ``predict``)."""
    torch.set_num_threads(1)
    layers = policy.network.layers
    act_dim = layers[-1].weight.shape[0]
    with tempfile.TemporaryDirectory() as folder:
        bare_path = Path(folder) / "bare.onnx"
        bare = build_onnx(
            layers,
            obs_dim=obs_dim,
            act_dim=act_dim,
            normalizer=None,
            squash=False,
            ctrl_low=np.zeros(act_dim),
            ctrl_high=np.zeros(act_dim),
            metadata=metadata_strings({"producer": "robodrl"}),
            bare=True,
        )
        bare_path.write_bytes(bare.SerializeToString())
        exported, bare_session = _session(policy_file), _session(bare_path)
        obs = np.random.default_rng(0).normal(size=(1, obs_dim)).astype(np.float32)
        obs_tensor = torch.as_tensor(obs)
        actor = torch_actor(layers)

        def torch_eager() -> None:
            with torch.no_grad():
                actor(obs_tensor)

        unguarded_path = Path(folder) / "unguarded.onnx"
        onnx.save(without_fault_guard(onnx.load(policy_file)), unguarded_path)
        unguarded = _session(unguarded_path)
        results = {
            "exported_onnx": _percentiles(lambda: exported.run(None, {"obs": obs}), calls),
            "exported_without_fault_guard": _percentiles(
                lambda: unguarded.run(None, {"obs": obs}), calls
            ),
            "bare_mlp_onnx": _percentiles(lambda: bare_session.run(None, {"obs": obs}), calls),
            "torch_eager_actor": _percentiles(torch_eager, calls),
            "training_stack_act": _percentiles(lambda: policy.act(obs), calls),
        }
    exported_p50 = results["exported_onnx"]["p50_ms"]
    results["exported_over_bare_p50"] = exported_p50 / results["bare_mlp_onnx"]["p50_ms"]
    unguarded_p50 = results["exported_without_fault_guard"]["p50_ms"]
    results["fault_guard_cost_p50_us"] = (exported_p50 - unguarded_p50) * 1e3
    results["torch_actor_over_exported_p50"] = results["torch_eager_actor"]["p50_ms"] / exported_p50
    stack_p50 = results["training_stack_act"]["p50_ms"]
    results["training_stack_over_exported_p50"] = stack_p50 / exported_p50
    return results
