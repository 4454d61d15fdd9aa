"""Where the manipulation tasks put things, from the arm itself: its reach (found by IK), the
home position and orientation of its end effector, the table's height, the block's size and
the direction in which the fingers close."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import mujoco
import numpy as np

from robodrl.envs.manipulator.ik import solve
from robodrl.envs.manipulator.robot import ArmDescription
from robodrl.errors import ConfigError


def collision_geoms(model: mujoco.MjModel, body: int) -> list[int]:
    """The geoms of ``body`` that take part in contacts (all of them if none does)."""
    geoms = [g for g in range(model.ngeom) if int(model.geom_bodyid[g]) == body]
    touching = [g for g in geoms if model.geom_contype[g] or model.geom_conaffinity[g]]
    return touching or geoms


def geom_corners(model: mujoco.MjModel, data: mujoco.MjData, geoms: list[int]) -> np.ndarray:
    """The world positions of the corners of each geom's bounding box, ``(8 x len(geoms), 3)``
    (``data``'s kinematics must be current)."""
    signs = np.array(list(itertools.product((-1, 1), repeat=3)))
    return np.concatenate([
        data.geom_xpos[g] + (model.geom_aabb[g, :3] + signs * model.geom_aabb[g, 3:])
        @ data.geom_xmat[g].reshape(3, 3).T
        for g in geoms
    ])  # fmt: skip


@dataclass(frozen=True)
class Workspace:
    """Where the tasks place things (world frame, metres, radians), from the arm itself: the
    base's position, the end effector's home position and orientation, the table's height,
    the arm's reach (the farthest the end effector gets from the base, horizontally, pointing
    as at home, 10 cm above the table), and the block's half size. Tasks place targets and
    blocks at ``radius`` x reach from the base, within ``azimuth`` of the home direction."""

    base: np.ndarray
    home_ee: np.ndarray
    home_rotation: np.ndarray
    table_z: float
    reach: float
    block_half: float
    grip_yaw: float = 0.0
    radius: tuple[float, float] = (0.45, 0.8)
    azimuth: float = 0.6

    @property
    def home_azimuth(self) -> float:
        return float(np.arctan2(*(self.home_ee - self.base)[1::-1]))


def _home_data(model0: mujoco.MjModel, joints: list[str], home: np.ndarray) -> mujoco.MjData:
    data = mujoco.MjData(model0)
    for name, angle in zip(joints, home, strict=True):
        data.qpos[model0.joint(name).qposadr[0]] = angle
    mujoco.mj_forward(model0, data)
    return data


def _reach(model0, arm: ArmDescription, ee_site: str, joints, home, data: mujoco.MjData) -> float:
    """The farthest horizontal distance from the base at which the end effector gets, along
    its home direction, 10 cm above the base, pointing as at home (bisection on IK)."""
    base, ee = data.body(arm.base_body).xpos, data.site(ee_site).xpos
    rotation = data.site(ee_site).xmat.reshape(3, 3).copy()
    anchors = [data.xanchor[model0.joint(j).id] for j in joints] + [ee]
    longest = sum(float(np.linalg.norm(b - a)) for a, b in itertools.pairwise(anchors))
    direction = (ee - base)[:2] / np.linalg.norm((ee - base)[:2])
    low, high = 0.0, longest + 0.1
    for _ in range(10):
        middle = (low + high) / 2
        target = np.array([*(base[:2] + middle * direction), base[2] + 0.1])
        found = solve(model0, ee_site, joints, target, rotation, home)
        low, high = (middle, high) if found.position_error < 0.002 else (low, middle)
    return low


def workspace_of(model0: mujoco.MjModel, arm: ArmDescription, ee_site: str, joints, home
                 ) -> Workspace:  # fmt: skip
    data = _home_data(model0, joints, home)
    base, ee = data.body(arm.base_body).xpos.copy(), data.site(ee_site).xpos.copy()
    if float(np.linalg.norm((ee - base)[:2])) < 0.05:
        raise ConfigError(
            f"{arm.source or 'arm'}: home: the end effector is above the base at home; give a "
            "home pose that reaches out over the table"
        )
    reach = _reach(model0, arm, ee_site, joints, home, data)
    if reach < 0.15:
        raise ConfigError(
            f"{arm.source or 'arm'}: home: pointing as at home, the end effector reaches only "
            f"{reach:.3f} m from the base at table height; is the home pose's end effector "
            f"{arm.ee_site!r} pointing down at the table?"
        )
    opening = 0.08 if arm.gripper is None else 2 * abs(arm.gripper.open - arm.gripper.closed)
    return Workspace(
        base=base,
        home_ee=ee,
        home_rotation=data.site(ee_site).xmat.reshape(3, 3).copy(),
        table_z=float(base[2]),
        reach=reach,
        block_half=float(min(0.025, 0.2 * opening)),
        grip_yaw=_grip_yaw(model0, arm, ee_site, data),
    )


def _grip_yaw(model0: mujoco.MjModel, arm: ArmDescription, ee_site: str, data) -> float:
    """The direction (yaw, rad) in which the fingers close at home: blocks are placed square to
    it (the x axis of the end effector's frame without a gripper)."""
    axis = data.site(ee_site).xmat.reshape(3, 3)[:, 0]
    if arm.gripper is not None:
        first, second = (
            np.mean([data.geom_xpos[g] for g in collision_geoms(model0, model0.body(b).id)], 0)
            for b in arm.gripper.finger_bodies[:2]
        )
        if np.linalg.norm((second - first)[:2]) > 1e-6:
            axis = second - first
    return float(np.arctan2(axis[1], axis[0]))


def yaw_quat(yaw: float) -> list[float]:
    """The quaternion of a turn by ``yaw`` about the vertical."""
    return [float(np.cos(yaw / 2)), 0.0, 0.0, float(np.sin(yaw / 2))]
