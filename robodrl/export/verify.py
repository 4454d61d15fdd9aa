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
CLOSED_LOOP_ABS_TOL = 1.0  # ... or absolute, whichever is larger ...
#: ... or this many standard errors of the paired per-episode differences: float32 against
#: float64 arithmetic moves a barely balancing policy's fall by a few steps, and the episode's
#: return with it (an untrained legged team: 4 of 8 episodes identical, the rest falling 50-250
#: steps apart, a 12% difference of the means); a wrong file differs in every episode alike
CLOSED_LOOP_STANDARD_ERRORS = 3.0


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


def closed_loop_verdict(torch_returns: np.ndarray, onnx_returns: np.ndarray) -> dict[str, Any]:
    """Whether the file's per-episode returns match torch's (same seeds, paired): the means
    within 5% (or 1.0), or within 3 standard errors of the paired differences, where the two
    stacks' rounding alone moved when a barely balancing robot fell."""
    differences = onnx_returns - torch_returns
    n = len(differences)
    spread = float(differences.std(ddof=1) / np.sqrt(n)) if n > 1 else 0.0
    tolerance = max(
        CLOSED_LOOP_ABS_TOL,
        CLOSED_LOOP_REL_TOL * abs(float(torch_returns.mean())),
        CLOSED_LOOP_STANDARD_ERRORS * spread,
    )
    return {
        "tolerance": tolerance,
        "standard_error": spread,
        "passed": abs(float(differences.mean())) <= tolerance,
    }


def _returns(
    env_kwargs: dict[str, Any], episodes: int, command: Callable[[np.ndarray, Any], np.ndarray]
) -> np.ndarray:
    """Return of one episode per simulation, driven by ``command(obs, core)`` (actuator units,
    mapped back to policy actions as the env expects)."""
    core = make_core(**env_kwargs, num_envs=episodes, autoreset=False)
    stats = run_episodes(
        core, lambda obs: np.clip(core.ctrl_to_action(command(obs, core)), -1.0, 1.0)
    )
    return np.asarray(stats.returns, dtype=np.float64)


def closed_loop(
    policy: Policy, runtime: Any, env_kwargs: dict[str, Any], *, episodes: int = 8
) -> dict[str, Any]:
    """Returns of the exported file(s) through the runtime (an ``OnnxPolicy`` or an
    ``OnnxTeam``: robot observations in, commands out) and of torch, same seeds."""
    returns = {
        "torch": _returns(
            env_kwargs, episodes, lambda obs, core: torch_commands(policy, obs, core)
        ),
        "onnx": _returns(
            env_kwargs, episodes, lambda obs, core: runtime.act(obs).astype(np.float64)
        ),
    }
    return {
        "episodes": episodes,
        "torch_mean_return": float(returns["torch"].mean()),
        "onnx_mean_return": float(returns["onnx"].mean()),
        **closed_loop_verdict(returns["torch"], returns["onnx"]),
        "latency_ms": runtime.latency_ms(),
    }
