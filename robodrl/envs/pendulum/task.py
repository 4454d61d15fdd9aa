"""Pendulum swing-up: reach and hold the upright pose with a torque-limited motor."""

from __future__ import annotations

from typing import ClassVar

import mujoco
import numpy as np
from mujoco import batch as mjbatch

from robodrl.envs.kernels import wrap_angle
from robodrl.envs.task import ResetNoise, Task, _check_non_negative


class PendulumTask(Task):
    """Observations: cos / sin of the pole angle (0 = upright) and its angular velocity.

    Reward terms (weighted, each <= 0): ``angle`` = -w·θ², ``velocity`` = -w·θ̇²,
    ``torque`` = -w·u² with u in N·m. Reset: hanging down at rest plus
    ``reset_noise_scale`` x (U(-π, π) rad, U(-1, 1) rad/s); 0 is deterministic.
    """

    xml_file = "pendulum.xml"
    assets_package = "robodrl.envs.pendulum"
    reward_defaults: ClassVar[dict[str, float]] = {"angle": 1.0, "velocity": 0.1, "torque": 0.001}

    def __init__(
        self,
        *,
        reset_noise_scale: float = 1.0,
        frame_skip: int = 5,
        episode_seconds: float = 10.0,
        **weights: float,
    ) -> None:
        super().__init__(frame_skip=frame_skip, episode_seconds=episode_seconds, **weights)
        _check_non_negative(reset_noise_scale=reset_noise_scale)
        self.reset_noise_scale = reset_noise_scale
        self.obs_spec = [("pole_cos", 1), ("pole_sin", 1), ("pole_angular_velocity", 1)]

    def bind(self, batch: mjbatch.Batch, model: mujoco.MjModel) -> None:
        self.qpos = batch.bind("qpos")
        self.qvel = batch.bind("qvel")

    def reset(self, ids: np.ndarray, noise: ResetNoise) -> None:
        scale = self.reset_noise_scale
        self.qpos[ids] = np.pi + scale * noise.uniform(ids, -np.pi, np.pi, 1)
        self.qvel[ids] = scale * noise.uniform(ids, -1.0, 1.0, 1)

    def observe(self) -> np.ndarray:
        angle = self.qpos[:, 0]
        return np.stack([np.cos(angle), np.sin(angle), self.qvel[:, 0]], axis=1)

    def reward_terms(self, ctrl: np.ndarray) -> dict[str, np.ndarray]:
        angle = wrap_angle(self.qpos[:, 0])
        return {
            "angle": -(angle**2),
            "velocity": -(self.qvel[:, 0] ** 2),
            "torque": -(ctrl[:, 0] ** 2),
        }
