"""Build a Legged task's model from a robot description with ``MjSpec``.

The robot's own actuators, sensors and keyframes are removed; the task adds, in the MJCF's joint
order, one PD position actuator per joint (kp, kd, torque limit from the description; ctrlrange =
standing pose ± action scale, so action 0 holds the stance), the IMU sensors on the IMU site, and
a touch sensor on a site around each foot geom. A floor plane is added if the robot has none.

Physics settings (``physics=``):

- ``accurate``: Newton solver (100 iterations), elliptic friction cones, 2 ms timestep, every
  contact the MJCF declares. The reference a trained policy is checked in.
- ``fast``: PGS solver with 10 iterations, pyramidal cones, 4 ms timestep, only the feet touch the
  floor (other robot geoms collide with nothing). For training; the sim-to-sim gap report runs
  the same sweep in both settings.

Both use the implicitfast integrator; the control period is the same (``control_hz``).
"""

from __future__ import annotations

from dataclasses import dataclass

import mujoco
import numpy as np

from robodrl.envs.legged.robot import LEGS, RobotDescription
from robodrl.errors import ConfigError, suggest

IMU_SENSORS = {
    "imu_gyro": mujoco.mjtSensor.mjSENS_GYRO,
    "imu_accelerometer": mujoco.mjtSensor.mjSENS_ACCELEROMETER,
    "imu_velocimeter": mujoco.mjtSensor.mjSENS_VELOCIMETER,
}


@dataclass(frozen=True)
class PhysicsSettings:
    """Solver, timestep and contact settings of a physics preset."""

    timestep: float
    solver: int
    iterations: int
    ls_iterations: int
    cone: int
    feet_only_contacts: bool


PHYSICS = {
    "accurate": PhysicsSettings(
        timestep=0.002,
        solver=mujoco.mjtSolver.mjSOL_NEWTON,
        iterations=100,
        ls_iterations=50,
        cone=mujoco.mjtCone.mjCONE_ELLIPTIC,
        feet_only_contacts=False,
    ),
    "fast": PhysicsSettings(
        timestep=0.004,
        solver=mujoco.mjtSolver.mjSOL_PGS,
        iterations=10,
        ls_iterations=10,
        cone=mujoco.mjtCone.mjCONE_PYRAMIDAL,
        feet_only_contacts=True,
    ),
}


def _names(elements) -> list[str]:
    return [e.name for e in elements if e.name]


def _find(spec_list, name: str, kind: str, where: str):
    """The element called ``name`` or a clear error listing the valid names."""
    for element in spec_list:
        if element.name == name:
            return element
    valid = _names(spec_list)
    raise ConfigError(
        f"{where}: no {kind} named {name!r}{suggest(name, valid)}; {kind} names: {valid}"
    )


def leg_joints(spec: mujoco.MjSpec, base_name: str) -> list[mujoco.MjsJoint]:
    """The robot's hinge / slide joints below the base, in tree order."""
    joints = [
        j
        for j in spec.joints
        if j.type in (mujoco.mjtJoint.mjJNT_HINGE, mujoco.mjtJoint.mjJNT_SLIDE)
    ]
    unnamed = [i for i, j in enumerate(joints) if not j.name]
    if unnamed:
        raise ConfigError(f"robot MJCF: joints {unnamed} have no name; name every leg joint")
    return joints


def _check_base(spec: mujoco.MjSpec, robot: RobotDescription) -> mujoco.MjsBody:
    where = f"{robot.source or 'robot'}: base_body"
    base = _find(spec.bodies, robot.base_body, "body", where)
    free = [j for j in base.joints if j.type == mujoco.mjtJoint.mjJNT_FREE]
    if not free:
        raise ConfigError(f"{where}: body {robot.base_body!r} has no free joint (a floating base)")
    return base


def _check_pose(robot: RobotDescription, joints: list[mujoco.MjsJoint]) -> np.ndarray:
    """Standing pose per joint; a pose outside a limited joint's range is refused."""
    names = [j.name for j in joints]
    if isinstance(robot.standing_pose, dict):
        pose = np.array(robot.per_joint("standing_pose", names)) if names else np.zeros(0)
    else:
        pose = np.full(len(names), float(robot.standing_pose))
    for joint, angle in zip(joints, pose, strict=True):
        low, high = joint.range
        limited = joint.limited == mujoco.mjtLimited.mjLIMITED_TRUE or (
            joint.limited == mujoco.mjtLimited.mjLIMITED_AUTO and low < high
        )
        if limited and not low <= angle <= high:
            raise ConfigError(
                f"{robot.source or 'robot'}: standing_pose: {angle:g} rad for joint "
                f"{joint.name!r} is outside its range [{low:g}, {high:g}]"
            )
    return pose


def _strip(spec: mujoco.MjSpec) -> None:
    """Remove the robot's own actuators, sensors and keyframes (the task adds its own)."""
    for group in (spec.actuators, spec.sensors, spec.keys):
        for element in list(group):
            spec.delete(element)


def _add_actuators(spec: mujoco.MjSpec, robot: RobotDescription, joints, pose) -> None:
    names = [j.name for j in joints]
    kp, kd = robot.per_joint("kp", names), robot.per_joint("kd", names)
    limit = robot.per_joint("torque_limit", names)
    scale = robot.per_joint("action_scale", names)
    armature = robot.per_joint("armature", names) if robot.armature is not None else None
    for i, joint in enumerate(joints):
        if armature is not None:
            joint.armature = armature[i]
        actuator = spec.add_actuator(name=joint.name, target=joint.name)
        actuator.trntype = mujoco.mjtTrn.mjTRN_JOINT
        actuator.gaintype = mujoco.mjtGain.mjGAIN_FIXED
        actuator.biastype = mujoco.mjtBias.mjBIAS_AFFINE
        actuator.gainprm[0] = kp[i]
        actuator.biasprm[:3] = [0.0, -kp[i], -kd[i]]
        actuator.ctrllimited = mujoco.mjtLimited.mjLIMITED_TRUE
        actuator.ctrlrange = [pose[i] - scale[i], pose[i] + scale[i]]
        actuator.forcelimited = mujoco.mjtLimited.mjLIMITED_TRUE
        actuator.forcerange = [-limit[i], limit[i]]


def _add_sensors(spec: mujoco.MjSpec, robot: RobotDescription, feet) -> None:
    where = f"{robot.source or 'robot'}: imu_site"
    _find(spec.sites, robot.imu_site, "site", where)
    for name, kind in IMU_SENSORS.items():
        sensor = spec.add_sensor(name=name, type=kind)
        sensor.objtype = mujoco.mjtObj.mjOBJ_SITE
        sensor.objname = robot.imu_site
    for leg, geom in zip(LEGS, feet, strict=True):
        site = geom.parent.add_site(name=f"{leg}_foot_contact", pos=geom.pos, quat=geom.quat)
        site.type = mujoco.mjtGeom.mjGEOM_SPHERE
        site.size = [1.25 * float(np.max(geom.size[:1])) + 0.005, 0, 0]
        site.rgba = [0, 0, 0, 0]
        sensor = spec.add_sensor(name=f"{leg}_foot_touch", type=mujoco.mjtSensor.mjSENS_TOUCH)
        sensor.objtype = mujoco.mjtObj.mjOBJ_SITE
        sensor.objname = site.name


def _floor(spec: mujoco.MjSpec) -> mujoco.MjsGeom:
    for geom in spec.worldbody.geoms:
        if geom.type == mujoco.mjtGeom.mjGEOM_PLANE:
            return geom
    return spec.worldbody.add_geom(
        name="floor", type=mujoco.mjtGeom.mjGEOM_PLANE, size=[0, 0, 0.1], rgba=[0.8, 0.85, 0.8, 1]
    )


def _set_physics(spec: mujoco.MjSpec, settings: PhysicsSettings, feet, base) -> None:
    option = spec.option
    option.timestep = settings.timestep
    option.solver = settings.solver
    option.iterations = settings.iterations
    option.ls_iterations = settings.ls_iterations
    option.cone = settings.cone
    option.integrator = mujoco.mjtIntegrator.mjINT_IMPLICITFAST
    floor = _floor(spec)
    if not settings.feet_only_contacts:
        return
    foot_names = {g.name for g in feet}
    robot_geoms = base.find_all(mujoco.mjtObj.mjOBJ_GEOM)
    for geom in robot_geoms:
        is_foot = geom.name in foot_names
        geom.contype, geom.conaffinity = (1, 0) if is_foot else (0, 0)
    floor.contype, floor.conaffinity = 1, 1


def build_model(
    robot: RobotDescription, physics: str
) -> tuple[mujoco.MjModel, list[str], np.ndarray]:
    """Compile the task's model; return it, the leg joint names and the standing pose."""
    path = robot.mjcf_path()
    try:
        spec = mujoco.MjSpec.from_file(str(path))
    except Exception as err:  # MuJoCo raises ValueError for parse and compile errors
        raise ConfigError(f"{robot.source or 'robot'}: mjcf {str(path)!r}: {err}") from None
    base = _check_base(spec, robot)
    where = f"{robot.source or 'robot'}: feet"
    feet = [_find(spec.geoms, name, "geom", where) for name in robot.foot_geoms]
    joints = leg_joints(spec, robot.base_body)
    pose = _check_pose(robot, joints)
    _strip(spec)
    _add_actuators(spec, robot, joints, pose)
    _add_sensors(spec, robot, feet)
    _set_physics(spec, PHYSICS[physics], feet, base)
    try:
        model = spec.compile()
    except Exception as err:
        raise ConfigError(f"{robot.source or 'robot'}: the robot does not compile: {err}") from None
    return model, [j.name for j in joints], pose
