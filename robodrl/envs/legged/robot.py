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

import fnmatch
from importlib import resources
from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationError

from robodrl.errors import ConfigError, format_validation_error
from robodrl.files.yamlio import load_yaml_file
from robodrl.schema import NonNegative, Strict

Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Angle = Annotated[float, Field(allow_inf_nan=False)]
PerJoint = Positive | dict[str, Positive]
LEGS = ("front_left", "front_right", "back_left", "back_right")
MENAGERIE = "menagerie:"


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
        if self.mjcf.startswith(MENAGERIE):
            return _menagerie_path(self.mjcf.removeprefix(MENAGERIE), self.source)
        path = Path(self.mjcf)
        if not path.is_absolute() and self.source:
            path = Path(self.source).parent / path
        if not path.is_file():
            raise ConfigError(f"{self.source or 'robot'}: mjcf: no file at {str(path)!r}")
        return path

    def per_joint(self, field: str, joints: list[str]) -> list[float]:
        """The value of ``field`` for each joint in ``joints`` (a number or patterns)."""
        value = getattr(self, field)
        if not isinstance(value, dict):
            return [float(value)] * len(joints)
        values = []
        for joint in joints:
            match = next((v for p, v in value.items() if fnmatch.fnmatchcase(joint, p)), None)
            if match is None:
                raise ConfigError(
                    f"{self.source or 'robot'}: {field}: no pattern matches joint {joint!r} "
                    f"(patterns: {sorted(value)}; joints: {joints})"
                )
            values.append(float(match))
        return values


def _menagerie_path(name: str, source: str) -> Path:
    """``<robot>`` (its default model) or ``<robot>/<file>.xml`` of MuJoCo Menagerie, through
    the ``mujoco-menagerie`` package: it downloads the robot's folder on first use into its
    cache (``MENAGERIE_CACHE_DIR``), or reads a local checkout (``MENAGERIE_ROOT``)."""
    where = f"{source or 'robot'}: mjcf: {MENAGERIE}{name}"
    try:
        import mujoco_menagerie  # type: ignore[import-not-found]
    except ImportError:
        raise ConfigError(
            f"{where} needs the mujoco-menagerie package (pip install 'robodrl[menagerie]'); "
            "or give the MJCF file's path"
        ) from None
    robot_name, _, file = name.partition("/")
    try:
        robot = mujoco_menagerie.get(robot_name)
        file = file or robot.entry(robot.default_model).file
        folder = robot.path(progress=None)
    except LookupError as err:  # an unknown robot or entry point
        raise ConfigError(f"{where}: {err} (robots: python -m mujoco_menagerie list)") from None
    except mujoco_menagerie.MenagerieError as err:  # a failed download, a wrong root
        raise ConfigError(
            f"{where}: Menagerie could not provide {robot_name!r}: {err}. Without a network, "
            "point MENAGERIE_ROOT at a mujoco_menagerie checkout, or give the MJCF file's path"
        ) from None
    path = folder / file
    if not path.resolve().is_relative_to(folder.resolve()):
        raise ConfigError(f"{where}: {file!r} leads out of {robot_name}'s folder")
    if not path.is_file():
        files = sorted(p.name for p in folder.glob("*.xml"))
        raise ConfigError(f"{where}: {robot_name} has no {file!r}; its XML files: {files}")
    return path


def robot_names() -> list[str]:
    """The robot descriptions robodrl ships (``robots/*.yaml``)."""
    folder = resources.files("robodrl.envs.legged").joinpath("robots")
    return sorted(
        p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml")
    )


def load_robot(robot: str | dict | RobotDescription) -> RobotDescription:
    """A description from a shipped name (``quadruped``, ``go1_class``), a YAML path or a dict."""
    if isinstance(robot, RobotDescription):
        return robot
    if isinstance(robot, dict):
        data, source = dict(robot), str(robot.get("source", ""))
    elif isinstance(robot, str) and robot.endswith((".yaml", ".yml")):
        if not Path(robot).is_file():
            raise ConfigError(f"robot description {robot!r}: no such file")
        data, source = load_yaml_file(robot), str(Path(robot).resolve())
    elif isinstance(robot, str):
        if robot not in robot_names():
            raise ConfigError(
                f"unknown robot {robot!r}; robodrl ships {robot_names()}, or pass the path of "
                "a robot description (.yaml)"
            )
        path = resources.files("robodrl.envs.legged").joinpath("robots", f"{robot}.yaml")
        data, source = load_yaml_file(str(path)), str(path)
    else:
        raise ConfigError(f"robot must be a name, a .yaml path or a mapping, got {robot!r}")
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: a robot description is a mapping, got {type(data).__name__}")
    try:
        return RobotDescription.model_validate({**data, "source": source})
    except ValidationError as err:
        raise ConfigError(f"{source or 'robot'}: {format_validation_error(err)}") from None
