"""MPPI: model-predictive path integral control.

Each iteration samples ``samples`` knot sequences around the mean (the mean itself first, the
others with Gaussian noise of std ``noise_std``), rolls them out from the current state, and
moves the mean to their average weighted by exp((R - max R) / (temperature · spread)), where
``spread`` is the range of the candidates' returns: the temperature is a fraction of the score
spread, so one setting serves tasks whose returns differ in scale. The plan acted on is the
best candidate evaluated (never worse than the warm start); the new mean is the next warm start.
Reference: Williams et al., "Information theoretic MPC for model-based reinforcement learning"
(ICRA 2017).
"""

from __future__ import annotations

import numpy as np

from robodrl.planners.base import Planner


class MPPI(Planner):
    """MPPI over spline knots."""

    def improve(self, warm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        mean = warm
        for _ in range(self.settings.iterations):
            candidates = self.sample(mean, self.settings.noise_std)
            scores = self.evaluate(candidates)
            # softmax of the returns, the temperature scaled by their spread
            spread = scores.max(axis=1, keepdims=True) - scores.min(axis=1, keepdims=True)
            scale = self.settings.temperature * np.maximum(spread, 1e-9)
            weights = np.exp((scores - scores.max(axis=1, keepdims=True)) / scale)
            weights /= weights.sum(axis=1, keepdims=True)
            mean = np.einsum("ns,nska->nka", weights, candidates)
        return self.best, mean
