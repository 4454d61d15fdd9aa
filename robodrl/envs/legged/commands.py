"""Velocity commands resampled during an episode, and the trot clock of the gait reward."""

from __future__ import annotations

import numpy as np

from robodrl.envs.task import ResetNoise

#: phase offset of each leg (front left, front right, back left, back right): a trot moves the
#: diagonal pairs together, half a cycle apart
TROT_OFFSETS = np.array([0.0, 0.5, 0.5, 0.0])


class Commands:
    """Per-simulation planar commands (vx, vy m/s, yaw rate rad/s), each held for
    ``hold_seconds`` and then redrawn; a draw is the standing command (all zero) with
    probability ``standing_probability``."""

    def __init__(
        self, num_envs: int, low, high, hold_seconds: float, standing_probability: float
    ) -> None:
        self.low, self.high = np.asarray(low, float), np.asarray(high, float)
        self.hold_seconds = hold_seconds
        self.standing_probability = standing_probability
        self.value = np.zeros((num_envs, 3))
        self.time_left = np.zeros(num_envs)

    def draw(self, ids: np.ndarray, noise: ResetNoise) -> None:
        """New commands for ``ids`` (from each simulation's own generator)."""
        if not len(ids):
            return
        draws = noise.uniform(ids, 0.0, 1.0, 4)
        command = self.low + (self.high - self.low) * draws[:, :3]
        command[draws[:, 3] < self.standing_probability] = 0.0
        self.value[ids] = command
        self.time_left[ids] = self.hold_seconds

    def advance(self, dt: float, noise: ResetNoise) -> None:
        """Count down; redraw the commands whose time is up."""
        self.time_left -= dt
        self.draw(np.flatnonzero(self.time_left <= 1e-9), noise)

    def standing(self) -> np.ndarray:
        """Bool ``(num_envs,)``: the command is zero."""
        return ~self.value.any(axis=1)


class TrotClock:
    """A phase φ in [0, 1) per simulation advancing at ``hz``; leg i should be in stance while
    ``(φ + offset_i) mod 1 < duty``."""

    def __init__(self, num_envs: int, hz: float, duty: float) -> None:
        self.hz, self.duty = hz, duty
        self.phase = np.zeros(num_envs)

    def reset(self, ids: np.ndarray, noise: ResetNoise) -> None:
        self.phase[ids] = noise.uniform(ids, 0.0, 1.0, 1)[:, 0]

    def advance(self, dt: float) -> None:
        self.phase = (self.phase + self.hz * dt) % 1.0

    def stance(self) -> np.ndarray:
        """Bool ``(num_envs, 4)``: which feet the gait wants on the ground now."""
        return (self.phase[:, None] + TROT_OFFSETS) % 1.0 < self.duty

    def observation(self) -> np.ndarray:
        """``(num_envs, 2)``: sin and cos of 2πφ."""
        angle = 2 * np.pi * self.phase
        return np.stack([np.sin(angle), np.cos(angle)], axis=1)
