"""ManipulatorReach: bring the end effector of the user's arm to a target in its workspace."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from robodrl.envs.manipulator.task import ManipulatorTask
from robodrl.envs.task import ResetNoise, _check_positive


class ManipulatorReachTask(ManipulatorTask):
    """Reach a target anywhere in the arm's workspace (``robodrl/ManipulatorReach-v0``).

    The target is drawn in the workspace's sector of the table (45-80% of the arm's reach from
    its base, within 0.6 rad of its home direction), 5 cm to 0.4 x reach above the table.
    Observations: the arm's (see :mod:`~robodrl.envs.manipulator.task`), then the target
    relative to the end effector's home position and the target minus the end effector (m).
    Reward terms: ``distance`` -|target - end effector| (m), ``joint_velocity`` -Σ q̇².
    Success (``info["is_success"]``): the end effector within ``success_distance`` m.
    """

    reward_defaults: ClassVar[dict[str, float]] = {"distance": 1.0, "joint_velocity": 0.001}

    def __init__(self, *, success_distance: float = 0.02, **arguments) -> None:
        super().__init__(**arguments)
        _check_positive(success_distance=success_distance)
        self.success_distance = success_distance

    goal_blocks: ClassVar[tuple[str, str, tuple[str, ...]]] = (
        "ee_pos",
        "target_pos",
        ("ee_to_target",),
    )

    def task_observations(self) -> list[tuple[str, int]]:
        return [("target_pos", 3), ("ee_to_target", 3)]

    def task_contract(self, home_ee: list[float]) -> dict[str, dict]:
        """The target is the operator's (a position in the base frame); the hand to target is
        the target minus the hand."""
        return {
            "target_pos": {"signal": "target_position", "offset": home_ee, "source": "operator"},
            "ee_to_target": {
                "kind": "difference",
                "signals": ["target_position", "end_effector_position"],
            },
        }

    def reset(self, ids: np.ndarray, noise: ResetNoise) -> None:
        self.reset_arm(ids, noise)
        space = self.scene.workspace
        height = noise.uniform(ids, space.table_z + 0.05, space.table_z + 0.4 * space.reach, 1)
        self.place_goal(ids, np.concatenate([self.sample_on_table(ids, noise), height], axis=1))

    def _to_target(self) -> np.ndarray:
        return self.goal_pos() - self.ee_pos()

    def observe(self) -> np.ndarray:
        target = self.goal_pos() - self.scene.workspace.home_ee
        return np.concatenate([*self.arm_observations(), target, self._to_target()], axis=1)

    def reward_terms(self, ctrl: np.ndarray) -> dict[str, np.ndarray]:
        return {
            "distance": -np.linalg.norm(self._to_target(), axis=1),
            "joint_velocity": self.joint_velocity_cost(),
        }

    def success(self) -> np.ndarray:
        return np.linalg.norm(self._to_target(), axis=1) < self.success_distance
