"""Damped least-squares inverse kinematics, batched over simulations, and a solver for one pose.

One DLS step moves the arm joints by ``Jᵀ (J Jᵀ + λ² I)⁻¹ e`` for a task-space error ``e``
(position, and orientation as a rotation vector): the end-effector action mode takes one step
per control step on the batch's Jacobians (``mujoco.batch.Batch.jac``); :func:`solve` iterates on
one ``MjData`` to place the end effector at a pose (the robot check, scripted demonstrations).
"""

from __future__ import annotations

from dataclasses import dataclass

import mujoco
import numpy as np

DAMPING = 0.05


def dls_step(jacobian: np.ndarray, error: np.ndarray, damping: float = DAMPING) -> np.ndarray:
    """Joint motion ``(n, dofs)`` for task-space errors ``(n, k)``, Jacobians ``(n, k, dofs)``."""
    k = jacobian.shape[1]
    transposed = np.swapaxes(jacobian, 1, 2)
    gram = jacobian @ transposed + damping**2 * np.eye(k)
    return (transposed @ np.linalg.solve(gram, error[..., None]))[..., 0]


def rotation_error(target: np.ndarray, current: np.ndarray) -> np.ndarray:
    """The rotation vector (world frame, ``(n, 3)``) that turns ``current`` into ``target``
    (rotation matrices ``(n, 3, 3)``), exact for small errors (sin θ · axis)."""
    relative = target @ np.swapaxes(current, 1, 2)
    skew = relative - np.swapaxes(relative, 1, 2)
    return 0.5 * np.stack([skew[:, 2, 1], skew[:, 0, 2], skew[:, 1, 0]], axis=1)


def yaw_rotation(yaw: np.ndarray) -> np.ndarray:
    """Rotations about the world z axis, ``(n, 3, 3)``."""
    c, s = np.cos(yaw), np.sin(yaw)
    rotation = np.zeros((len(yaw), 3, 3))
    rotation[:, 0, 0], rotation[:, 0, 1], rotation[:, 1, 0], rotation[:, 1, 1] = c, -s, s, c
    rotation[:, 2, 2] = 1.0
    return rotation


@dataclass(frozen=True)
class Solution:
    """What :func:`solve` found: the arm joint angles, and how far the end effector is from the
    asked position (m) and orientation (rad)."""

    joints: np.ndarray
    position_error: float
    orientation_error: float


def solve(
    model: mujoco.MjModel,
    site: str,
    joints: list[str],
    position: np.ndarray,
    rotation: np.ndarray | None,
    start: np.ndarray,
    *,
    iterations: int = 200,
) -> Solution:
    """Arm joint angles (within their ranges) that put ``site`` at ``position`` (and
    ``rotation``, a 3x3 matrix, unless None), from ``start``."""
    data = mujoco.MjData(model)
    qpos = np.array([model.joint(j).qposadr[0] for j in joints])
    dofs = np.array([model.joint(j).dofadr[0] for j in joints])
    ids = [model.joint(j).id for j in joints]
    limited = model.jnt_limited[ids].astype(bool)
    low = np.where(limited, model.jnt_range[ids, 0], -np.inf)
    high = np.where(limited, model.jnt_range[ids, 1], np.inf)
    site_id = model.site(site).id
    jacp, jacr = np.zeros((3, model.nv)), np.zeros((3, model.nv))
    q = np.array(start, dtype=float)
    for iteration in range(iterations + 1):
        data.qpos[qpos] = q
        mujoco.mj_kinematics(model, data)
        mujoco.mj_comPos(model, data)
        position_error = position - data.site_xpos[site_id]
        current = data.site_xmat[site_id].reshape(1, 3, 3)
        turn = np.zeros(3) if rotation is None else rotation_error(rotation[None], current)[0]
        close = np.linalg.norm(position_error) < 1e-4 and np.linalg.norm(turn) < 1e-3
        if close or iteration == iterations:
            break
        mujoco.mj_jacSite(model, data, jacp, jacr, site_id)
        rows = [jacp[:, dofs]] if rotation is None else [jacp[:, dofs], jacr[:, dofs]]
        error = position_error if rotation is None else np.concatenate([position_error, turn])
        step = dls_step(np.concatenate(rows)[None], error[None])[0]
        q = np.clip(q + step, low, high)
    return Solution(q, float(np.linalg.norm(position_error)), float(np.linalg.norm(turn)))
