"""The robot side of the deploy loop: a small protocol a user implements for their hardware.

A robot says what it is once (:meth:`Robot.describe`), then the loop calls, every control
period, :meth:`Robot.read` (the newest measurement, stamped on the robot's clock) and
:meth:`Robot.write` (one :class:`Command`). :meth:`Robot.now` is the clock the stamps use
(``time.monotonic()`` on one machine). A robot that has gone (a closed link, a dead process)
raises :class:`RobotLostError` from ``read`` or ``write``.

Signals are SI units in the robot's base frame, named as a policy file's observation contract
names them: ``joint_pos`` (rad, in :attr:`RobotInfo.joint_names` order), ``joint_vel``
(rad/s), ``base_angular_velocity`` (rad/s, the IMU's gyro), ``base_linear_velocity`` (m/s,
the base's velocity estimate), ``gravity_in_base`` (unit vector). Commands are per joint, in
the same order: position targets for the robot's PD loop (rad), or ``damp`` (no stiffness,
the joints' damping only) for the safe mode; a policy trained with end-effector actions sends
``end_effector`` commands, which the robot's Cartesian controller turns into joint targets.

A robot for UDP, serial or ROS 2 is a class with these five methods; :mod:`robodrl.deploy.sim`
(a simulator in another process) and :mod:`robodrl.deploy.replay` (a logged run) are two."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

import numpy as np

from robodrl.errors import RobodrlError

Mode = Literal["position", "damp", "end_effector"]


class DeployError(RobodrlError, RuntimeError):
    """A robot and a policy file that do not fit, refused before the first command."""


class RobotLostError(RobodrlError, ConnectionError):
    """The robot stopped answering (its link closed, its process died)."""


@dataclass(frozen=True)
class RobotInfo:
    """What a robot is: its joints in the order its signals and commands use, the control
    period it expects commands at (None: any), and the signals it measures with their sizes."""

    joint_names: list[str]
    control_dt: float | None
    signals: dict[str, int]
    name: str = "robot"


@dataclass
class State:
    """One measurement: when the robot took it (:meth:`Robot.now`'s clock) and its signals."""

    stamp: float
    signals: dict[str, np.ndarray]
    sequence: int = 0


@dataclass
class Command:
    """What the robot does until the next command: ``position`` (``values``: a target for each
    joint), ``damp`` (no values) or ``end_effector`` (``values``: the hand's motion this period
    and the gripper's command, as the file's ``command_space`` names them, for the robot's own
    Cartesian controller)."""

    mode: Mode
    values: np.ndarray = field(default_factory=lambda: np.zeros(0))


class Robot(Protocol):
    """A robot the deploy loop can drive (see the module docstring)."""

    def describe(self) -> RobotInfo: ...

    def read(self) -> State: ...

    def write(self, command: Command) -> None: ...

    def now(self) -> float: ...

    def close(self) -> None: ...
