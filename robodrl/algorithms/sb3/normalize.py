"""Observation normalization that travels with the policy, saved as plain numbers (JSON).

It is SB3's ``VecNormalize`` (so off-policy replay buffers keep raw observations and normalize
at sampling time) with rewards left alone and its statistics saved and restored as JSON,
never pickled. ``robodrl.policy.normalize`` applies the saved statistics outside training.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from stable_baselines3.common.vec_env import VecEnv, VecNormalize

from robodrl.errors import ConfigError


class ObservationNormalizer(VecNormalize):
    """Running mean / variance of observations; obs → clip((obs - mean) / sqrt(var + eps))."""

    def __init__(self, venv: VecEnv, *, clip: float = 10.0, epsilon: float = 1e-8) -> None:
        super().__init__(
            venv, training=True, norm_obs=True, norm_reward=False, clip_obs=clip, epsilon=epsilon
        )

    def state_dict(self) -> dict[str, Any]:
        """The statistics as plain numbers (exact: JSON floats round-trip)."""
        return {
            "mean": self.obs_rms.mean.tolist(),
            "var": self.obs_rms.var.tolist(),
            "count": float(self.obs_rms.count),
            "clip": float(self.clip_obs),
            "epsilon": float(self.epsilon),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict`; the shape must match the observation."""
        mean, var = np.asarray(state["mean"], np.float64), np.asarray(state["var"], np.float64)
        if mean.shape != self.obs_rms.mean.shape or var.shape != mean.shape:
            raise ConfigError(
                f"normalizer statistics have shape {mean.shape}, the observation "
                f"{self.obs_rms.mean.shape}"
            )
        self.obs_rms.mean, self.obs_rms.var = mean, var
        self.obs_rms.count = float(state["count"])
        self.clip_obs, self.epsilon = float(state["clip"]), float(state["epsilon"])
