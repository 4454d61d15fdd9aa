"""ManipulatorPush: push a block across the table to a goal with the user's arm."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from robodrl.envs.manipulator.block import BlockTask
from robodrl.envs.manipulator.scripted import ScriptedPush
from robodrl.envs.task import ResetNoise, _check_positive, _check_range


class ManipulatorPushTask(BlockTask):
    """Push the block to a goal on the table (``robodrl/ManipulatorPush-v0``).

    The block is drawn in the workspace's sector of the table (45-80% of the arm's reach,
    within 0.6 rad of its home direction), the goal ``goal_range`` m from it (U(10, 25 cm) by
    default, in any direction; Fetch's push draws it within 15 cm). Observations: see
    :class:`~robodrl.envs.manipulator.block.BlockTask`. Reward terms: ``reach`` -|pushing point -
    end effector| (the pushing point is just behind the block, on the side away from the goal),
    ``push`` -|goal - block| (m), ``success`` 1 for each step with the block at the goal, and
    ``joint_velocity`` -Σ q̇² (the lessons of ArmPush-v2: the block-to-goal distance weighs
    most, and success pays). Success: the block's centre within
    ``success_distance`` m of the goal (Fetch's 5 cm by default). The episode ends early when
    the block falls off the table.
    """

    reward_defaults: ClassVar[dict[str, float]] = {
        "reach": 1.0,
        "push": 3.0,
        "success": 1.0,
        "joint_velocity": 0.001,
    }

    def __init__(self, *, goal_range: tuple[float, float] = (0.1, 0.25), **arguments) -> None:
        arguments.setdefault("episode_seconds", 5.0)
        super().__init__(**arguments)
        _check_range(goal_range=goal_range)
        _check_positive(goal_range_low=goal_range[0])
        self.goal_range = tuple(goal_range)

    def reset(self, ids: np.ndarray, noise: ResetNoise) -> None:
        self.reset_arm(ids, noise)
        block = self.reset_block(ids, noise)
        draw = noise.uniform(ids, 0.0, 1.0, 2)
        distance = self.goal_range[0] + (self.goal_range[1] - self.goal_range[0]) * draw[:, 0]
        angle = 2 * np.pi * draw[:, 1]
        offset = distance[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1)
        self.place_goal(ids, np.concatenate([block[:, :2] + offset, block[:, 2:]], axis=1))

    def pushing_point(self) -> np.ndarray:
        """Where the hand pushes from: behind the block, away from the goal, at its height."""
        away = -self.block_to_goal()
        away[:, 2] = 0.0
        away /= np.maximum(np.linalg.norm(away, axis=1, keepdims=True), 1e-6)
        return self.block_pos() + (self.scene.workspace.block_half + 0.02) * away

    def reward_terms(self, ctrl: np.ndarray) -> dict[str, np.ndarray]:
        to_point = np.linalg.norm(self.pushing_point() - self.ee_pos(), axis=1)
        to_goal = np.linalg.norm(self.block_to_goal(), axis=1)
        return {
            "reach": -to_point,
            "push": -to_goal,
            "success": self.success().astype(float),
            "joint_velocity": self.joint_velocity_cost(),
        }

    def scripted_expert(self, layout: dict[str, slice]) -> ScriptedPush:
        return ScriptedPush(self, layout)
