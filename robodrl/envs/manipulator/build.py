"""Build a manipulation scene around any arm MJCF with ``MjSpec``.

The arm's own actuators (except its gripper's), sensors and keyframes are removed; the build adds
one PD position actuator per arm joint (kp, kd, torque limit from the description; ctrlrange =
the home angle ± ``joint_span`` within the joint's range), gravity compensation on the
arm's bodies (as an arm's controller does; ``gravity_compensation: false`` leaves it out), a
table whose top is level with the arm's base, and, as the task asks, a block on the table and a
goal marker (a mocap body that touches nothing).

The arm's geoms touch the table and the block but not each other (self-collision is off: an
arm's own links are kept apart by its joint limits, and simple shapes overlap at the joints).
Sizes follow the arm: the block's edge is 40% of the gripper's opening (at most 5 cm); where
targets and blocks are placed follows from the end effector's home position (``Workspace``).
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

import mujoco
import numpy as np

from robodrl.envs.manipulator.robot import ArmDescription
from robodrl.envs.manipulator.workspace import (
    Workspace,
    collision_geoms,
    geom_corners,
    workspace_of,
    yaw_quat,
)
from robodrl.envs.motors import add_position_actuator
from robodrl.envs.tree import subtree_bodies, subtree_joints
from robodrl.errors import ConfigError, suggest
from robodrl.robustness.roles import add_roles

ARENA_BYTES = 2 * 2**20
OBJECT, GOAL, TABLE = "robodrl_object", "robodrl_goal", "robodrl_table"
TOOL_SITE = "robodrl_tool_point"
#: contype / conaffinity bits: the arm's geoms touch the table and the block, never each other
ARM_CONTACT, SCENE_CONTACT = (2, 1), (1, 3)
COPIED_ACTUATOR_FIELDS = ("trntype", "gaintype", "biastype", "gainprm", "biasprm", "dyntype",
                          "dynprm", "gear", "forcelimited", "forcerange")  # fmt: skip


@dataclass(frozen=True)
class Scene:
    """A compiled scene and what the tasks read of it."""

    model: mujoco.MjModel
    ee_site: str  # the description's site, or robodrl's at its ee_offset
    arm_joints: list[str]
    home: np.ndarray  # arm joint angles at home (rad)
    workspace: Workspace
    has_object: bool


def _where(arm: ArmDescription, field: str) -> str:
    return f"{arm.source or 'arm'}: {field}"


def _find(elements, name: str, kind: str, where: str):
    """The element called ``name`` or an error listing the valid names."""
    for element in elements:
        if element.name == name:
            return element
    valid = [e.name for e in elements if e.name]
    raise ConfigError(
        f"{where}: no {kind} named {name!r}{suggest(name, valid)}; {kind} names: {valid}"
    )


def arm_joint_names(model: mujoco.MjModel, arm: ArmDescription, exclude: set[str]) -> list[str]:
    """The arm joints the description names (a pattern or a list), in the MJCF's order."""
    below = subtree_joints(model, model.body(arm.base_body).id)
    candidates = [model.joint(j).name for j in below if model.joint(j).name not in exclude]
    where = _where(arm, "arm_joints")
    if isinstance(arm.arm_joints, str):
        names = [n for n in candidates if fnmatch.fnmatchcase(n, arm.arm_joints)]
        if not names:
            raise ConfigError(f"{where}: {arm.arm_joints!r} matches no joint; joints: {candidates}")
        return names
    for name in arm.arm_joints:
        if name not in candidates:
            raise ConfigError(
                f"{where}: no arm joint named {name!r}{suggest(name, candidates)}; the hinge "
                f"and slide joints below {arm.base_body!r}: {candidates}"
            )
    return list(arm.arm_joints)


def gripper_joints(model: mujoco.MjModel, arm: ArmDescription) -> set[str]:
    """The joints the gripper moves: its actuators' joints and the joints of its finger
    bodies (joints an equality ties to them ride along)."""
    if arm.gripper is None:
        return set()
    joints = set()
    for name in arm.gripper.actuators:
        actuator = model.actuator(name)
        if int(actuator.trntype[0]) == int(mujoco.mjtTrn.mjTRN_JOINT):
            joints.add(model.joint(int(actuator.trnid[0])).name)
    for name in arm.gripper.finger_bodies:
        body = model.body(name).id
        for j in range(model.body_jntadr[body], model.body_jntadr[body] + model.body_jntnum[body]):
            joints.add(model.joint(j).name)
    return joints


def home_pose(model: mujoco.MjModel, arm: ArmDescription, joints: list[str]) -> np.ndarray:
    """Each arm joint's home angle (rad), from a keyframe or from the description."""
    where = _where(arm, "home")
    if isinstance(arm.home, str):
        keys = [model.key(k).name for k in range(model.nkey)]
        if arm.home not in keys:
            raise ConfigError(
                f"{where}: no keyframe named {arm.home!r}{suggest(arm.home, keys)}; keyframes: "
                f"{keys} (or give each joint's home angle: joint pattern -> rad)"
            )
        qpos = model.key(arm.home).qpos
        pose = np.array([qpos[model.joint(j).qposadr[0]] for j in joints])
    else:
        pose = np.array(arm.per_joint("home", joints))
    for name, angle in zip(joints, pose, strict=True):
        joint = model.joint(name)
        low, high = joint.range
        if joint.limited[0] and not low - 1e-6 <= angle <= high + 1e-6:
            raise ConfigError(
                f"{where}: {angle:.4g} rad for joint {name!r} is outside its range "
                f"[{low:.4g}, {high:.4g}] rad"
            )
    return pose


def _tool_point(spec: mujoco.MjSpec, arm: ArmDescription) -> str:
    """The site the tasks treat as the end effector: ``ee_site``, or a site added at
    ``ee_offset`` from it (in its frame) when the description gives one."""
    if not any(arm.ee_offset):
        return arm.ee_site
    site = spec.site(arm.ee_site)
    rotation = np.zeros(9)
    mujoco.mju_quat2Mat(rotation, np.asarray(site.quat, dtype=float))
    position = np.asarray(site.pos) + rotation.reshape(3, 3) @ np.asarray(arm.ee_offset)
    site.parent.add_site(name=TOOL_SITE, pos=position, quat=np.asarray(site.quat).copy(),
                         size=[0.01, 0, 0], rgba=[0, 0, 0, 0])  # fmt: skip
    return TOOL_SITE


def _check_names(spec: mujoco.MjSpec, arm: ArmDescription) -> None:
    _find(spec.bodies, arm.base_body, "body", _where(arm, "base_body"))
    _find(spec.sites, arm.ee_site, "site", _where(arm, "ee_site"))
    if arm.gripper is not None:
        for actuator in arm.gripper.actuators:
            _find(spec.actuators, actuator, "actuator", _where(arm, "gripper.actuator"))
        for body in arm.gripper.finger_bodies:
            _find(spec.bodies, body, "body", _where(arm, "gripper.finger_bodies"))
        if not arm.gripper.open != arm.gripper.closed:
            raise ConfigError(f"{_where(arm, 'gripper')}: open and closed must differ")


def _add_arm_actuators(spec, model0, arm: ArmDescription, joints, home, joint_span) -> None:
    grippers = [] if arm.gripper is None else arm.gripper.actuators
    for actuator in list(spec.actuators):
        if actuator.name not in grippers:
            spec.delete(actuator)
    for group in (spec.sensors, spec.keys):
        for element in list(group):
            spec.delete(element)
    kp, kd = arm.per_joint("kp", joints), arm.per_joint("kd", joints)
    limit = arm.per_joint("torque_limit", joints)
    for i, name in enumerate(joints):
        joint = model0.joint(name)
        low, high = joint.range if joint.limited[0] else (-np.inf, np.inf)
        low, high = max(low, home[i] - joint_span), min(high, home[i] + joint_span)
        add_position_actuator(spec, f"{name}_position", name, kp=kp[i], kd=kd[i],
                              ctrlrange=(low, high), torque_limit=limit[i])  # fmt: skip
    for name in grippers:  # the gripper's actuators come after the arm's in the action vector
        gripper = _find(spec.actuators, name, "actuator", "gripper")
        spec.delete(gripper)
        copy = spec.add_actuator(name=name, target=gripper.target)
        for field in COPIED_ACTUATOR_FIELDS:
            setattr(copy, field, getattr(gripper, field))
        low, high = sorted((arm.gripper.open, arm.gripper.closed))
        copy.ctrllimited, copy.ctrlrange = mujoco.mjtLimited.mjLIMITED_TRUE, [low, high]


def _add_light(spec: mujoco.MjSpec, space: Workspace) -> None:
    """A light over the workspace (for renders; an arm's MJCF often brings none)."""
    spec.worldbody.add_light(name="robodrl_light", pos=[*space.base[:2], space.table_z + 3.0],
                             dir=[0, 0, -1], type=mujoco.mjtLightType.mjLIGHT_DIRECTIONAL,
                             diffuse=[0.7, 0.7, 0.7], castshadow=False)  # fmt: skip


def _add_table(spec: mujoco.MjSpec, space: Workspace) -> None:
    centre = space.base[:2] + 0.5 * space.reach * np.array(
        [np.cos(space.home_azimuth), np.sin(space.home_azimuth)]
    )
    half = [1.1 * space.reach, 1.1 * space.reach, 0.02]
    spec.worldbody.add_geom(name=TABLE, type=mujoco.mjtGeom.mjGEOM_BOX, size=half,
                            pos=[centre[0], centre[1], space.table_z - half[2]],
                            rgba=[0.55, 0.45, 0.35, 1], friction=[0.8, 0.005, 0.0001],
                            contype=SCENE_CONTACT[0], conaffinity=SCENE_CONTACT[1])  # fmt: skip


def _add_object(spec: mujoco.MjSpec, space: Workspace) -> None:
    h = space.block_half
    body = spec.worldbody.add_body(name=OBJECT, pos=[*space.home_ee[:2], space.table_z + h],
                                   quat=yaw_quat(space.grip_yaw))  # fmt: skip
    body.add_freejoint(name=f"{OBJECT}_joint")
    body.add_geom(name=OBJECT, type=mujoco.mjtGeom.mjGEOM_BOX, size=[h, h, h], mass=0.1,
                  rgba=[0.85, 0.2, 0.2, 1], condim=4, friction=[1.0, 0.01, 0.001],
                  contype=SCENE_CONTACT[0], conaffinity=SCENE_CONTACT[1])  # fmt: skip


def _add_goal(spec: mujoco.MjSpec, space: Workspace) -> None:
    goal = spec.worldbody.add_body(name=GOAL, mocap=True, pos=space.home_ee)
    goal.add_site(name=GOAL, type=mujoco.mjtGeom.mjGEOM_SPHERE, size=[0.02, 0, 0],
                  rgba=[0.1, 0.9, 0.1, 0.8])  # fmt: skip


def _add_finger_sensors(spec: mujoco.MjSpec, model0: mujoco.MjModel, arm: ArmDescription) -> None:
    """A touch sensor over each finger (``robodrl_finger<i>_touch``): a box site around the
    finger body's collision geoms, a few millimetres larger."""
    assert arm.gripper is not None
    data = mujoco.MjData(model0)
    mujoco.mj_kinematics(model0, data)
    for i, name in enumerate(arm.gripper.finger_bodies):
        body = model0.body(name).id
        world = geom_corners(model0, data, collision_geoms(model0, body))
        corners = (world - data.xpos[body]) @ data.xmat[body].reshape(3, 3)  # the body's frame
        low, high = corners.min(axis=0), corners.max(axis=0)
        site = spec.body(name).add_site(
            name=f"robodrl_finger{i}", type=mujoco.mjtGeom.mjGEOM_BOX, pos=(low + high) / 2,
            size=(high - low) / 2 + 0.003, rgba=[0, 0, 0, 0],
        )  # fmt: skip
        sensor = spec.add_sensor(name=f"{site.name}_touch", type=mujoco.mjtSensor.mjSENS_TOUCH)
        sensor.objtype, sensor.objname = mujoco.mjtObj.mjOBJ_SITE, site.name


def _add_roles(spec, model0, arm: ArmDescription, joints, has_object: bool) -> None:
    bodies = [model0.body(b).name for b in subtree_bodies(model0, model0.body(arm.base_body).id)]
    hand = model0.body(int(model0.site_bodyid[model0.site(arm.ee_site).id])).name
    roles = {
        "base": {"body": [arm.base_body]},
        "hand": {"body": [hand]},
        "arm": {
            "joint": joints,
            "actuator": [f"{j}_position" for j in joints],
            "body": [b for b in bodies if b],
        },
        "table": {"geom": [TABLE]},
    }
    if arm.gripper is not None:
        fingers = [model0.body(b).id for b in arm.gripper.finger_bodies]
        geoms = [model0.geom(g).name for b in fingers for g in collision_geoms(model0, b)]
        roles["gripper"] = {"actuator": arm.gripper.actuators, "body": arm.gripper.finger_bodies,
                            "geom": [g for g in geoms if g]}  # fmt: skip
    if has_object:
        roles["object"] = {"body": [OBJECT], "geom": [OBJECT]}
    add_roles(spec, roles)


def _compile(spec: mujoco.MjSpec, arm: ArmDescription, what: str) -> mujoco.MjModel:
    try:
        return spec.compile()
    except Exception as err:  # MuJoCo raises ValueError for compile errors
        raise ConfigError(f"{arm.source or 'arm'}: {what} does not compile: {err}") from None


def build_scene(arm: ArmDescription, *, with_object: bool, joint_span: float = 1.0) -> Scene:
    """Compile the arm with its actuators, the table, the goal marker and (``with_object``) a
    block; each arm actuator's ctrlrange is home ± ``joint_span`` rad within the joint's range."""
    path = arm.mjcf_path()
    try:
        spec = mujoco.MjSpec.from_file(str(path))
    except Exception as err:  # MuJoCo raises ValueError for parse errors
        raise ConfigError(f"{arm.source or 'arm'}: mjcf {str(path)!r}: {err}") from None
    _check_names(spec, arm)
    ee_site = _tool_point(spec, arm)
    model0 = _compile(spec.copy(), arm, f"the MJCF {str(path)!r}")  # radians, as compiled
    joints = arm_joint_names(model0, arm, gripper_joints(model0, arm))
    home = home_pose(model0, arm, joints)
    space = workspace_of(model0, arm, ee_site, joints, home)
    _add_arm_actuators(spec, model0, arm, joints, home, joint_span)
    base = spec.body(arm.base_body)
    if arm.gravity_compensation:
        for body in [base, *base.find_all(mujoco.mjtObj.mjOBJ_BODY)]:
            body.gravcomp = 1.0
    for geom in base.find_all(mujoco.mjtObj.mjOBJ_GEOM):  # the arm touches the scene, not itself
        geom.contype, geom.conaffinity = ARM_CONTACT
    _add_table(spec, space)
    _add_light(spec, space)
    _add_goal(spec, space)
    if with_object:
        _add_object(spec, space)
        if arm.gripper is not None:
            _add_finger_sensors(spec, model0, arm)
    _add_roles(spec, model0, arm, joints, with_object)
    if spec.memory < 0:
        spec.memory = ARENA_BYTES * max(1, -(-model0.nv // 32))
    spec.option.integrator = mujoco.mjtIntegrator.mjINT_IMPLICITFAST
    spec.option.cone = mujoco.mjtCone.mjCONE_ELLIPTIC
    model = _compile(spec, arm, "the scene")
    return Scene(model, ee_site, joints, home, space, with_object)
