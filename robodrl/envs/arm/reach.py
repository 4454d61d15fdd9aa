"""ArmReach: bring the arm's tip to a target placed at random in its workspace."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from robodrl.envs.arm import names
from robodrl.envs.arm.base import ArmTask, sample_on_ring
from robodrl.envs.task import ResetNoise


class ArmReachTask(ArmTask):
    """Observations: arm joint angles (4), velocities (4), tip position (3), target position
    (3), target minus tip (3); metres and radians, world frame.

    Reward terms: ``distance`` = -w·|target - tip| (m), ``joint_velocity`` = -w·Σ q̇².
    Success (``info["is_success"]``): tip within ``success_distance`` m of the target.
    Target: horizontal distance U(0.2, 0.5) m, any azimuth, height U(0.05, 0.45) m.
    """

    xml_file = "reach.xml"
    assets_package = "robodrl.envs.arm"
    marker = names.TARGET_MOCAP
    reward_defaults: ClassVar[dict[str, float]] = {"distance": 1.0, "joint_velocity": 0.001}

    def __init__(
        self,
        *,
        success_distance: float = 0.05,
        target_radius: tuple[float, float] = (0.2, 0.5),
        target_height: tuple[float, float] = (0.05, 0.45),
        reset_noise_scale: float = 0.1,
        frame_skip: int = 4,
        episode_seconds: float = 4.0,
        **weights: float,
    ) -> None:
        super().__init__(
            success_distance=success_distance,
            reset_noise_scale=reset_noise_scale,
            frame_skip=frame_skip,
            episode_seconds=episode_seconds,
            **weights,
        )
        self.target_radius = tuple(target_radius)
        self.target_height = tuple(target_height)
        self.obs_spec = [
            ("joint_pos", 4),
            ("joint_vel", 4),
            ("tip_pos", 3),
            ("target_pos", 3),
            ("tip_to_target", 3),
        ]

    def reset(self, ids: np.ndarray, noise: ResetNoise) -> None:
        self.reset_arm(ids, noise)
        xy = sample_on_ring(ids, noise, radius=self.target_radius, azimuth=np.pi)
        z = noise.uniform(ids, *self.target_height, 1)
        self.mocap_pos[ids, self.marker_id] = np.concatenate([xy, z], axis=1)

    def distance(self) -> np.ndarray:
        """Tip-to-target distance (m)."""
        return np.linalg.norm(self.marker_pos() - self.tip(), axis=1)

    def observe(self) -> np.ndarray:
        tip, target = self.tip(), self.marker_pos()
        return np.concatenate([*self.arm_state(), tip, target, target - tip], axis=1)

    def reward_terms(self, ctrl: np.ndarray) -> dict[str, np.ndarray]:
        return {
            "distance": -self.distance(),
            "joint_velocity": self.joint_velocity_cost(),
        }

    def success(self) -> np.ndarray:
        return self.distance() < self.success_distance
