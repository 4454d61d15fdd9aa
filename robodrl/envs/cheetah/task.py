"""Cheetah running: forward speed of the torso, minus a control cost; no termination."""

from __future__ import annotations

from typing import ClassVar

import mujoco
import numpy as np
from mujoco import batch as mjbatch

from robodrl.envs.task import ResetNoise, Task, _check_non_negative


class CheetahTask(Task):
    """Observations: joint positions without root_x (8), joint velocities (9).

    Reward terms: ``forward`` = w·vx (torso speed in m/s along +x); ``control`` = -w·Σa²
    with a the normalized action. Reset: nominal pose + U(-s, s) on positions and
    s·N(0, 1) on velocities, s = ``reset_noise_scale`` (0 is deterministic).
    """

    xml_file = "cheetah.xml"
    assets_package = "robodrl.envs.cheetah"
    reward_defaults: ClassVar[dict[str, float]] = {"forward": 1.0, "control": 0.1}

    def __init__(
        self,
        *,
        reset_noise_scale: float = 0.1,
        frame_skip: int = 5,
        episode_seconds: float = 50.0,
        **weights: float,
    ) -> None:
        super().__init__(frame_skip=frame_skip, episode_seconds=episode_seconds, **weights)
        _check_non_negative(reset_noise_scale=reset_noise_scale)
        self.reset_noise_scale = reset_noise_scale
        self.obs_spec = [("joint_pos", 8), ("joint_vel", 9)]

    def bind(self, batch: mjbatch.Batch, model: mujoco.MjModel) -> None:
        self.qpos = batch.bind("qpos")
        self.qvel = batch.bind("qvel")
        self.qpos0 = model.qpos0.copy()

    def joint_observations(self, model: mujoco.MjModel) -> dict[str, list[str]]:
        joints = [model.joint(j).name for j in range(model.njnt)]  # one dof each (planar)
        return {"joint_pos": joints[1:], "joint_vel": joints}

    def reset(self, ids: np.ndarray, noise: ResetNoise) -> None:
        s = self.reset_noise_scale
        self.qpos[ids] = self.qpos0 + noise.uniform(ids, -s, s, self.qpos0.size)
        self.qvel[ids] = s * noise.normal(ids, 1.0, self.qvel.shape[1])

    def observe(self) -> np.ndarray:
        return np.concatenate([self.qpos[:, 1:], self.qvel], axis=1)

    def reward_terms(self, ctrl: np.ndarray) -> dict[str, np.ndarray]:
        return {
            "forward": self.qvel[:, 0],
            "control": -np.sum(ctrl**2, axis=1),
        }
