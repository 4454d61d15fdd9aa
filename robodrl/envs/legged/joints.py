"""A quadruped's leg joints in an MJCF: which are actuated, their ranges and the standing pose.

Joints tied to another by a joint equality constraint (``<equality><joint joint1=.. joint2=..>``:
``joint1`` follows a polynomial of ``joint2``) are *coupled*: ``joint1`` gets no actuator and no
observation of its own, since a PD servo on it would fight the constraint. Other constraints on a
leg joint (a tendon equality) are refused with the constraint's name.
"""

from __future__ import annotations

import mujoco
import numpy as np

from robodrl.envs.tree import subtree_joints
from robodrl.errors import ConfigError


def coupled_joints(model: mujoco.MjModel, joints: list[int], *, where: str) -> dict[int, str]:
    """Joint id -> equality name, for each leg joint that follows another through a constraint."""
    coupled: dict[int, str] = {}
    legs = set(joints)
    for e in range(model.neq):
        name = model.equality(e).name or f"#{e}"
        kind = int(model.eq_type[e])
        if kind == int(mujoco.mjtEq.mjEQ_JOINT) and int(model.eq_obj1id[e]) in legs:
            coupled[int(model.eq_obj1id[e])] = name
        elif kind == int(mujoco.mjtEq.mjEQ_TENDON) and _tendon_touches(model, e, legs):
            raise ConfigError(
                f"{where}: the tendon equality {name!r} couples leg joints; robodrl couples "
                "joints only through joint equalities (<equality><joint joint1=... "
                "joint2=.../>): rewrite it as one, or remove it"
            )
    return coupled


def _tendon_touches(model: mujoco.MjModel, equality: int, joints: set[int]) -> bool:
    for tendon in (int(model.eq_obj1id[equality]), int(model.eq_obj2id[equality])):
        if tendon < 0:
            continue
        start, count = model.tendon_adr[tendon], model.tendon_num[tendon]
        for w in range(start, start + count):
            if (
                int(model.wrap_type[w]) == int(mujoco.mjtWrap.mjWRAP_JOINT)
                and model.wrap_objid[w] in joints
            ):
                return True
    return False


def actuated_joints(model: mujoco.MjModel, base: int, *, where: str) -> list[str]:
    """Names of the leg joints that get an actuator: every hinge / slide below the base but
    those a joint equality makes follow another."""
    joints = subtree_joints(model, base)
    unnamed = [j for j in joints if not model.joint(j).name]
    if unnamed:
        raise ConfigError(f"{where}: joints {unnamed} have no name; name every leg joint")
    coupled = coupled_joints(model, joints, where=where)
    return [model.joint(j).name for j in joints if j not in coupled]


def joint_range(model: mujoco.MjModel, name: str) -> tuple[float, float] | None:
    """A limited joint's range in radians (or metres), None if unlimited."""
    joint = model.joint(name)
    if not model.jnt_limited[joint.id]:
        return None
    low, high = model.jnt_range[joint.id]
    return float(low), float(high)


def check_pose(model: mujoco.MjModel, names: list[str], pose: np.ndarray, *, where: str) -> None:
    """Refuse a standing pose outside a limited joint's range (both in radians)."""
    for name, angle in zip(names, pose, strict=True):
        limits = joint_range(model, name)
        if limits is not None and not limits[0] - 1e-9 <= angle <= limits[1] + 1e-9:
            raise ConfigError(
                f"{where}: standing_pose: {angle:g} rad for joint {name!r} is outside its "
                f"range [{limits[0]:.4g}, {limits[1]:.4g}] rad (an MJCF in degrees is converted: "
                "give the pose in radians)"
            )


def followers(model: mujoco.MjModel, joints: list[str]) -> list[tuple[int, int, np.ndarray]]:
    """(follower qpos index, leader qpos index, polynomial) of each joint equality among the
    robot's joints: follower - qpos0 = poly(leader - qpos0), as MuJoCo defines it."""
    ids = {model.joint(j).id for j in joints}
    found = []
    for e in range(model.neq):
        if int(model.eq_type[e]) != int(mujoco.mjtEq.mjEQ_JOINT):
            continue
        follower, leader = int(model.eq_obj1id[e]), int(model.eq_obj2id[e])
        if leader in ids:
            found.append((int(model.jnt_qposadr[follower]), int(model.jnt_qposadr[leader]),
                          np.array(model.eq_data[e, :5])))  # fmt: skip
    return found


def place_followers(qpos: np.ndarray, qpos0: np.ndarray, coupled: list) -> None:
    """Set each follower joint where its constraint puts it, in a ``(n, nq)`` qpos block."""
    for follower, leader, poly in coupled:
        x = qpos[:, leader] - qpos0[leader]
        qpos[:, follower] = qpos0[follower] + sum(c * x**k for k, c in enumerate(poly))
