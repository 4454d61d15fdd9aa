"""Observation normalization that travels with the policy, saved as plain numbers (JSON), and
reward scaling for learning only.

It is SB3's ``VecNormalize`` (so off-policy replay buffers keep raw observations and rewards and
normalize at sampling time) with its statistics saved and restored as JSON, never pickled.
``robodrl.policy.normalize`` applies the saved observation statistics outside training. Reward
scaling (``normalize.rewards``) divides each reward by the running std of the discounted return;
its statistics belong to the training run (checkpoints), not to the policy.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from stable_baselines3.common.vec_env import VecEnv, VecNormalize

from robodrl.errors import ConfigError


class ObservationNormalizer(VecNormalize):
    """Running mean / variance of observations; obs → clip((obs - mean) / sqrt(var + eps)).
    With ``rewards``: reward → clip(reward / sqrt(var(discounted return) + eps)), the return
    discounted by ``gamma``; with ``observations`` False the observations pass unchanged."""

    def __init__(
        self,
        venv: VecEnv,
        *,
        clip: float = 10.0,
        epsilon: float = 1e-8,
        observations: bool = True,
        rewards: bool = False,
        gamma: float = 0.99,
    ) -> None:
        super().__init__(
            venv,
            training=True,
            norm_obs=observations,
            norm_reward=rewards,
            clip_obs=clip,
            clip_reward=clip,
            gamma=gamma,
            epsilon=epsilon,
        )

    def state_dict(self) -> dict[str, Any] | None:
        """The observation statistics as plain numbers (exact: JSON floats round-trip), or
        None when observations are not normalized."""
        if not self.norm_obs:
            return None
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

    def reward_state(self) -> dict[str, Any] | None:
        """The reward scale's statistics and each simulation's discounted return so far (a
        resumed run scales its next reward exactly as the uninterrupted one), or None."""
        if not self.norm_reward:
            return None
        return {
            "mean": float(self.ret_rms.mean),
            "var": float(self.ret_rms.var),
            "count": float(self.ret_rms.count),
            "returns": self.returns.tolist(),
        }

    def load_reward_state(self, state: dict[str, Any] | None) -> None:
        """Restore :meth:`reward_state` (nothing to do when rewards are not scaled)."""
        if state is None or not self.norm_reward:
            return
        self.ret_rms.mean = np.float64(state["mean"])
        self.ret_rms.var = np.float64(state["var"])
        self.ret_rms.count = float(state["count"])
        self.returns = np.asarray(state["returns"], dtype=np.float64)
