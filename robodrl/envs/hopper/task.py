"""Hopper: hop forward; the episode ends when the posture leaves the healthy range."""

from __future__ import annotations

from typing import ClassVar

import mujoco
import numpy as np
from mujoco import batch as mjbatch

from robodrl.envs.hopper import names
from robodrl.envs.task import ResetNoise, Task, _check_non_negative, _check_positive


class HopperTask(Task):
    """Observations: torso height (m), pitch and leg joint angles (rad), all 6 velocities.

    Reward terms: ``forward`` = w·vx (m/s), ``healthy`` = bonus per step while healthy,
    ``control`` = -w·Σa². Healthy: torso height > ``min_torso_height`` m, |pitch| <
    ``max_pitch`` rad, every joint angle and velocity within ±``max_state``.
    Reset: nominal pose + U(-s, s) on positions and velocities, s = ``reset_noise_scale``.
    """

    xml_file = "hopper.xml"
    assets_package = "robodrl.envs.hopper"
    reward_defaults: ClassVar[dict[str, float]] = {"forward": 1.0, "healthy": 1.0, "control": 0.001}
    #: the healthy weight keeps Gymnasium's name
    weight_argument_names: ClassVar[dict[str, str]] = {"healthy": "healthy_reward"}

    def __init__(
        self,
        *,
        min_torso_height: float = 0.7,
        max_pitch: float = 0.2,
        max_state: float = 100.0,
        reset_noise_scale: float = 0.005,
        frame_skip: int = 4,
        episode_seconds: float = 8.0,
        **weights: float,
    ) -> None:
        super().__init__(frame_skip=frame_skip, episode_seconds=episode_seconds, **weights)
        _check_non_negative(reset_noise_scale=reset_noise_scale)
        _check_positive(min_torso_height=min_torso_height, max_pitch=max_pitch, max_state=max_state)
        self.min_torso_height = min_torso_height
        self.max_pitch = max_pitch
        self.max_state = max_state
        self.reset_noise_scale = reset_noise_scale
        self.obs_spec = [("torso_height", 1), ("joint_pos", 4), ("joint_vel", 6)]

    def bind(self, batch: mjbatch.Batch, model: mujoco.MjModel) -> None:
        self.qpos = batch.bind("qpos")
        self.qvel = batch.bind("qvel")
        self.qpos0 = model.qpos0.copy()

    def reset(self, ids: np.ndarray, noise: ResetNoise) -> None:
        s = self.reset_noise_scale
        self.qpos[ids] = self.qpos0 + noise.uniform(ids, -s, s, self.qpos0.size)
        self.qvel[ids] = noise.uniform(ids, -s, s, self.qvel.shape[1])

    def torso_height(self) -> np.ndarray:
        """Height of the torso centre above the floor (m), ``(num_envs,)``."""
        return names.TORSO_HEIGHT + self.qpos[:, 1]

    def observe(self) -> np.ndarray:
        return np.concatenate([self.torso_height()[:, None], self.qpos[:, 2:], self.qvel], axis=1)

    def healthy(self) -> np.ndarray:
        """Whether each hopper is in the healthy posture range."""
        state = np.concatenate([self.qpos[:, 2:], self.qvel], axis=1)
        return (
            (self.torso_height() > self.min_torso_height)
            & (np.abs(self.qpos[:, 2]) < self.max_pitch)
            & (np.abs(state) < self.max_state).all(axis=1)
        )

    def reward_terms(self, ctrl: np.ndarray) -> dict[str, np.ndarray]:
        return {
            "forward": self.qvel[:, 0],
            "healthy": self.healthy().astype(np.float64),
            "control": -np.sum(ctrl**2, axis=1),
        }

    def terminated(self) -> np.ndarray:
        return ~self.healthy()
