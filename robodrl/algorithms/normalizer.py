"""Running observation statistics for robodrl's own algorithms, in the format the policy
layer applies (``robodrl.policy.normalize``) and export bakes into the graph."""

from __future__ import annotations

from typing import Any

import numpy as np


class RunningNormalizer:
    """Mean / variance of every observation seen (parallel-variance update, as SB3's
    ``RunningMeanStd``), applied as ``clip((obs - mean) / sqrt(var + eps))``."""

    def __init__(self, obs_dim: int, *, clip: float, epsilon: float) -> None:
        self.mean, self.var = np.zeros(obs_dim), np.ones(obs_dim)
        self.count, self.clip, self.epsilon = 1e-4, clip, epsilon

    def update(self, obs: np.ndarray) -> None:
        """Fold a batch of raw observations into the statistics."""
        batch_mean, batch_var, batch_count = obs.mean(axis=0), obs.var(axis=0), obs.shape[0]
        delta = batch_mean - self.mean
        total = self.count + batch_count
        self.mean = self.mean + delta * batch_count / total
        m2 = self.var * self.count + batch_var * batch_count
        self.var = (m2 + delta**2 * self.count * batch_count / total) / total
        self.count = total

    def statistics(self) -> dict[str, Any]:
        """The statistics as ``robodrl.policy.normalize`` takes them (arrays, not copied)."""
        return {"mean": self.mean, "var": self.var, "clip": self.clip, "epsilon": self.epsilon}

    def state_dict(self) -> dict[str, Any]:
        """The statistics as plain numbers (exact: JSON floats round-trip)."""
        return {
            "mean": self.mean.tolist(),
            "var": self.var.tolist(),
            "count": float(self.count),
            "clip": float(self.clip),
            "epsilon": float(self.epsilon),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict`."""
        self.mean = np.asarray(state["mean"], dtype=np.float64)
        self.var = np.asarray(state["var"], dtype=np.float64)
        self.count, self.clip, self.epsilon = state["count"], state["clip"], state["epsilon"]
