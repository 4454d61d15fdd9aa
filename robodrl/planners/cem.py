"""CEM: the cross-entropy method as a model-predictive controller.

Each iteration samples ``samples`` knot sequences from a Gaussian (the mean itself first), rolls
them out from the current state, and refits the Gaussian's mean and std to the ``elites`` best
(keeping a ``smoothing`` fraction of the old ones; the std never falls below ``min_std``). The
std restarts at ``noise_std`` every control step. The plan acted on is the best candidate
evaluated (never worse than the warm start); the refit mean is the next warm start.
Reference: Rubinstein (1999); Botev et al., "The cross-entropy method for optimization" (2013).
"""

from __future__ import annotations

import numpy as np

from robodrl.planners.base import Planner


class CEM(Planner):
    """The cross-entropy method over spline knots."""

    def improve(self, warm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        settings = self.settings
        mean, std = warm, np.full_like(warm, settings.noise_std)
        rows = np.arange(len(warm))[:, None]
        for _ in range(settings.iterations):
            candidates = self.sample(mean, std[:, None])
            scores = self.evaluate(candidates)
            # refit the sampling distribution to the elites
            elites = candidates[rows, np.argsort(-scores, axis=1)[:, : settings.elites]]
            keep = settings.smoothing
            mean = keep * mean + (1 - keep) * elites.mean(axis=1)
            std = np.maximum(keep * std + (1 - keep) * elites.std(axis=1), settings.min_std)
        return self.best, mean
