"""Robot descriptions: what the Legged task needs to know about a quadruped's MJCF.

A description is a small YAML file (``robots/<name>.yaml`` for robodrl's robots, or any path)::

    mjcf: go1_class.xml          # path relative to this file, or "menagerie:<robot>/<file>.xml"
    base_body: torso             # the floating base (its free joint is the robot's root)
    imu_site: imu                # where the gyro, accelerometer and velocimeter sit (optional:
                                 # without it the task adds a site at the base's origin)
    feet:                        # foot collision geoms, one per leg (the order of the gait clock)
      front_left: front_left_foot
      front_right: front_right_foot
      back_left: back_left_foot
      back_right: back_right_foot
    standing_pose: {"*_hip_abduction": 0.0, "*_hip": 0.9, "*_knee": -1.8}   # rad
    standing_height: 0.28        # base height (m) the reset drops the robot from
    kp: 35.0                     # PD gains (N·m/rad, N·m·s/rad): a number, or pattern -> number
    kd: 0.5
    torque_limit: {"*_hip_abduction": 23.7, "*_hip": 23.7, "*_knee": 35.55}   # N·m
    action_scale: 0.5            # rad: action ±1 moves a joint target this far from the pose

Per-joint values are a number for every joint or a mapping of joint-name patterns (glob) to
numbers; the first matching pattern wins and every actuated joint must match one. The actuated
joints are every hinge / slide joint of the robot, in the MJCF's tree order.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field

from robodrl.envs.descriptions import (
    mjcf_path,
    per_joint,
    read_description,
    shipped_names,
)
from robodrl.schema import NonNegative, Strict

Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Angle = Annotated[float, Field(allow_inf_nan=False)]
PerJoint = Positive | dict[str, Positive]
LEGS = ("front_left", "front_right", "back_left", "back_right")


class Feet(Strict):
    """The foot collision geom of each leg."""

    front_left: str
    front_right: str
    back_left: str
    back_right: str


class RobotDescription(Strict):
    """A quadruped for the Legged task (see the module docstring for the file format)."""

    mjcf: str
    base_body: str
    imu_site: str | None = None
    feet: Feet
    standing_pose: Angle | dict[str, Angle]
    standing_height: Positive
    kp: PerJoint
    kd: Annotated[float, Field(ge=0, allow_inf_nan=False)] | dict[str, NonNegative]
    torque_limit: PerJoint
    action_scale: PerJoint = 0.5
    armature: NonNegative | dict[str, NonNegative] | None = None
    #: where the description was read from (set by :func:`load_robot`; relative MJCF paths
    #: resolve against its folder)
    source: str = ""

    @property
    def foot_geoms(self) -> list[str]:
        """Foot geoms in leg order (front left, front right, back left, back right)."""
        return [getattr(self.feet, leg) for leg in LEGS]

    def mjcf_path(self) -> Path:
        """The MJCF file this description names (fetched from MuJoCo Menagerie if asked)."""
        return mjcf_path(self.mjcf, self.source)

    def per_joint(self, field: str, joints: list[str]) -> list[float]:
        """The value of ``field`` for each joint in ``joints`` (a number or patterns)."""
        return per_joint(getattr(self, field), field, joints, self.source)


def robot_names() -> list[str]:
    """The robot descriptions robodrl ships (``robots/*.yaml``)."""
    return shipped_names("robodrl.envs.legged")


def load_robot(robot: str | dict | RobotDescription) -> RobotDescription:
    """A description from a shipped name (``quadruped``, ``go1_class``), a YAML path or a dict."""
    return read_description(robot, RobotDescription, "robodrl.envs.legged")
