"""Predictive sampling: the simplest sampling-based model-predictive controller.

Each control step: the warm start (the last plan, one step later) and ``samples - 1`` Gaussian
perturbations of its knots (std ``noise_std``) are rolled out from the current state on the
planning batch; the candidate with the highest return is the plan, and its first action is
applied. ``iterations`` > 1 repeats this around the best candidate within the same step.
Reference: Howell et al., "Predictive sampling: real-time behaviour synthesis with MuJoCo"
(2022), the default planner of MuJoCo MPC.
"""

from __future__ import annotations

import numpy as np

from robodrl.planners.base import Planner


class PredictiveSampling(Planner):
    """Predictive sampling over spline knots."""

    def improve(self, warm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        for _ in range(self.settings.iterations):
            # sample around the best plan so far (the warm start at first), keep the best
            self.evaluate(self.sample(self.best.copy(), self.settings.noise_std))
        return self.best, self.best
