"""Action sequences as splines: a few knots per actuator span the horizon; the actions between
them are held (zero-order hold) or linearly interpolated."""

from __future__ import annotations

import numpy as np


class ActionSpline:
    """``knots`` knots over ``horizon`` control steps, ``interpolation`` ``zero`` | ``linear``."""

    def __init__(self, knots: int, horizon: int, interpolation: str) -> None:
        self.knots, self.horizon, self.interpolation = knots, horizon, interpolation
        if interpolation == "zero" or knots == 1:
            # knot k holds over its share of the horizon, starting at step k * horizon / knots
            self.knot_times = np.arange(knots) * horizon / knots
        else:
            self.knot_times = np.linspace(0.0, horizon - 1, knots)
        self.matrix = self.interpolation_matrix(np.arange(horizon, dtype=np.float64))

    def interpolation_matrix(self, times: np.ndarray) -> np.ndarray:
        """``(len(times), knots)``: row t gives the action at time t as a mix of the knots."""
        matrix = np.zeros((len(times), self.knots))
        if self.interpolation == "zero" or self.knots == 1:
            index = np.clip(np.searchsorted(self.knot_times, times, side="right") - 1, 0, None)
            matrix[np.arange(len(times)), index] = 1.0
            return matrix
        clipped = np.clip(times, self.knot_times[0], self.knot_times[-1])
        right = np.clip(np.searchsorted(self.knot_times, clipped, side="right"), 1, self.knots - 1)
        left = right - 1
        span = self.knot_times[right] - self.knot_times[left]
        weight = (clipped - self.knot_times[left]) / span
        matrix[np.arange(len(times)), left] = 1.0 - weight
        matrix[np.arange(len(times)), right] += weight
        return matrix

    def actions(self, knots: np.ndarray) -> np.ndarray:
        """``(..., knots, act)`` → ``(..., horizon, act)``."""
        return np.einsum("tk,...ka->...ta", self.matrix, knots)

    def shifted(self, knots: np.ndarray, steps: int = 1) -> np.ndarray:
        """The same plan ``steps`` control steps later (the warm start of the next plan); the
        end holds the last knot's value."""
        moved = self.interpolation_matrix(self.knot_times + steps)
        return np.einsum("jk,...ka->...ja", moved, knots)
