"""Resolve names and glob patterns to model elements; unknown names list the valid ones."""

from __future__ import annotations

import fnmatch

import mujoco
import numpy as np

from robodrl.errors import ConfigError
from robodrl.robustness.roles import role_names

OBJECT_TYPES = {
    "body": mujoco.mjtObj.mjOBJ_BODY,
    "geom": mujoco.mjtObj.mjOBJ_GEOM,
    "joint": mujoco.mjtObj.mjOBJ_JOINT,
    "actuator": mujoco.mjtObj.mjOBJ_ACTUATOR,
}
_COUNTS = {"body": "nbody", "geom": "ngeom", "joint": "njnt", "actuator": "nu"}
_DOFS_PER_JOINT = {
    mujoco.mjtJoint.mjJNT_FREE: 6,
    mujoco.mjtJoint.mjJNT_BALL: 3,
    mujoco.mjtJoint.mjJNT_SLIDE: 1,
    mujoco.mjtJoint.mjJNT_HINGE: 1,
}


def element_names(model: mujoco.MjModel, kind: str) -> list[str]:
    """Names of every element of ``kind`` (the world body excluded), in id order."""
    first = 1 if kind == "body" else 0
    count = getattr(model, _COUNTS[kind])
    return [mujoco.mj_id2name(model, OBJECT_TYPES[kind], i) or "" for i in range(first, count)]


def match_elements(
    model: mujoco.MjModel, kind: str, pattern: str, *, where: str
) -> tuple[np.ndarray, list[str]]:
    """Ids and names of the ``kind`` elements whose name matches ``pattern`` (a glob, or a role
    such as ``@base``: see :mod:`robodrl.robustness.roles`)."""
    first = 1 if kind == "body" else 0
    names = element_names(model, kind)
    if pattern.startswith("@"):
        wanted = role_names(model, kind, pattern, where=where)
        return np.array([names.index(n) + first for n in wanted]), wanted
    hits = [(i + first, n) for i, n in enumerate(names) if n and fnmatch.fnmatchcase(n, pattern)]
    if not hits:
        valid = ", ".join(n for n in names if n) or "(none)"
        raise ConfigError(f"{where}: no {kind} matches {pattern!r}; valid {kind} names: {valid}")
    return np.array([i for i, _ in hits]), [n for _, n in hits]


def joint_dofs(model: mujoco.MjModel, joints: np.ndarray) -> np.ndarray:
    """Degree-of-freedom indices of ``joints``."""
    dofs = [
        model.jnt_dofadr[j] + k
        for j in joints
        for k in range(_DOFS_PER_JOINT[mujoco.mjtJoint(model.jnt_type[j])])
    ]
    return np.array(dofs, dtype=np.int64)


def free_joint_dofs(model: mujoco.MjModel, body: int, *, where: str) -> np.ndarray:
    """The 6 dof indices of ``body``'s free joint; an error if it has none."""
    for j in range(model.body_jntadr[body], model.body_jntadr[body] + model.body_jntnum[body]):
        if model.jnt_type[j] == mujoco.mjtJoint.mjJNT_FREE:
            return model.jnt_dofadr[j] + np.arange(6)
    free = [
        model.body(int(model.jnt_bodyid[j])).name
        for j in range(model.njnt)
        if model.jnt_type[j] == mujoco.mjtJoint.mjJNT_FREE
    ]
    raise ConfigError(
        f"{where}: body {model.body(body).name!r} has no free joint, so it cannot take a "
        f"velocity kick; bodies with free joints: {free or '(none)'}; use kind: force instead"
    )
