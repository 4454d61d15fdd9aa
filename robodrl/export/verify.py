"""The export gates: onnxruntime against the torch policy (parity), batch-1 against batch-N, and
the exported file driving the simulation as well as torch does (closed loop)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort

from robodrl.envs.episodes import run_episodes
from robodrl.make import make_core
from robodrl.policy import Policy

PARITY_ABS_TOL = 1e-5  # actuator units, observations within and around the recorded range
FAR_REL_TOL = 1e-4  # relative, observations 100x outside the recorded range
BATCH_TOL = 1e-6  # batch-1 against batch-N, actuator units
CLOSED_LOOP_REL_TOL = 0.05  # mean return, exported vs torch, relative ...
CLOSED_LOOP_ABS_TOL = 1.0  # ... or absolute, whichever is larger


def torch_commands(policy: Policy, obs: np.ndarray, core) -> np.ndarray:
    """The training stack's command for raw observations: the policy's deterministic action
    (for SB3: normalize, ``predict``, clip to the action box), mapped to actuator units."""
    ctrl = core.action_to_ctrl(policy.act(obs))
    return np.clip(ctrl, core.ctrl_low, core.ctrl_high)


def record_observations(
    policy: Policy, env_kwargs: dict[str, Any], *, steps: int
) -> tuple[np.ndarray, Any]:
    """Raw observations of the torch policy acting in the simulation (16 simulations)."""
    core = make_core(**env_kwargs, num_envs=16)
    obs, recorded = core.reset(), []
    for _ in range(steps // 16 + 1):
        recorded.append(obs)
        obs, *_ = core.step(policy.act(obs))
    return np.concatenate(recorded)[:steps].astype(np.float32), core


def parity(policy: Policy, onnx_path: Path, env_kwargs: dict[str, Any]) -> dict[str, Any]:
    """Compare onnxruntime with torch on recorded, sampled and far-out observations."""
    recorded, core = record_observations(policy, env_kwargs, steps=6000)
    return compare(onnx_path, recorded, lambda obs: torch_commands(policy, obs, core))


def compare(
    onnx_path: Path, recorded: np.ndarray, reference: Callable[[np.ndarray], np.ndarray]
) -> dict[str, Any]:
    """The parity gate: the file's commands against ``reference`` (the training stack's, in
    actuator units) on ``recorded`` observations, samples around them and far outside."""
    rng = np.random.default_rng(0)
    low, high = recorded.min(axis=0), recorded.max(axis=0)
    margin = 0.1 * (high - low) + 1e-3
    sampled = rng.uniform(low - margin, high + margin, (4000, recorded.shape[1]))
    centre = (low + high) / 2
    far = centre + 100.0 * (rng.uniform(low, high, (1000, recorded.shape[1])) - centre)
    near = np.concatenate([recorded, sampled]).astype(np.float32)
    far = far.astype(np.float32)

    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    run = lambda x: session.run(["action"], {"obs": x})[0].astype(np.float64)  # noqa: E731
    near_diff = np.abs(run(near) - reference(near))
    far_ref = reference(far)
    far_rel = np.abs(run(far) - far_ref) / np.maximum(1.0, np.abs(far_ref))
    batched = run(near[:256])
    single = np.concatenate([run(near[i : i + 1]) for i in range(256)])
    batch_diff = float(np.abs(batched - single).max())
    result = {
        "observations": int(len(near) + len(far)),
        "max_abs_diff": float(near_diff.max()),
        "max_rel_diff_100x_outside": float(far_rel.max()),
        "max_batch1_vs_batchN_diff": batch_diff,
        "tolerances": {"abs": PARITY_ABS_TOL, "rel_100x": FAR_REL_TOL, "batch": BATCH_TOL},
    }
    result["passed"] = bool(
        result["max_abs_diff"] <= PARITY_ABS_TOL
        and result["max_rel_diff_100x_outside"] <= FAR_REL_TOL
        and batch_diff <= BATCH_TOL
    )
    return result


def _mean_return(
    env_kwargs: dict[str, Any], episodes: int, command: Callable[[np.ndarray, Any], np.ndarray]
) -> float:
    """Mean return of one episode per simulation, driven by ``command(obs, core)`` (actuator
    units, mapped back to policy actions as the env expects)."""
    core = make_core(**env_kwargs, num_envs=episodes, autoreset=False)
    stats = run_episodes(
        core, lambda obs: np.clip(core.ctrl_to_action(command(obs, core)), -1.0, 1.0)
    )
    return float(stats.returns.mean())


def closed_loop(
    policy: Policy, runtime: Any, env_kwargs: dict[str, Any], *, episodes: int = 8
) -> dict[str, Any]:
    """Mean return of the exported file(s) through the runtime (an ``OnnxPolicy`` or an
    ``OnnxTeam``: robot observations in, commands out) and of torch, same seeds."""
    returns = {
        "torch": _mean_return(
            env_kwargs, episodes, lambda obs, core: torch_commands(policy, obs, core)
        ),
        "onnx": _mean_return(
            env_kwargs, episodes, lambda obs, core: runtime.act(obs).astype(np.float64)
        ),
    }
    tolerance = max(CLOSED_LOOP_ABS_TOL, CLOSED_LOOP_REL_TOL * abs(returns["torch"]))
    return {
        "episodes": episodes,
        "torch_mean_return": returns["torch"],
        "onnx_mean_return": returns["onnx"],
        "tolerance": tolerance,
        "passed": abs(returns["onnx"] - returns["torch"]) <= tolerance,
        "latency_ms": runtime.latency_ms(),
    }
