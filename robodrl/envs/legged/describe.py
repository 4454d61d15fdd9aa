"""``robodrl robot init``: a robot description written from a quadruped's MJCF.

Every value is a guess with a reason (:class:`Finding`); what cannot be decided is a
``ConfigError`` that says what to add to the MJCF. See :func:`describe` for the rules.
"""

from __future__ import annotations

from pathlib import Path

import mujoco
import numpy as np

from robodrl.envs.legged.joints import followers, joint_range, place_followers
from robodrl.envs.legged.robot import LEGS
from robodrl.envs.tree import subtree_bodies
from robodrl.errors import ConfigError

POSE_KEYS = ("home", "stand", "standing")
ACTION_SCALE = 0.5


def compile_mjcf(path: Path) -> mujoco.MjModel:
    """The MJCF compiled as it is, or an error naming the file."""
    if not path.is_file():
        raise ConfigError(f"{path}: no such MJCF file")
    try:
        return mujoco.MjModel.from_xml_path(str(path))
    except Exception as err:  # MuJoCo raises ValueError for parse and compile errors
        raise ConfigError(f"{path}: MuJoCo cannot load it: {err}") from None


def find_base(model: mujoco.MjModel, where: str) -> int:
    """The one body with a free joint."""
    free = [
        int(model.jnt_bodyid[j])
        for j in range(model.njnt)
        if model.jnt_type[j] == mujoco.mjtJoint.mjJNT_FREE
    ]
    if len(free) != 1:
        names = [model.body(b).name for b in free]
        raise ConfigError(
            f"{where}: a quadruped's base is the one body with a free joint; found "
            f"{len(free)} ({names}): "
            + ("add <freejoint/> to the base body" if not free else "set base_body by hand")
        )
    if not model.body(free[0]).name:
        raise ConfigError(f"{where}: the free-floating base body (#{free[0]}) has no name; name it")
    return free[0]


def standing_pose(model: mujoco.MjModel, joints: list[str]) -> tuple[np.ndarray, str]:
    """Joint angles from a keyframe (home / stand, else the first), else qpos0 (a joint whose
    qpos0 is outside its range takes the middle of the range)."""
    keys = [model.key(k).name for k in range(model.nkey)]
    chosen = next((k for k, n in enumerate(keys) if n.lower() in POSE_KEYS), 0 if keys else None)
    adr = [int(model.jnt_qposadr[model.joint(j).id]) for j in joints]
    if chosen is not None:
        label = f"keyframe {keys[chosen]!r}" if keys[chosen] else f"keyframe #{chosen}"
        return model.key_qpos[chosen][adr].copy(), label
    pose, moved = model.qpos0[adr].copy(), []
    for i, joint in enumerate(joints):
        limits = joint_range(model, joint)
        if limits is not None and not limits[0] <= pose[i] <= limits[1]:
            pose[i], _ = (limits[0] + limits[1]) / 2, moved.append(joint)
    note = f"; outside their range, so mid-range: {moved}" if moved else ""
    return pose, f"qpos0 (no keyframe){note}"


def posed_data(model: mujoco.MjModel, base: int, joints: list[str], pose) -> mujoco.MjData:
    """Kinematics with the base at the origin, upright, and the legs in ``pose``."""
    data = mujoco.MjData(model)
    root = int(model.jnt_qposadr[model.body_jntadr[base]])
    data.qpos[root : root + 7] = [0, 0, 0, 1, 0, 0, 0]
    for joint, angle in zip(joints, pose, strict=True):
        data.qpos[model.jnt_qposadr[model.joint(joint).id]] = angle
    place_followers(data.qpos[None], model.qpos0, followers(model, joints))  # coupled joints
    mujoco.mj_kinematics(model, data)
    return data


def lowest_point(model: mujoco.MjModel, data: mujoco.MjData, geom: int) -> float:
    """The lowest z of a geom's bounding box in the world frame."""
    centre, half = model.geom_aabb[geom, :3], model.geom_aabb[geom, 3:]
    corners = centre + half * np.array(np.meshgrid([-1, 1], [-1, 1], [-1, 1])).reshape(3, -1).T
    world = data.geom_xpos[geom] + corners @ data.geom_xmat[geom].reshape(3, 3).T
    return float(world[:, 2].min())


def find_feet(model, data, base: int, joints: list[str], where: str) -> dict[str, str]:
    """Each leg's foot: the lowest collision geom of each leg chain below the base, assigned
    front / back by x and left / right by y in the base frame."""
    jointed = {int(model.joint(j).bodyid[0]) for j in joints}
    legs = [
        b
        for b in range(model.nbody)
        if int(model.body_parentid[b]) == base and jointed & set(subtree_bodies(model, b))
    ]
    if len(legs) != 4:
        raise ConfigError(
            f"{where}: found {len(legs)} leg chains below the base "
            f"({[model.body(b).name for b in legs]}); the Legged task needs a quadruped"
        )
    feet = {}
    for leg in legs:
        bodies = set(subtree_bodies(model, leg))
        geoms = [
            g
            for g in range(model.ngeom)
            if int(model.geom_bodyid[g]) in bodies
            and (model.geom_contype[g] or model.geom_conaffinity[g])
        ]
        if not geoms:
            raise ConfigError(f"{where}: leg {model.body(leg).name!r} has no collision geom")
        foot = min(geoms, key=lambda g: lowest_point(model, data, g))
        if not model.geom(foot).name:
            body = model.body(int(model.geom_bodyid[foot])).name
            raise ConfigError(
                f"{where}: the foot of leg {model.body(leg).name!r} (geom #{foot} on body "
                f'{body!r}, its lowest collision geom) has no name; add name="..." to it'
            )
        x, y = data.geom_xpos[foot, :2]
        side = ("front" if x > 0 else "back") + ("_left" if y > 0 else "_right")
        if side in feet or abs(x) < 1e-6 or abs(y) < 1e-6:
            raise ConfigError(
                f"{where}: cannot tell the legs apart front / back and left / right by their "
                f"feet's positions in the base frame (x forward, y left); set feet by hand"
            )
        feet[side] = model.geom(foot).name
    return {leg: feet[leg] for leg in LEGS}


def find_imu(model: mujoco.MjModel, base: int) -> tuple[str | None, str]:
    """A site on the base whose name says imu, else None (the task adds one at the base)."""
    sites = [model.site(s).name for s in range(model.nsite) if model.site_bodyid[s] == base]
    imu = next((s for s in sites if "imu" in s.lower()), None)
    if imu is not None:
        return imu, f"the site {imu!r} on the base"
    return None, "no IMU site on the base: the task adds one at the base's origin"
