"""Shared fixtures: every registered id, and a helper to roll out a core with fixed actions."""

from __future__ import annotations

import os

os.environ.setdefault("MUJOCO_GL", "egl")  # offscreen rendering; must precede importing MuJoCo

import numpy as np
import pytest

import robodrl

ENV_IDS = robodrl.env_ids()

#: hyperparameters small enough to train every algorithm for a few hundred steps in a test
TINY_HYPERPARAMETERS = {
    "ppo": {"n_steps": 64, "batch_size": 128, "n_epochs": 2},
    "a2c": {"n_steps": 8},
    "trpo": {"n_steps": 128, "batch_size": 128},
    "sac": {"learning_starts": 200, "batch_size": 64, "buffer_size": 2000},
    "td3": {"learning_starts": 200, "batch_size": 64, "buffer_size": 2000},
    "ddpg": {"learning_starts": 200, "batch_size": 64, "buffer_size": 2000},
}


@pytest.fixture(params=ENV_IDS)
def env_id(request: pytest.FixtureRequest) -> str:
    return request.param


def action_sequence(num_steps: int, num_envs: int, action_dim: int, seed: int = 123) -> np.ndarray:
    """A fixed sequence of random actions in [-1, 1], ``(num_steps, num_envs, action_dim)``."""
    return np.random.default_rng(seed).uniform(-1, 1, (num_steps, num_envs, action_dim))
