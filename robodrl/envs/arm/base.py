"""What ArmReach and ArmPush share: the arm's joints, its tip, and a marker placed on reset."""

from __future__ import annotations

import mujoco
import numpy as np
from mujoco import batch as mjbatch

from robodrl.envs.arm import names
from robodrl.envs.task import ResetNoise, Task, _check_non_negative


def sample_on_ring(
    ids: np.ndarray, noise: ResetNoise, *, radius: tuple[float, float], azimuth: float
) -> np.ndarray:
    """Points (x, y) at a horizontal distance U(radius) from the arm base and an azimuth
    U(-azimuth, azimuth) rad, ``(len(ids), 2)``."""
    draw = noise.uniform(ids, 0.0, 1.0, 2)
    r = radius[0] + (radius[1] - radius[0]) * draw[:, 0]
    angle = azimuth * (2 * draw[:, 1] - 1)
    return np.stack([r * np.cos(angle), r * np.sin(angle)], axis=1)


class ArmTask(Task):
    """An arm scene: joint positions / velocities, tip position, one mocap marker."""

    stage = mujoco.mjtStage.mjSTAGE_VEL
    has_success = True
    marker: str  # the mocap body this task places on reset

    def __init__(
        self,
        *,
        success_distance: float,
        reset_noise_scale: float,
        frame_skip: int,
        episode_seconds: float,
        **weights: float,
    ) -> None:
        super().__init__(frame_skip=frame_skip, episode_seconds=episode_seconds, **weights)
        _check_non_negative(success_distance=success_distance, reset_noise_scale=reset_noise_scale)
        self.success_distance = success_distance
        self.reset_noise_scale = reset_noise_scale

    def bind(self, batch: mjbatch.Batch, model: mujoco.MjModel) -> None:
        self.qpos = batch.bind("qpos")
        self.qvel = batch.bind("qvel")
        self.site_xpos = batch.bind("site_xpos")
        self.mocap_pos = batch.bind("mocap_pos")
        self.tip_id = model.site(names.TIP_SITE).id
        self.marker_id = model.body(self.marker).mocapid[0]
        self.arm_qpos = np.array([model.joint(j).qposadr[0] for j in names.ARM_JOINTS])
        self.arm_qvel = np.array([model.joint(j).dofadr[0] for j in names.ARM_JOINTS])
        self.qpos0 = model.qpos0.copy()

    def reset_arm(self, ids: np.ndarray, noise: ResetNoise) -> None:
        """Nominal pose with U(-s, s) rad on the arm joints; everything at rest."""
        s = self.reset_noise_scale
        qpos = np.tile(self.qpos0, (len(ids), 1))
        qpos[:, self.arm_qpos] += noise.uniform(ids, -s, s, self.arm_qpos.size)
        self.qpos[ids] = qpos
        self.qvel[ids] = 0.0

    def tip(self) -> np.ndarray:
        """Tip position in the world frame (m), ``(num_envs, 3)``."""
        return self.site_xpos[:, self.tip_id]

    def marker_pos(self) -> np.ndarray:
        """Marker (target / goal) position in the world frame (m), ``(num_envs, 3)``."""
        return self.mocap_pos[:, self.marker_id]

    def arm_state(self) -> list[np.ndarray]:
        """Arm joint angles (rad) and velocities (rad/s)."""
        return [self.qpos[:, self.arm_qpos], self.qvel[:, self.arm_qvel]]

    def joint_velocity_cost(self) -> np.ndarray:
        """-w·Σ q̇² over the arm joints."""
        return -np.sum(self.qvel[:, self.arm_qvel] ** 2, axis=1)
