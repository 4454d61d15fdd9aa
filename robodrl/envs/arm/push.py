"""ArmPush: push a block across the table onto a goal marker."""

from __future__ import annotations

from typing import ClassVar

import mujoco
import numpy as np
from mujoco import batch as mjbatch

from robodrl.envs.arm import names
from robodrl.envs.arm.base import ArmTask, sample_on_ring
from robodrl.envs.task import ResetNoise

BLOCK_HALF_SIZE = 0.03  # m, from push.xml
TIP_RADIUS = 0.02  # m, the pusher sphere in arm_robot.xml


class ArmPushTask(ArmTask):
    """Observations: arm joint angles (4), velocities (4), tip position (3), block position
    (3), block linear velocity (3), goal position (3), goal minus block (3), block minus tip
    (3); metres, radians, seconds, world frame.

    Reward terms: ``tip_to_block`` = -w·|block - tip|, ``block_to_goal`` = -w·|goal - block|
    (m), ``joint_velocity`` = -w·Σ q̇², ``block_fell`` = -w once, when the block falls off the
    table (which ends the episode), ``tip_to_push_point`` = -w·|push point - tip| (m), where
    the push point is where the tip touches the block's far side from the goal (the place to
    push from), and ``success`` = +w for each step the block is on the goal. Success: block
    centre within ``success_distance`` m of the goal.

    Versions: in ArmPush-v0 ``block_fell_weight`` is 0, so a policy can end a poor episode
    early by pushing the block off the table (every other term is a cost), and PPO learns to
    do exactly that. ArmPush-v1 charges 400, more than a whole episode (8 s, 400 steps) of
    distance costs. Both give the tip no hint of which side to push from and never pay for
    success; the lean PPO recipe on v1 put the block on the goal in none of its evaluation
    episodes. ArmPush-v2 draws the tip to the push point instead of the block's centre,
    weighs block-to-goal 3x and pays for each step on the goal (``recipes/RESULTS.md``).
    """

    xml_file = "push.xml"
    assets_package = "robodrl.envs.arm"
    marker = names.GOAL_MOCAP
    reward_defaults: ClassVar[dict[str, float]] = {
        "tip_to_block": 0.5,
        "block_to_goal": 1.0,
        "joint_velocity": 0.001,
        "block_fell": 0.0,
        "tip_to_push_point": 0.0,
        "success": 0.0,
    }

    def __init__(
        self,
        *,
        success_distance: float = 0.05,
        block_radius: tuple[float, float] = (0.3, 0.45),
        goal_radius: tuple[float, float] = (0.25, 0.5),
        reset_noise_scale: float = 0.1,
        frame_skip: int = 4,
        episode_seconds: float = 8.0,
        **weights: float,
    ) -> None:
        super().__init__(
            success_distance=success_distance,
            reset_noise_scale=reset_noise_scale,
            frame_skip=frame_skip,
            episode_seconds=episode_seconds,
            **weights,
        )
        self.block_radius = tuple(block_radius)
        self.goal_radius = tuple(goal_radius)
        self.obs_spec = [
            ("joint_pos", 4),
            ("joint_vel", 4),
            ("tip_pos", 3),
            ("block_pos", 3),
            ("block_vel", 3),
            ("goal_pos", 3),
            ("block_to_goal", 3),
            ("tip_to_block", 3),
        ]

    def bind(self, batch: mjbatch.Batch, model: mujoco.MjModel) -> None:
        super().bind(batch, model)
        joint = model.joint(names.OBJECT_JOINT)
        self.block_qpos = int(joint.qposadr[0])
        self.block_qvel = int(joint.dofadr[0])

    def reset(self, ids: np.ndarray, noise: ResetNoise) -> None:
        self.reset_arm(ids, noise)
        block = sample_on_ring(ids, noise, radius=self.block_radius, azimuth=0.6)
        goal = sample_on_ring(ids, noise, radius=self.goal_radius, azimuth=0.8)
        height = np.full((len(ids), 1), BLOCK_HALF_SIZE)
        qpos = self.qpos[ids]
        qpos[:, self.block_qpos : self.block_qpos + 3] = np.concatenate([block, height], axis=1)
        self.qpos[ids] = qpos
        self.mocap_pos[ids, self.marker_id] = np.concatenate([goal, height], axis=1)

    def block_pos(self) -> np.ndarray:
        """Block centre in the world frame (m)."""
        return self.qpos[:, self.block_qpos : self.block_qpos + 3]

    def block_to_goal(self) -> np.ndarray:
        """Block-to-goal distance (m)."""
        return np.linalg.norm(self.marker_pos() - self.block_pos(), axis=1)

    def push_point(self) -> np.ndarray:
        """Where the tip's centre touches the block on the side away from the goal (m): pushing
        from there moves the block straight at the goal."""
        block = self.block_pos()
        away = block[:, :2] - self.marker_pos()[:, :2]
        away /= np.maximum(np.linalg.norm(away, axis=1, keepdims=True), 1e-6)
        point = block.copy()
        point[:, :2] += (BLOCK_HALF_SIZE + TIP_RADIUS) * away
        return point

    def observe(self) -> np.ndarray:
        tip, block, goal = self.tip(), self.block_pos(), self.marker_pos()
        block_vel = self.qvel[:, self.block_qvel : self.block_qvel + 3]
        return np.concatenate(
            [*self.arm_state(), tip, block, block_vel, goal, goal - block, block - tip], axis=1
        )

    def reward_terms(self, ctrl: np.ndarray) -> dict[str, np.ndarray]:
        tip_to_block = np.linalg.norm(self.block_pos() - self.tip(), axis=1)
        return {
            "tip_to_block": -tip_to_block,
            "block_to_goal": -self.block_to_goal(),
            "joint_velocity": self.joint_velocity_cost(),
            "block_fell": -self.terminated().astype(float),
            "tip_to_push_point": -np.linalg.norm(self.push_point() - self.tip(), axis=1),
            "success": self.success().astype(float),
        }

    def success(self) -> np.ndarray:
        return self.block_to_goal() < self.success_distance

    def terminated(self) -> np.ndarray:
        return self.block_pos()[:, 2] < -0.1
