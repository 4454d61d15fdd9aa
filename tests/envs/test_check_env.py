"""Gymnasium's and Stable-Baselines3's environment checkers pass on every registered id."""

from __future__ import annotations

import warnings

import gymnasium
from gymnasium.utils.env_checker import check_env as gym_check_env
from stable_baselines3.common.env_checker import check_env as sb3_check_env

import robodrl  # noqa: F401  (registers the ids)

# Warnings the checkers may emit that are expected for robodrl envs, with why:
ALLOWED_WARNINGS = (
    # Observations are unbounded (-inf, inf) float32 boxes, as in Gymnasium's own MuJoCo envs:
    # joint velocities and contact forces have no physical bound worth declaring. Trainers
    # normalize observations instead.
    "Box observation space minimum value is -infinity",
    "Box observation space maximum value is infinity",
    # Old versions kept for exact reproduction of old runs (ArmPush-v0, v1): Gymnasium points their
    # users to the newer version, as it should.
    "is out of date. You should consider upgrading to version",
)


def _unexpected(caught: list[warnings.WarningMessage]) -> list[str]:
    messages = [str(w.message) for w in caught]
    return [m for m in messages if not any(allowed in m for allowed in ALLOWED_WARNINGS)]


def test_gymnasium_check_env(env_id: str) -> None:
    env = gymnasium.make(env_id)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gym_check_env(env.unwrapped, skip_render_check=True)
    assert _unexpected(caught) == []


def test_sb3_check_env(env_id: str) -> None:
    env = gymnasium.make(env_id)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sb3_check_env(env.unwrapped, warn=True)
    assert _unexpected(caught) == []


def test_gymnasium_make_passive_checker_wraps_without_warnings(env_id: str) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        env = gymnasium.make(env_id)
        env.reset(seed=0)
        for _ in range(5):
            env.step(env.action_space.sample())
    assert _unexpected(caught) == []
