"""``OnnxPolicy``: raw observations in, actuator commands out, checked and timed.

Imports only numpy, onnxruntime and the standard library (no torch, MuJoCo, Gymnasium or
Stable-Baselines3), so it runs on a robot's onboard computer.
"""

from __future__ import annotations

import time
from collections import deque
from pathlib import Path
from typing import Literal

import numpy as np
import onnxruntime as ort

from robodrl.runtime.metadata import REQUIRED_METADATA, RuntimePolicyError, check_metadata

__all__ = ["REQUIRED_METADATA", "OnnxPolicy", "RuntimePolicyError"]

SafeAction = Literal["zero_action", "hold_last"]


class OnnxPolicy:
    """An exported robodrl policy, ready to be called at the control rate.

    ``act(obs)`` takes raw float32 observations, ``(obs_dim,)`` or ``(batch, obs_dim)``, and
    returns commands in actuator units. A row with NaN / inf is not fed to the network: it gets
    the safe action (``zero_action``: the policy action 0, i.e. the centre of each control
    range; ``hold_last``: the previous command of that row, the centre before any) and
    ``faults`` counts it. Sessions run on one thread by default for predictable latency.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        safe_action: SafeAction = "zero_action",
        threads: int = 1,
        latency_window: int = 1000,
    ) -> None:
        if safe_action not in ("zero_action", "hold_last"):
            raise RuntimePolicyError(
                f"safe_action={safe_action!r} is not valid; use 'zero_action' or 'hold_last'"
            )
        self.path = Path(path)
        if not self.path.is_file():
            raise RuntimePolicyError(f"{self.path}: no such policy file")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        try:
            self.session = ort.InferenceSession(
                str(self.path), options, providers=["CPUExecutionProvider"]
            )
        except Exception as err:  # onnxruntime raises its own exception types
            raise RuntimePolicyError(f"{self.path}: not a loadable ONNX model: {err}") from None
        meta = dict(self.session.get_modelmeta().custom_metadata_map)
        self.checked = check_metadata(self.path, meta, self.session)
        self.metadata = meta
        self.obs_dim, self.act_dim = self.checked.obs_dim, self.checked.act_dim
        self.ctrl_low, self.ctrl_high = self.checked.ctrl_low, self.checked.ctrl_high
        self.obs_layout = self.checked.obs_layout
        self.actuator_names = self.checked.actuator_names
        self.control_dt = self.checked.control_dt
        self.safe_action = safe_action
        self.neutral = ((self.ctrl_low + self.ctrl_high) / 2).astype(np.float32)
        self.last_action: np.ndarray | None = None
        self.faults = 0
        self.guarded = any(o.name == "fault" for o in self.session.get_outputs())
        self.latencies_s: deque[float] = deque(maxlen=latency_window)

    def act(self, obs: np.ndarray) -> np.ndarray:
        """Commands in actuator units for raw observations (see class docstring)."""
        batch, single = check_observation(obs, self.obs_dim, self.metadata["env_id"])
        start = time.perf_counter()
        finite = np.isfinite(batch).all(axis=1)
        if finite.all():
            action = self.session.run(["action"], {"obs": np.ascontiguousarray(batch)})[0]
        else:
            self.faults += int((~finite).sum())
            action = np.empty((batch.shape[0], self.act_dim), dtype=np.float32)
            action[~finite] = self._safe(batch.shape[0])[~finite]
            if finite.any():
                good = np.ascontiguousarray(batch[finite])
                action[finite] = self.session.run(["action"], {"obs": good})[0]
        self.latencies_s.append(time.perf_counter() - start)
        self.last_action = action.copy()
        return action[0] if single else action

    def act_guarded(self, obs: np.ndarray) -> tuple[np.ndarray, bool]:
        """One observation ``(obs_dim,)`` through the graph as it is, NaN / inf included: the
        command and the graph's own ``fault`` output (a file without one: whether the
        observation was not finite, with the centre of each range as the command)."""
        batch, _ = check_observation(obs, self.obs_dim, self.metadata["env_id"])
        start = time.perf_counter()
        if self.guarded:
            action, fault = self.session.run(["action", "fault"], {"obs": batch})
            action, fault = action[0], bool(fault[0, 0])
        elif np.isfinite(batch).all():
            action, fault = self.session.run(["action"], {"obs": batch})[0][0], False
        else:
            action, fault = self.neutral.copy(), True
        self.latencies_s.append(time.perf_counter() - start)
        self.faults += int(fault)
        return action, fault

    def _safe(self, rows: int) -> np.ndarray:
        held = self.last_action
        if self.safe_action == "hold_last" and held is not None and held.shape[0] == rows:
            return held
        return np.tile(self.neutral, (rows, 1))

    def latency_ms(self) -> dict[str, float]:
        """p50 / p99 / max of recent ``act`` calls, in milliseconds."""
        return latency_summary(self.latencies_s)


def check_observation(obs: object, obs_dim: int, env_id: str) -> tuple[np.ndarray, bool]:
    """A float32 observation ``(obs_dim,)`` or ``(batch, obs_dim)`` as a batch, and whether it
    was a single one; anything else is an error saying what would be valid."""
    if not isinstance(obs, np.ndarray):
        raise RuntimePolicyError(f"observation must be a numpy array, got {type(obs).__name__}")
    if obs.dtype != np.float32:
        raise RuntimePolicyError(
            f"observation dtype is {obs.dtype}; expected float32 (cast with obs.astype(np.float32))"
        )
    single = obs.ndim == 1
    batch = obs[None] if single else obs
    if batch.ndim != 2 or batch.shape[1] != obs_dim:
        raise RuntimePolicyError(
            f"observation shape is {obs.shape}; expected ({obs_dim},) or "
            f"(batch, {obs_dim}) for {env_id}"
        )
    return batch, single


def latency_summary(latencies_s: deque[float]) -> dict[str, float]:
    """p50 / p99 / max of call durations (seconds in), in milliseconds, and their count."""
    if not latencies_s:
        return {"p50": float("nan"), "p99": float("nan"), "max": float("nan"), "calls": 0}
    values = np.asarray(latencies_s) * 1e3
    return {
        "p50": float(np.percentile(values, 50)),
        "p99": float(np.percentile(values, 99)),
        "max": float(values.max()),
        "calls": len(values),
    }
