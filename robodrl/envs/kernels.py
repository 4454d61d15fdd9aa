"""Small shared kernels for task code: reward shaping, angles, orientations (all vectorized)."""

from __future__ import annotations

import numpy as np


def wrap_angle(angle: np.ndarray) -> np.ndarray:
    """Wrap angles in radians to [-pi, pi)."""
    return (angle + np.pi) % (2 * np.pi) - np.pi


def gaussian_tracking(error_sq: np.ndarray, sigma_sq: float) -> np.ndarray:
    """exp(-error² / sigma²): 1 at zero error, falling smoothly (a tolerance kernel)."""
    return np.exp(-error_sq / sigma_sq)


def gravity_in_body_frame(quat: np.ndarray) -> np.ndarray:
    """World gravity direction (0, 0, -1) expressed in the body frame of unit quaternions
    ``quat`` (w, x, y, z), shape ``(n, 4)`` → ``(n, 3)``. Upright gives (0, 0, -1)."""
    w, x, y, z = quat.T
    # third row of the rotation matrix R (body→world), negated: R^T @ (0, 0, -1)
    return -np.stack([2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)], axis=1)
