"""Arm descriptions: what the manipulation tasks need to know about an arm's MJCF.

A description is a small YAML file (``robots/<name>.yaml`` for robodrl's arms, or any path)::

    mjcf: franka_class.xml       # path relative to this file, or "menagerie:<robot>/<file>.xml"
    base_body: link0             # the arm's fixed base (the scene is placed around it)
    arm_joints: "joint*"         # the arm's joints: a glob pattern or a list, base to tip
    ee_site: grip_center         # the end effector: the point between the fingertips
    ee_offset: [0, 0, 0]         # optional: the tool point in ee_site's frame (m), if not at it
    gripper:                     # optional: a parallel gripper
      actuator: fingers          # its actuator in the MJCF (kept; or a list, one per finger),
      open: 0.04                 # its command when open and when closed
      closed: 0.0
      finger_bodies: [left_finger, right_finger]
    home: home                   # a keyframe name, or joint pattern -> angle (rad)
    kp: {"joint[1-4]": 600, "joint[5-7]": 150}   # PD gains per joint (N·m/rad, N·m·s/rad)
    kd: {"joint[1-4]": 40, "joint[5-7]": 10}
    torque_limit: {"joint[1-4]": 87, "joint[5-7]": 12}   # N·m
    gravity_compensation: true   # the arm's controller cancels gravity, as real arms do

Per-joint values are a number for every arm joint or a mapping of joint-name patterns (glob) to
numbers; the first matching pattern wins and every arm joint must match one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field

from robodrl.envs.descriptions import mjcf_path, per_joint, read_description, shipped_names
from robodrl.schema import Strict

Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Finite = Annotated[float, Field(allow_inf_nan=False)]
PACKAGE = "robodrl.envs.manipulator"


class Gripper(Strict):
    """A parallel gripper: the MJCF actuator that drives it (or one per finger, all given the
    same command), its open and closed commands (in the actuators' control units) and the
    bodies of its fingers (whose collision geoms touch objects)."""

    actuator: str | Annotated[list[str], Field(min_length=1)]
    open: Finite
    closed: Finite
    finger_bodies: Annotated[list[str], Field(min_length=2)]

    @property
    def actuators(self) -> list[str]:
        """The gripper's actuators, as a list."""
        return [self.actuator] if isinstance(self.actuator, str) else list(self.actuator)


class ArmDescription(Strict):
    """An arm for the manipulation tasks (see the module docstring for the file format)."""

    mjcf: str
    base_body: str
    arm_joints: str | Annotated[list[str], Field(min_length=1)]
    ee_site: str
    ee_offset: Annotated[list[Finite], Field(min_length=3, max_length=3)] = Field(
        default_factory=lambda: [0.0, 0.0, 0.0]
    )
    """Where the tool point is from ``ee_site``, in its frame (m): the point between the
    fingertips, when the MJCF's site is elsewhere."""
    gripper: Gripper | None = None
    home: str | dict[str, Finite]
    kp: Positive | dict[str, Positive]
    kd: NonNegative | dict[str, NonNegative]
    torque_limit: Positive | dict[str, Positive]
    gravity_compensation: bool = True
    #: where the description was read from (set by :func:`load_arm`; relative MJCF paths
    #: resolve against its folder)
    source: str = ""

    def mjcf_path(self) -> Path:
        """The MJCF file this description names (fetched from MuJoCo Menagerie if asked)."""
        return mjcf_path(self.mjcf, self.source)

    def per_joint(self, field: str, joints: list[str]) -> list[float]:
        """The value of ``field`` for each joint in ``joints`` (a number or patterns)."""
        return per_joint(getattr(self, field), field, joints, self.source)


def arm_names() -> list[str]:
    """The arm descriptions robodrl ships (``robots/*.yaml``)."""
    return shipped_names(PACKAGE)


def load_arm(robot: str | dict | ArmDescription) -> ArmDescription:
    """A description from a shipped name (``franka_class``, ``ur_class``), a YAML path or a
    mapping."""
    return read_description(robot, ArmDescription, PACKAGE)
