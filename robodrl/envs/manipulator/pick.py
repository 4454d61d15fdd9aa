"""ManipulatorPickPlace: pick the block up and bring it to a goal in the air with the user's arm
and its gripper."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from robodrl.envs.manipulator.block import BlockTask
from robodrl.envs.manipulator.scripted import ScriptedPickPlace
from robodrl.envs.task import ResetNoise, _check_non_negative
from robodrl.errors import TaskArgumentError


class ManipulatorPickPlaceTask(BlockTask):
    """Lift the block to a 3D goal (``robodrl/ManipulatorPickPlace-v0``; needs a gripper).

    The block and the goal's ground point are drawn in the workspace's sector of the table; the
    goal is ``goal_height`` x reach above the block's resting height at most (uniform), on the
    table in ``table_goal_probability`` of episodes. Observations: see
    :class:`~robodrl.envs.manipulator.block.BlockTask`. Reward terms: ``reach`` -|block - end
    effector|, ``grasp`` 1 while every finger holds the block off the table, ``place`` -|goal -
    block| (m), ``success`` 1 for each step at the goal, ``joint_velocity`` -Σ q̇². Success: the
    block's centre within ``success_distance`` m of the goal. The episode ends early when the
    block falls off the table.
    """

    reward_defaults: ClassVar[dict[str, float]] = {
        "reach": 1.0,
        "grasp": 0.5,
        "place": 3.0,
        "success": 1.0,
        "joint_velocity": 0.001,
    }

    def __init__(
        self, *, goal_height: float = 0.25, table_goal_probability: float = 0.2, **arguments
    ) -> None:
        arguments.setdefault("episode_seconds", 6.0)
        super().__init__(**arguments)
        if self.arm.gripper is None:
            raise TaskArgumentError(
                f"task argument robot: {self.arm.source or 'arm'} has no gripper; pick and "
                "place needs one (the description's gripper: field)"
            )
        _check_non_negative(goal_height=goal_height)
        if not 0.0 <= table_goal_probability <= 1.0:
            raise TaskArgumentError(
                f"task argument table_goal_probability={table_goal_probability!r} must be in [0, 1]"
            )
        self.goal_height, self.table_goal_probability = goal_height, table_goal_probability

    def reset(self, ids: np.ndarray, noise: ResetNoise) -> None:
        self.reset_arm(ids, noise)
        block = self.reset_block(ids, noise)
        draw = noise.uniform(ids, 0.0, 1.0, 2)
        lift = self.goal_height * self.scene.workspace.reach * draw[:, 0]
        lift[draw[:, 1] < self.table_goal_probability] = 0.0
        goal = np.concatenate([self.sample_on_table(ids, noise), block[:, 2:] + lift[:, None]], 1)
        self.place_goal(ids, goal)

    def reward_terms(self, ctrl: np.ndarray) -> dict[str, np.ndarray]:
        return {
            "reach": -self.hand_to_block(),
            "grasp": self.grasped().astype(float),
            "place": -np.linalg.norm(self.block_to_goal(), axis=1),
            "success": self.success().astype(float),
            "joint_velocity": self.joint_velocity_cost(),
        }

    def scripted_expert(self, layout: dict[str, slice]) -> ScriptedPickPlace:
        return ScriptedPickPlace(self, layout)
