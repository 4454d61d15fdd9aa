"""Write a policy as an ONNX graph: normalization, the deterministic actor, action squashing,
scaling to actuator units and clipping, built node by node from the trained weights.

Building the graph directly (instead of tracing torch) keeps it small, exact and free of
exporter versions; the parity gate (``verify.py``) checks it against the torch policy.
"""

from __future__ import annotations

import json

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from robodrl.errors import RobodrlError
from robodrl.policy import Layer

OPSET = 17
IR_VERSION = 8


class ExportError(RobodrlError, RuntimeError):
    """A policy that cannot be exported, or an export that failed its checks."""


def _const(name: str, value: np.ndarray | float, inits: list, dtype=np.float32) -> str:
    inits.append(numpy_helper.from_array(np.asarray(value, dtype=dtype), name))
    return name


def _const64(name: str, value: np.ndarray | float, inits: list) -> str:
    return _const(name, value, inits, np.float64)


def build_onnx(
    layers: list[Layer],
    *,
    obs_dim: int,
    act_dim: int,
    normalizer: dict | None,
    squash: bool,
    ctrl_low: np.ndarray,
    ctrl_high: np.ndarray,
    metadata: dict[str, str],
    bare: bool = False,
) -> onnx.ModelProto:
    """The policy graph ``obs [batch, obs_dim] → action [batch, act_dim]`` (float32), plus
    ``fault [batch, 1]`` (bool): a row with a NaN / inf observation gets the safe command (the
    centre of each control range, i.e. policy action 0) instead of what the network gives.

    ``bare=True`` leaves out normalization, the fault guard, squashing, scaling and clipping:
    the network alone, for latency comparisons.
    """
    nodes, inits = [], []
    x = "obs"

    def node(op: str, inputs: list[str], **attrs) -> str:
        out = f"{op.lower()}_{len(nodes)}"
        nodes.append(helper.make_node(op, inputs, [out], **attrs))
        return out

    double, single = TensorProto.DOUBLE, TensorProto.FLOAT
    if not layers:
        raise ExportError("the actor network has no layers")
    if normalizer is not None and not bare:
        # in float64, as the training stack does: a small std must not magnify float32 rounding
        mean = np.asarray(normalizer["mean"], dtype=np.float64)
        std = np.sqrt(np.asarray(normalizer["var"], dtype=np.float64) + normalizer["epsilon"])
        clip = normalizer["clip"]
        x = node("Cast", [x], to=double)
        x = node("Sub", [x, _const64("obs_mean", mean, inits)])
        x = node("Div", [x, _const64("obs_std", std, inits)])
        low, high = _const64("obs_clip_low", -clip, inits), _const64("obs_clip_high", clip, inits)
        x = node("Clip", [x, low, high])
        x = node("Cast", [x], to=single)
    low, high = np.asarray(ctrl_low, np.float64), np.asarray(ctrl_high, np.float64)
    half, centre = (high - low) / 2, (high + low) / 2
    # a linear last layer absorbs the mapping to actuator units: ctrl = centre + half * (W x + b).
    # Clipping the action to [-1, 1] before that map equals clipping ctrl to [low, high] after it.
    fold = not bare and not squash and layers[-1].kind == "linear"
    for i, layer in enumerate(layers):
        if layer.kind == "linear":
            weight, bias = layer.weight, layer.bias
            if fold and i == len(layers) - 1:
                weight = half[:, None] * weight.astype(np.float64)
                bias = half * bias.astype(np.float64) + centre
            w, b = _const(f"w{i}", weight, inits), _const(f"b{i}", bias, inits)
            x = node("Gemm", [x, w, b], transB=1)
        elif layer.kind == "elu":
            x = node("Elu", [x], alpha=layer.alpha)
        else:
            x = node({"tanh": "Tanh", "relu": "Relu"}[layer.kind], [x])
    if not bare:
        if not fold:
            if squash:
                x = node("Tanh", [x])
            x = node("Mul", [x, _const("ctrl_half_range", half, inits)])
            x = node("Add", [x, _const("ctrl_centre", centre, inits)])
        # per-actuator bounds: Max / Min (Clip takes scalar bounds only)
        x = node("Max", [x, _const("ctrl_low", low, inits)])
        x = node("Min", [x, _const("ctrl_high", high, inits)])
        # fault guard: 0 * obs is 0 for a finite entry and NaN for NaN / inf, so a row's sum of
        # it is NaN exactly when the row holds a non-finite value (no overflow on large ones)
        zeroed = node("Mul", ["obs", _const("zero", 0.0, inits)])
        axis = _const("obs_axis", np.array([1]), inits, np.int64)
        fault = node("IsNaN", [node("ReduceSum", [zeroed, axis], keepdims=1)])
        x = node("Where", [fault, _const("safe_command", centre, inits), x])
    nodes[-1].output[0] = "action"
    outputs = [helper.make_tensor_value_info("action", TensorProto.FLOAT, ["batch", act_dim])]
    if not bare:
        nodes[-2].output[0] = "fault"  # IsNaN
        nodes[-1].input[0] = "fault"
        outputs.append(helper.make_tensor_value_info("fault", TensorProto.BOOL, ["batch", 1]))
    graph = helper.make_graph(
        nodes,
        "robodrl_policy",
        [helper.make_tensor_value_info("obs", TensorProto.FLOAT, ["batch", obs_dim])],
        outputs,
        inits,
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name=metadata.get("producer", "robodrl"),
        producer_version=metadata.get("producer_version", ""),
    )
    model.ir_version = IR_VERSION
    helper.set_model_props(model, metadata)
    onnx.checker.check_model(model, full_check=True)
    return model


def metadata_strings(values: dict) -> dict[str, str]:
    """Metadata values as ONNX ``metadata_props`` strings (JSON for structures)."""
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}
