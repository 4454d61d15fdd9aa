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

from robodrl.envs.legged.joints import actuated_joints, check_pose
from robodrl.envs.legged.robot import LEGS, RobotDescription
from robodrl.envs.motors import add_position_actuator
from robodrl.envs.tree import subtree_bodies
from robodrl.errors import ConfigError, suggest
from robodrl.robustness.roles import add_roles

ARENA_BYTES = 2 * 2**20

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


def _check_base(spec: mujoco.MjSpec, robot: RobotDescription) -> mujoco.MjsBody:
    where = f"{robot.source or 'robot'}: base_body"
    base = _find(spec.bodies, robot.base_body, "body", where)
    free = [j for j in base.joints if j.type == mujoco.mjtJoint.mjJNT_FREE]
    if not free:
        raise ConfigError(f"{where}: body {robot.base_body!r} has no free joint (a floating base)")
    return base


def _pose(robot: RobotDescription, model: mujoco.MjModel, names: list[str]) -> np.ndarray:
    """Standing pose per joint (radians, whatever unit the MJCF's angles are in)."""
    if isinstance(robot.standing_pose, dict):
        pose = np.array(robot.per_joint("standing_pose", names)) if names else np.zeros(0)
    else:
        pose = np.full(len(names), float(robot.standing_pose))
    check_pose(model, names, pose, where=robot.source or "robot")
    return pose


def _strip(spec: mujoco.MjSpec) -> None:
    """Remove the robot's own actuators, sensors and keyframes (the task adds its own)."""
    for group in (spec.actuators, spec.sensors, spec.keys):
        for element in list(group):
            spec.delete(element)


def _add_actuators(spec: mujoco.MjSpec, robot: RobotDescription, names, pose) -> None:
    kp, kd = robot.per_joint("kp", names), robot.per_joint("kd", names)
    limit = robot.per_joint("torque_limit", names)
    scale = robot.per_joint("action_scale", names)
    armature = robot.per_joint("armature", names) if robot.armature is not None else None
    joints = {j.name: j for j in spec.joints}
    for i, name in enumerate(names):
        if armature is not None:
            joints[name].armature = armature[i]
        add_position_actuator(spec, name, name, kp=kp[i], kd=kd[i], torque_limit=limit[i],
                              ctrlrange=(pose[i] - scale[i], pose[i] + scale[i]))  # fmt: skip


def _imu_site(spec: mujoco.MjSpec, robot: RobotDescription, base: mujoco.MjsBody) -> str:
    """The IMU site's name: the description's, or one added at the base origin."""
    if robot.imu_site is not None:
        _find(spec.sites, robot.imu_site, "site", f"{robot.source or 'robot'}: imu_site")
        return robot.imu_site
    taken = set(_names(spec.sites))
    name = next(n for n in ("imu", "robodrl_imu", "robodrl_base_imu") if n not in taken)
    base.add_site(name=name, pos=[0, 0, 0], size=[0.01, 0, 0], rgba=[0, 0, 0, 0])
    return name


def _add_sensors(spec, robot: RobotDescription, model0, base: mujoco.MjsBody) -> None:
    imu = _imu_site(spec, robot, base)
    for name, kind in IMU_SENSORS.items():
        sensor = spec.add_sensor(name=name, type=kind)
        sensor.objtype = mujoco.mjtObj.mjOBJ_SITE
        sensor.objname = imu
    geoms = {g.name: g for g in spec.geoms if g.name}
    for leg, name in zip(LEGS, robot.foot_geoms, strict=True):
        site = geoms[name].parent.add_site(name=f"{leg}_foot_contact", **foot_site(model0, name))
        site.rgba = [0, 0, 0, 0]
        sensor = spec.add_sensor(name=f"{leg}_foot_touch", type=mujoco.mjtSensor.mjSENS_TOUCH)
        sensor.objtype = mujoco.mjtObj.mjOBJ_SITE
        sensor.objname = site.name


def foot_site(model: mujoco.MjModel, geom_name: str) -> dict:
    """A touch-sensor volume around a whole foot geom, in its body's frame: the same shape a
    little larger for spheres and capsules (a capsule's tip included), else the geom's bounding
    box (boxes, cylinders, ellipsoids, meshes)."""
    geom = model.geom(geom_name)
    pos, quat, size = geom.pos.copy(), geom.quat.copy(), geom.size
    if int(geom.type[0]) == int(mujoco.mjtGeom.mjGEOM_SPHERE):
        return {"type": mujoco.mjtGeom.mjGEOM_SPHERE, "pos": pos, "quat": quat,
                "size": [1.25 * float(size[0]) + 0.005, 0, 0]}  # fmt: skip
    if int(geom.type[0]) == int(mujoco.mjtGeom.mjGEOM_CAPSULE):
        return {"type": mujoco.mjtGeom.mjGEOM_CAPSULE, "pos": pos, "quat": quat,
                "size": [1.25 * float(size[0]) + 0.005, float(size[1]), 0]}  # fmt: skip
    centre, half = model.geom_aabb[geom.id, :3], model.geom_aabb[geom.id, 3:]
    rotation = np.zeros(9)
    mujoco.mju_quat2Mat(rotation, quat)
    margin = 0.25 * float(np.min(half)) + 0.005
    return {"type": mujoco.mjtGeom.mjGEOM_BOX, "pos": pos + rotation.reshape(3, 3) @ centre,
            "quat": quat, "size": half + margin}  # fmt: skip


def _add_roles(spec, model0, robot: RobotDescription, names: list[str]) -> None:
    bodies = set(subtree_bodies(model0, model0.body(robot.base_body).id))
    body_names = [model0.body(b).name for b in sorted(bodies) if model0.body(b).name]
    geom_names = [
        model0.geom(g).name
        for g in range(model0.ngeom)
        if int(model0.geom_bodyid[g]) in bodies and model0.geom(g).name
    ]
    foot_bodies = [model0.body(int(model0.geom(g).bodyid[0])).name for g in robot.foot_geoms]
    add_roles(spec, {
        "base": {"body": [robot.base_body]},
        "feet": {"geom": robot.foot_geoms, "body": [b for b in foot_bodies if b]},
        "legs": {"joint": names, "actuator": names},
        "robot": {"body": body_names, "geom": geom_names},
    })  # fmt: skip


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
    foot_names = set(feet)
    robot_geoms = base.find_all(mujoco.mjtObj.mjOBJ_GEOM)
    for geom in robot_geoms:
        is_foot = geom.name in foot_names
        geom.contype, geom.conaffinity = (1, 0) if is_foot else (0, 0)
    floor.contype, floor.conaffinity = 1, 1


def _set_arena(spec: mujoco.MjSpec, model0: mujoco.MjModel) -> None:
    """An MJCF without ``<size memory>`` gets an arena sized for the robot (MuJoCo's default,
    13 MiB a simulation, is mostly unused by a quadruped): 2 MiB per 32 degrees of freedom."""
    if spec.memory < 0:
        spec.memory = ARENA_BYTES * max(1, -(-model0.nv // 32))


def _compile(spec: mujoco.MjSpec, robot: RobotDescription, what: str) -> mujoco.MjModel:
    try:
        return spec.compile()
    except Exception as err:  # MuJoCo raises ValueError for compile errors
        raise ConfigError(f"{robot.source or 'robot'}: {what} does not compile: {err}") from None


def build_model(
    robot: RobotDescription, physics: str
) -> tuple[mujoco.MjModel, list[str], np.ndarray]:
    """Compile the task's model; return it, the actuated joint names and the standing pose."""
    path = robot.mjcf_path()
    try:
        spec = mujoco.MjSpec.from_file(str(path))
    except Exception as err:  # MuJoCo raises ValueError for parse errors
        raise ConfigError(f"{robot.source or 'robot'}: mjcf {str(path)!r}: {err}") from None
    base = _check_base(spec, robot)
    where = f"{robot.source or 'robot'}: feet"
    for name in robot.foot_geoms:
        _find(spec.geoms, name, "geom", where)
    model0 = _compile(spec.copy(), robot, f"the MJCF {str(path)!r}")  # radians, as compiled
    names = actuated_joints(model0, model0.body(robot.base_body).id, where=robot.source or "robot")
    pose = _pose(robot, model0, names)
    _strip(spec)
    _add_actuators(spec, robot, names, pose)
    _add_sensors(spec, robot, model0, base)
    _add_roles(spec, model0, robot, names)
    _set_arena(spec, model0)
    _set_physics(spec, PHYSICS[physics], robot.foot_geoms, base)
    return _compile(spec, robot, "the robot"), names, pose
