"""Scales that carry a Legged task across robots (``robodrl/Legged-v1``).

The reward weights were tuned on robodrl's 12 kg quadruped (standing height 0.27 m, torque
limits about 20 N·m). With ``scale_with_robot`` every quantity a cost or a command is written in
is first expressed in that reference robot's units, so the same weights and command ranges serve
a 2 kg and a 50 kg robot:

- linear velocities (the vx / vy commands, velocity tracking, the vertical-velocity cost) by
  sqrt(h / h_ref), Froude scaling with the standing height h as the leg length;
- angular rates (the yaw-rate command and its tracking, the roll / pitch-rate cost) by
  sqrt(h_ref / h), the Froude time scale;
- each joint's torque by its torque limit over the reference torque (the torque cost is
  Σ (τ · τ_ref / τ_limit)², i.e. in N·m of a joint of the reference robot).

Angles, the pose cost, the action rate and the tilt are already dimensionless; the base-height
termination is a fraction of the standing height in every version.

With ``scale_gait_with_robot`` (Legged-v2) the trot clock runs in the reference robot's time
too, for a robot shorter than the reference: ``gait_hz`` x sqrt(h_ref / h), so a small robot
steps as often per fall time sqrt(h / g) as the reference does. A taller robot keeps
``gait_hz``: stepping faster than its Froude twin costs it nothing measured (the 0.57 m
ANYmal-class at its Froude-similar 1.38 Hz tracked 0.80 at 4M steps, 0.92 at 2 Hz), where the
0.13 m mini at 2 Hz fell in 19 of 128 kicked episodes at 6M steps and at 2.85 Hz in 1
(``benchmarks/RESULTS.md``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

REFERENCE_HEIGHT = 0.27  # m: robodrl's quadruped standing
REFERENCE_TORQUE = 20.0  # N·m: a torque limit of robodrl's quadruped, about


@dataclass(frozen=True)
class RobotScales:
    """How many of the robot's units make one unit of the reference robot."""

    speed: float  # linear velocities
    rate: float  # angular rates
    torque: np.ndarray  # per joint


def robot_scales(*, standing_height: float, torque_limits: list[float], enabled: bool):
    """The robot's scales, or ones (the v0 task's absolute units) when not ``enabled``."""
    if not enabled:
        return RobotScales(1.0, 1.0, np.ones(len(torque_limits)))
    ratio = standing_height / REFERENCE_HEIGHT
    torque = np.asarray(torque_limits, dtype=np.float64) / REFERENCE_TORQUE
    return RobotScales(float(np.sqrt(ratio)), float(np.sqrt(1.0 / ratio)), torque)


def gait_speedup(*, standing_height: float, enabled: bool) -> float:
    """How much faster than ``gait_hz`` the trot clock runs on this robot: the Froude time
    scale sqrt(h_ref / h) for a robot shorter than the reference, else (or not ``enabled``) 1."""
    if not enabled or standing_height >= REFERENCE_HEIGHT:
        return 1.0
    return float(np.sqrt(REFERENCE_HEIGHT / standing_height))
