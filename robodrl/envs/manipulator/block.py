"""What the block tasks share (push, pick and place): the block on the table, where it starts,
what the policy sees of it, the fingers' touch, and the episode's end when it leaves the table."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from mujoco import batch as mjbatch

from robodrl.envs.manipulator.build import OBJECT
from robodrl.envs.manipulator.task import ManipulatorTask
from robodrl.envs.manipulator.workspace import yaw_quat
from robodrl.envs.task import ResetNoise, _check_positive

#: a finger touches something when its touch sensor reads more than this (N)
TOUCH_NEWTONS = 0.5


class BlockTask(ManipulatorTask):
    """A block on the table, drawn in the workspace at each reset, square to the fingers.

    Observation blocks after the arm's: the block's position relative to the end effector's
    home position, its orientation (quaternion), its linear velocity, the block minus the end
    effector, the goal relative to home, the goal minus the block (m, m/s).
    """

    with_object = True
    goal_blocks: ClassVar[tuple[str, str, tuple[str, ...]]] = (
        "block_pos",
        "goal_pos",
        ("block_to_goal",),
    )

    def __init__(self, *, success_distance: float = 0.05, **arguments) -> None:
        super().__init__(**arguments)
        _check_positive(success_distance=success_distance)
        self.success_distance = success_distance

    def task_observations(self) -> list[tuple[str, int]]:
        return [("block_pos", 3), ("block_quat", 4), ("block_vel", 3), ("ee_to_block", 3),
                ("goal_pos", 3), ("block_to_goal", 3)]  # fmt: skip

    def bind(self, batch: mjbatch.Batch, model) -> None:
        super().bind(batch, model)
        joint = model.joint(f"{OBJECT}_joint")
        self.block_qpos = int(joint.qposadr[0])
        self.block_qvel = int(joint.dofadr[0])
        self.sensordata = batch.bind("sensordata")
        fingers = 0 if self.arm.gripper is None else len(self.arm.gripper.finger_bodies)
        self.touch = np.array(
            [model.sensor(f"robodrl_finger{i}_touch").adr[0] for i in range(fingers)], dtype=int
        )

    def reset_block(self, ids: np.ndarray, noise: ResetNoise) -> np.ndarray:
        """Put the block at rest on the table at a point of the workspace; return it."""
        space = self.scene.workspace
        xy = self.sample_on_table(ids, noise)
        position = np.concatenate([xy, np.full((len(ids), 1), space.table_z + space.block_half)], 1)
        qpos = self.qpos[ids]
        qpos[:, self.block_qpos : self.block_qpos + 3] = position
        qpos[:, self.block_qpos + 3 : self.block_qpos + 7] = yaw_quat(space.grip_yaw)
        self.qpos[ids] = qpos
        return position

    def block_pos(self) -> np.ndarray:
        return self.qpos[:, self.block_qpos : self.block_qpos + 3]

    def block_to_goal(self) -> np.ndarray:
        return self.goal_pos() - self.block_pos()

    def hand_to_block(self) -> np.ndarray:
        """Distance from the end effector to the block's centre (m), ``(num_envs,)``."""
        return np.linalg.norm(self.block_pos() - self.ee_pos(), axis=1)

    def grasped(self) -> np.ndarray:
        """Every finger touches something while the block is off the table."""
        if self.gripper is None:
            return np.zeros(len(self.qpos), dtype=bool)
        touching = (self.sensordata[:, self.touch] > TOUCH_NEWTONS).all(axis=1)
        space = self.scene.workspace
        return touching & (self.block_pos()[:, 2] > space.table_z + space.block_half + 0.005)

    def observe(self) -> np.ndarray:
        home = self.scene.workspace.home_ee
        block = self.block_pos()
        return np.concatenate([
            *self.arm_observations(), block - home,
            self.qpos[:, self.block_qpos + 3 : self.block_qpos + 7],
            self.qvel[:, self.block_qvel : self.block_qvel + 3], block - self.ee_pos(),
            self.goal_pos() - home, self.block_to_goal(),
        ], axis=1)  # fmt: skip

    def terminated(self) -> np.ndarray:
        """The block fell off the table."""
        return self.block_pos()[:, 2] < self.scene.workspace.table_z - 0.05

    def success(self) -> np.ndarray:
        return np.linalg.norm(self.block_to_goal(), axis=1) < self.success_distance
