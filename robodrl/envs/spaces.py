"""Gymnasium spaces of a batched env (actions in [-1, 1], float32 observations), and the
actions of a multi-agent env checked agent by agent."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from gymnasium import spaces

from robodrl.envs.core import BatchedEnv
from robodrl.errors import InvalidActionError


def observation_space(core: BatchedEnv) -> spaces.Box:
    """Unbounded float32 box of one simulation's observation."""
    return spaces.Box(-np.inf, np.inf, shape=(core.obs_dim,), dtype=np.float32)


def action_space(core: BatchedEnv) -> spaces.Box:
    """Normalized action box [-1, 1] of one simulation (mapped to ctrlrange by the core)."""
    return spaces.Box(-1.0, 1.0, shape=(core.action_dim,), dtype=np.float32)


def agent_actions(
    actions: Any, shapes: dict[str, tuple[int, ...]], hints: dict[str, str] | None = None
) -> dict[str, np.ndarray]:
    """One float64 action per agent from a mapping agent → action, each of ``shapes[agent]``;
    a missing or unknown agent, or a value of another shape, is an error naming the agent
    (``hints[agent]`` is added to a shape error, e.g. its actuator names)."""
    agents = list(shapes)
    if not isinstance(actions, Mapping):
        raise InvalidActionError(
            f"actions must be a mapping agent → action, got {type(actions).__name__}; "
            f"agents: {agents}"
        )
    unknown = sorted(set(actions) - set(agents), key=str)
    if unknown:
        raise InvalidActionError(f"unknown agents {unknown}; agents: {agents}")
    found = {}
    for agent, shape in shapes.items():
        if agent not in actions:
            raise InvalidActionError(f"no action for agent {agent!r}; agents: {agents}")
        try:
            action = np.asarray(actions[agent], dtype=np.float64)
        except (TypeError, ValueError) as err:
            raise InvalidActionError(f"action of agent {agent!r}: {err}") from None
        if action.shape != shape:
            hint = f" ({hints[agent]})" if hints else ""
            raise InvalidActionError(
                f"action of agent {agent!r} has shape {action.shape}; expected {shape}{hint}"
            )
        found[agent] = action
    return found
