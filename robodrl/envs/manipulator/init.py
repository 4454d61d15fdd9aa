"""``robodrl robot init MJCF`` for an arm (an MJCF without a free joint): its description.

- the base is the body where the kinematic tree starts: the world's child whose subtree holds
  the arm's joints;
- the end effector is a site below the last arm joint, preferably one named like a tool centre
  point (``tcp``, ``pinch``, ``grip``, ``tool``, ``ee``, ``end``, ``attachment``), else the
  deepest; without one the error says where to add it. With a gripper, the tool point is
  between the fingers, 1 cm above their tips; a site farther than 5 mm from it gets an
  ``ee_offset`` (in the site's frame);
- the arm joints are the hinge / slide joints on the path from the base to that site; the
  gripper is the actuators that drive none of them (one, or one per finger), its fingers the
  bodies with collision geoms that the other joints move; which end of the ctrlrange is open is
  found by driving the gripper to each end and measuring the fingers' gap;
- the home pose comes from a keyframe (``home``, ``ready``, else the first), else qpos0;
- torque limits come from actuator ``forcerange``, joint ``actuatorfrcrange`` or a motor's gear
  x ctrlrange; kp / kd from the MJCF's position actuators, else kp reaches the torque limit at
  0.2 rad and kd damps each joint critically (its inertia at qpos0).
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import mujoco
import numpy as np

from robodrl.envs.descriptions import Finding
from robodrl.envs.manipulator.workspace import collision_geoms, geom_corners
from robodrl.envs.motors import position_gains, torque_limit
from robodrl.envs.tree import joints_on, subtree_bodies, subtree_joints
from robodrl.errors import ConfigError

TCP_NAMES = ("tcp", "pinch", "grip", "tool", "ee", "end", "attachment", "flange")
FULL_TORQUE_AT = 0.2  # rad: the fallback kp gives the full torque at this error
TIP_CLEARANCE = 0.01  # m: the tool point is this far above the fingertips
TOOL_TOLERANCE = 0.005  # m: a site closer than this to the tool point is used as it is


def _base(model: mujoco.MjModel, where: str) -> int:
    """The world's child whose subtree holds the most hinge / slide joints."""
    counts = {}
    for body in range(1, model.nbody):
        if int(model.body_parentid[body]) == 0:
            counts[body] = len(subtree_joints(model, body))
    if not counts or max(counts.values()) == 0:
        raise ConfigError(f"{where}: no hinge or slide joint in the MJCF; nothing to actuate")
    return max(counts, key=counts.get)


def _chain(model: mujoco.MjModel, body: int, base: int) -> list[int]:
    """Bodies from ``base`` down to ``body``."""
    path = [body]
    while path[-1] != base and path[-1] != 0:
        path.append(int(model.body_parentid[path[-1]]))
    return path[::-1]


def _ee_site(model: mujoco.MjModel, base: int, where: str) -> int:
    bodies = subtree_bodies(model, base)
    sites = [s for s in range(model.nsite) if int(model.site_bodyid[s]) in bodies]
    if not sites:
        raise ConfigError(
            f"{where}: no site on the arm; add a site at the tool centre point (between the "
            'fingertips) to the last link or the hand, e.g. <site name="tcp" pos="0 0 0.1"/>'
        )
    depth = {s: len(_chain(model, int(model.site_bodyid[s]), base)) for s in sites}
    named = [s for s in sites if any(t in model.site(s).name.lower() for t in TCP_NAMES)]
    return max(named or sites, key=lambda s: (depth[s], s))


def _arm_joints(model: mujoco.MjModel, base: int, site: int, where: str) -> list[int]:
    """Hinge / slide joints on the bodies from the base to the site's body."""
    chain = joints_on(model, _chain(model, int(model.site_bodyid[site]), base))
    if not chain:
        raise ConfigError(f"{where}: no joint between the base and site {model.site(site).name!r}")
    return chain


def _gripper(model, arm_joints: list[int], base: int, where: str) -> dict | None:
    """The actuators that drive no arm joint, the finger bodies they move, and which end of
    their ctrlrange is open."""
    joint_trn = (int(mujoco.mjtTrn.mjTRN_JOINT), int(mujoco.mjtTrn.mjTRN_JOINTINPARENT))
    arm = set(arm_joints)
    drives_arm = [
        int(model.actuator_trntype[a]) in joint_trn and int(model.actuator_trnid[a, 0]) in arm
        for a in range(model.nu)
    ]
    actuators = [a for a in range(model.nu) if not drives_arm[a]]
    if not actuators:
        return None
    ranges = {tuple(np.round(model.actuator_ctrlrange[a], 9)) for a in actuators}
    names = [model.actuator(a).name for a in actuators]
    if len(ranges) > 1 or not all(names):
        raise ConfigError(
            f"{where}: the actuators that drive no arm joint ({names}) differ in ctrlrange or are "
            "unnamed; which drive the gripper? Write gripper.actuator in the description"
        )
    fingers = _finger_bodies(model, arm_joints, base)
    if len(fingers) < 2:
        raise ConfigError(
            f"{where}: the gripper's joints move fewer than two bodies with collision geoms "
            "(its fingers); write gripper.finger_bodies in the description"
        )
    low, high = model.actuator_ctrlrange[actuators[0]]
    gaps = [_finger_gap(model, actuators, value, fingers) for value in (low, high)]
    open_, closed = (high, low) if gaps[1] > gaps[0] else (low, high)
    return {
        "actuator": names[0] if len(names) == 1 else names,
        "open": float(open_),
        "closed": float(closed),
        "finger_bodies": [model.body(b).name for b in fingers],
    }


def _finger_bodies(model: mujoco.MjModel, arm_joints: list[int], base: int) -> list[int]:
    """The bodies below the hand that a non-arm joint moves and that carry collision geoms,
    highest first (a finger's own links below it are part of it)."""
    moved = []
    for j in subtree_joints(model, base):
        body = int(model.jnt_bodyid[j])
        if j not in arm_joints and body not in moved:
            moved.append(body)
    fingers = []
    for body in moved:
        below = subtree_bodies(model, body)
        if any(f in below for f in fingers) or any(
            body in subtree_bodies(model, f) for f in fingers
        ):
            continue
        if any(model.geom_contype[g] or model.geom_conaffinity[g]
               for g in range(model.ngeom) if int(model.geom_bodyid[g]) in below):  # fmt: skip
            fingers.append(body)
    return fingers


def _finger_gap(model, actuators: list[int], ctrl: float, fingers: list[int]) -> float:
    """The largest distance between the fingers after 1 s at ``ctrl`` (no gravity)."""
    data = mujoco.MjData(model)
    gravity = model.opt.gravity.copy()
    model.opt.gravity[:] = 0.0
    try:
        for _ in range(round(1.0 / model.opt.timestep)):
            data.ctrl[:] = 0.0
            data.ctrl[actuators] = ctrl
            mujoco.mj_step(model, data)
    finally:
        model.opt.gravity[:] = gravity
    centres = [data.xipos[b] for b in fingers]
    return max(float(np.linalg.norm(a - b)) for a, b in itertools.combinations(centres, 2))


def _tool_offset(model: mujoco.MjModel, site: int, fingers: list[str], home) -> np.ndarray:
    """From the site to the tool point, in the site's frame: between the fingers, 1 cm above
    their tips along the site's z axis (the hand's approach direction), at the home pose."""
    data = mujoco.MjData(model)
    if isinstance(home, str):
        mujoco.mj_resetDataKeyframe(model, data, model.key(home).id)
    mujoco.mj_forward(model, data)
    rotation, origin = data.site_xmat[site].reshape(3, 3), data.site_xpos[site]
    fingers_corners = [geom_corners(model, data, collision_geoms(model, model.body(name).id))
                       for name in fingers]  # fmt: skip
    centres = [points.mean(axis=0) for points in fingers_corners]
    local = (np.concatenate(fingers_corners) - origin) @ rotation  # in the site's frame
    between = (np.mean(centres, axis=0) - origin) @ rotation
    return np.array([between[0], between[1], local[:, 2].max() - TIP_CLEARANCE])


def _home(model: mujoco.MjModel, joints: list[str]) -> tuple[str | dict, str]:
    keys = [model.key(k).name for k in range(model.nkey)]
    for name in ("home", "ready"):
        if name in keys:
            return name, f"keyframe {name!r}"
    if keys and keys[0]:
        return keys[0], f"the first keyframe {keys[0]!r}"
    return ({j: round(float(model.qpos0[model.joint(j).qposadr[0]]), 6) for j in joints},
            "qpos0 (no keyframe)")  # fmt: skip


def _gains(model: mujoco.MjModel, joints: list[str], limits: list[float]) -> list[Finding]:
    given = [position_gains(model, j) for j in joints]
    if all(g is not None for g in given):
        kp = {j: round(g[0], 3) + 0.0 for j, g in zip(joints, given, strict=True)}
        kd = {j: round(g[1], 3) + 0.0 for j, g in zip(joints, given, strict=True)}  # no -0.0
        return [Finding("kp", kp, "the MJCF's position actuators"),
                Finding("kd", kd, "the MJCF's position actuators")]  # fmt: skip
    kp = {j: round(limit / FULL_TORQUE_AT, 3) for j, limit in zip(joints, limits, strict=True)}
    inertia = {j: float(model.dof_M0[model.joint(j).dofadr[0]]) for j in joints}  # at qpos0
    kd = {j: round(2 * float(np.sqrt(kp[j] * inertia[j])), 3) for j in joints}
    return [Finding("kp", kp, f"full torque at {FULL_TORQUE_AT} rad"),
            Finding("kd", kd, "critically damped (the joint's inertia at qpos0)")]  # fmt: skip


def describe_arm(model: mujoco.MjModel, mjcf: Path, out: Path) -> tuple[dict, list[Finding]]:
    """The description of the arm in ``mjcf`` (compiled as ``model``; paths relative to
    ``out``'s folder)."""
    where = str(mjcf)
    base = _base(model, where)
    site = _ee_site(model, base, where)
    arm = _arm_joints(model, base, site, where)
    joints = [model.joint(j).name for j in arm]
    if not all(joints):
        raise ConfigError(f"{where}: every arm joint needs a name; unnamed joints on the arm")
    home, home_source = _home(model, joints)
    limits = [torque_limit(model, j, where) for j in joints]
    found = [
        Finding("mjcf", os.path.relpath(mjcf.resolve(), out.resolve().parent), "the file given"),
        Finding("base_body", model.body(base).name, "where the arm's kinematic tree starts"),
        Finding("arm_joints", joints, "hinge / slide joints from the base to the end effector"),
        Finding("ee_site", model.site(site).name, "the site below the last arm joint"),
    ]
    gripper = _gripper(model, arm, base, where)
    if gripper is not None:
        offset = _tool_offset(model, site, gripper["finger_bodies"], home)
        if np.linalg.norm(offset) > TOOL_TOLERANCE:
            found.append(Finding("ee_offset", [round(float(v), 4) + 0.0 for v in offset],
                                 f"the site is {1000 * np.linalg.norm(offset):.0f} mm from "
                                 "between the fingers, 1 cm above their tips"))  # fmt: skip
        found.append(Finding("gripper", gripper, "the actuators that drive no arm joint"))
    found += [
        Finding("home", home, home_source),
        Finding("torque_limit", {j: round(v, 3) for j, (v, _) in zip(joints, limits, strict=True)},
                ", ".join(sorted({source for _, source in limits}))),
        *_gains(model, joints, [v for v, _ in limits]),
    ]  # fmt: skip
    return {f.field: f.value for f in found}, found
