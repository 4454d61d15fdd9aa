"""A scripted pick and place in the end-effector action mode: above the block, down, close,
carry to the goal. It shows a block task is solvable as built on an arm, and it is an expert
for imitation (``robodrl demos record`` takes any policy)."""

from __future__ import annotations

import numpy as np

from robodrl.envs.manipulator.task import ManipulatorTask

HOVER = 0.08  # m above the block before descending
ALIGNED = 0.01  # m: close enough horizontally to descend, and to the block's centre to grip


class ScriptedPickPlace:
    """Actions in [-1, 1] for a block task in ``action="end_effector"`` mode (no yaw), from
    the observations alone: ``act(obs)`` for ``(num_envs, obs_dim)``."""

    def __init__(self, task: ManipulatorTask, layout: dict[str, slice]) -> None:
        if task.action != "end_effector" or task.yaw or task.arm.gripper is None:
            raise ValueError("the scripted pick and place needs end_effector actions, no yaw, "
                             "and a gripper")  # fmt: skip
        self.layout, self.step = layout, task.ee_step
        gripper = task.arm.gripper
        self.open = 1.0 if gripper.open > gripper.closed else -1.0
        block = task.scene.workspace.block_half
        span = abs(gripper.open - gripper.closed)
        #: the gripper's opening (0-1) when its fingers hold the block (with some slack)
        self.holding = min(0.9, (block + 0.004) / span)

    def act(self, obs: np.ndarray) -> np.ndarray:
        to_block = obs[:, self.layout["ee_to_block"]]
        to_goal = obs[:, self.layout["block_to_goal"]]
        opening = obs[:, self.layout["gripper_opening"]][:, 0]
        at_block = np.linalg.norm(to_block, axis=1) < 1.5 * ALIGNED
        holding = at_block & (opening < self.holding)
        above = np.linalg.norm(to_block[:, :2], axis=1) < ALIGNED
        move = to_block + np.array([0.0, 0.0, HOVER])  # first: above the block
        move[above] = to_block[above]  # then: down to it
        move[holding] = to_goal[holding]  # holding it: to the goal
        move[at_block & ~holding] = 0.0  # at it, not holding yet: stay while the fingers close
        grip = np.where(at_block, -self.open, self.open)
        return np.concatenate([np.clip(move / self.step, -1.0, 1.0), grip[:, None]], axis=1)
