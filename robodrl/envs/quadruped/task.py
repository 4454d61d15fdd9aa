"""Quadruped velocity tracking: follow a planar command (vx, vy, yaw rate) sampled per episode."""

from __future__ import annotations

from typing import ClassVar

import mujoco
import numpy as np
from mujoco import batch as mjbatch

from robodrl.envs.kernels import gaussian_tracking
from robodrl.envs.quadruped import names
from robodrl.envs.task import (
    ResetNoise,
    Task,
    _check_non_negative,
    _check_positive,
    _check_range,
)

Range = tuple[float, float]


class QuadrupedTask(Task):
    """Observations (body frame, SI units): command (vx, vy m/s, yaw rate rad/s), IMU linear
    velocity, gyro, accelerometer, orientation quaternion, 12 joint angles relative to the
    standing pose, 12 joint velocities, 4 foot contacts (1 if the touch force > 1 N).

    Reward terms: ``track_velocity`` = w·exp(-|cmd_xy - v_xy|²/σ²), ``track_yaw_rate`` =
    w·exp(-(cmd_yaw - ω_z)²/σ²), ``vertical_velocity`` = -w·v_z², ``tilt`` = -w·|g_xy|²
    (gravity in body frame), ``torque`` = -w·Σ τ² (N·m). Terminates when the torso centre is
    below ``min_torso_height`` m or the torso tilts more than ``max_tilt`` rad.
    """

    xml_file = "quadruped.xml"
    assets_package = "robodrl.envs.quadruped"
    stage = mujoco.mjtStage.mjSTAGE_VEL
    reward_defaults: ClassVar[dict[str, float]] = {
        "track_velocity": 1.0,
        "track_yaw_rate": 0.5,
        "vertical_velocity": 0.5,
        "tilt": 1.0,
        "torque": 2e-4,
    }

    def __init__(
        self,
        *,
        command_vx_range: Range = (-0.5, 1.0),
        command_vy_range: Range = (-0.3, 0.3),
        command_yaw_rate_range: Range = (-0.5, 0.5),
        tracking_sigma: float = 0.5,
        min_torso_height: float = 0.12,
        max_tilt: float = 1.0,
        reset_noise_scale: float = 0.05,
        frame_skip: int = 4,
        episode_seconds: float = 20.0,
        **weights: float,
    ) -> None:
        super().__init__(frame_skip=frame_skip, episode_seconds=episode_seconds, **weights)
        _check_range(
            command_vx_range=command_vx_range,
            command_vy_range=command_vy_range,
            command_yaw_rate_range=command_yaw_rate_range,
        )
        _check_non_negative(reset_noise_scale=reset_noise_scale)
        _check_positive(
            tracking_sigma=tracking_sigma, min_torso_height=min_torso_height, max_tilt=max_tilt
        )
        self.command_low = np.array(
            [command_vx_range[0], command_vy_range[0], command_yaw_rate_range[0]]
        )
        self.command_high = np.array(
            [command_vx_range[1], command_vy_range[1], command_yaw_rate_range[1]]
        )
        self.sigma_sq = tracking_sigma**2
        self.min_torso_height = min_torso_height
        self.min_up = np.cos(max_tilt)
        self.reset_noise_scale = reset_noise_scale
        self.obs_spec = [
            ("command", 3),
            ("base_linear_velocity", 3),
            ("gyro", 3),
            ("accelerometer", 3),
            ("orientation", 4),
            ("joint_pos", 12),
            ("joint_vel", 12),
            ("foot_contact", 4),
        ]

    def bind(self, batch: mjbatch.Batch, model: mujoco.MjModel) -> None:
        self.qpos = batch.bind("qpos")
        self.qvel = batch.bind("qvel")
        self.sensordata = batch.bind("sensordata")
        self.actuator_force = batch.bind("actuator_force")
        self.xmat = batch.bind("xmat")
        self.torso_id = model.body(names.TORSO).id
        self.command = np.zeros((batch.nsim, 3))
        key = model.keyframe("stand")
        self.stand_qpos = key.qpos.copy()
        self.stand_joints = self.stand_qpos[7:]

        def sensor_slice(name: str) -> slice:
            sensor = model.sensor(name)
            return slice(sensor.adr[0], sensor.adr[0] + sensor.dim[0])

        self.gyro = sensor_slice(names.SENSOR_GYRO)
        self.accelerometer = sensor_slice(names.SENSOR_ACCELEROMETER)
        self.orientation = sensor_slice(names.SENSOR_ORIENTATION)
        self.velocimeter = sensor_slice(names.SENSOR_VELOCIMETER)
        touch = [model.sensor(n).adr[0] for n in names.FOOT_TOUCH_SENSORS]
        self.touch = np.array(touch)

    def joint_observations(self, model: mujoco.MjModel) -> dict[str, list[str]]:
        legs = [model.joint(j).name for j in range(1, model.njnt)]  # after the free root joint
        feet = [f"{leg}_knee" for leg in names.LEGS]  # each foot's contact: its leg's knee
        return {"joint_pos": legs, "joint_vel": legs, "foot_contact": feet}

    def state_dict(self) -> dict[str, list]:
        return {"command": self.command.tolist()}

    def load_state_dict(self, state: dict[str, list]) -> None:
        self.command[:] = np.asarray(state["command"])

    def reset(self, ids: np.ndarray, noise: ResetNoise) -> None:
        s = self.reset_noise_scale
        self.command[ids] = noise.uniform(ids, self.command_low, self.command_high, 3)
        joints = self.stand_joints + noise.uniform(ids, -s, s, self.stand_joints.size)
        qpos = np.tile(self.stand_qpos, (len(ids), 1))
        qpos[:, 7:] = joints
        self.qpos[ids] = qpos
        self.qvel[ids] = noise.uniform(ids, -s, s, self.qvel.shape[1])

    def observe(self) -> np.ndarray:
        data = self.sensordata
        contact = data[:, self.touch] > 1.0
        return np.concatenate(
            [
                self.command,
                data[:, self.velocimeter],
                data[:, self.gyro],
                data[:, self.accelerometer],
                data[:, self.orientation],
                self.qpos[:, 7:] - self.stand_joints,
                self.qvel[:, 6:],
                contact,
            ],
            axis=1,
        )

    def _gravity(self) -> np.ndarray:
        """Gravity direction in the torso frame, ``(num_envs, 3)``: minus the third row of the
        torso's rotation matrix (current at the new state: the task's stage is mjSTAGE_VEL)."""
        return -self.xmat[:, self.torso_id, 6:9]

    def reward_terms(self, ctrl: np.ndarray) -> dict[str, np.ndarray]:
        velocity = self.sensordata[:, self.velocimeter]
        yaw_rate = self.sensordata[:, self.gyro][:, 2]
        velocity_error = ((self.command[:, :2] - velocity[:, :2]) ** 2).sum(axis=1)
        gravity = self._gravity()
        return {
            "track_velocity": gaussian_tracking(velocity_error, self.sigma_sq),
            "track_yaw_rate": gaussian_tracking(
                (self.command[:, 2] - yaw_rate) ** 2, self.sigma_sq
            ),
            "vertical_velocity": -(velocity[:, 2] ** 2),
            "tilt": -(gravity[:, :2] ** 2).sum(axis=1),
            "torque": -(self.actuator_force**2).sum(axis=1),
        }

    def terminated(self) -> np.ndarray:
        upright = self.xmat[:, self.torso_id, 8]  # z of the torso z-axis in the world frame
        return (self.qpos[:, 2] < self.min_torso_height) | (upright < self.min_up)
