"""Gymnasium spaces of a batched env: actions in [-1, 1], float32 observations."""

from __future__ import annotations

import numpy as np
from gymnasium import spaces

from robodrl.envs.core import BatchedEnv


def observation_space(core: BatchedEnv) -> spaces.Box:
    """Unbounded float32 box of one simulation's observation."""
    return spaces.Box(-np.inf, np.inf, shape=(core.obs_dim,), dtype=np.float32)


def action_space(core: BatchedEnv) -> spaces.Box:
    """Normalized action box [-1, 1] of one simulation (mapped to ctrlrange by the core)."""
    return spaces.Box(-1.0, 1.0, shape=(core.action_dim,), dtype=np.float32)
