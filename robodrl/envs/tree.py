"""An MJCF's kinematic tree, as legs and arms both read it: the bodies below a body and the hinge
/ slide joints on a set of bodies, in tree order (a parent's id precedes its children's in a
compiled model)."""

from __future__ import annotations

from collections.abc import Iterable

import mujoco

ACTUATED_TYPES = (int(mujoco.mjtJoint.mjJNT_HINGE), int(mujoco.mjtJoint.mjJNT_SLIDE))


def subtree_bodies(model: mujoco.MjModel, root: int) -> list[int]:
    """Body ``root`` and every body below it, in tree order."""
    inside = [root]
    members = {root}
    for body in range(root + 1, model.nbody):
        if int(model.body_parentid[body]) in members:
            inside.append(body)
            members.add(body)
    return inside


def joints_on(model: mujoco.MjModel, bodies: Iterable[int]) -> list[int]:
    """Hinge / slide joint ids on ``bodies``, in tree order."""
    inside = set(bodies)
    return [
        j
        for j in range(model.njnt)
        if int(model.jnt_bodyid[j]) in inside and int(model.jnt_type[j]) in ACTUATED_TYPES
    ]


def subtree_joints(model: mujoco.MjModel, base: int) -> list[int]:
    """Hinge / slide joint ids in the subtree below body ``base``, in tree order."""
    return joints_on(model, subtree_bodies(model, base))
