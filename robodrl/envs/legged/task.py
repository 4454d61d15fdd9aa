"""Legged velocity tracking for any quadruped MJCF (``robodrl/Legged-v0``).

The robot comes from a robot description (:mod:`robodrl.envs.legged.robot`); the model is built
with ``MjSpec`` (:mod:`robodrl.envs.legged.build`) in the ``fast`` or ``accurate`` physics settings.
"""

from __future__ import annotations

from typing import ClassVar

import mujoco
import numpy as np
from mujoco import batch as mjbatch

from robodrl.envs.kernels import gaussian_tracking
from robodrl.envs.legged.build import PHYSICS, build_model
from robodrl.envs.legged.commands import Commands, TrotClock
from robodrl.envs.legged.joints import followers, place_followers
from robodrl.envs.legged.mirror import mirror_maps
from robodrl.envs.legged.robot import LEGS, RobotDescription, load_robot
from robodrl.envs.legged.scales import gait_speedup, robot_scales
from robodrl.envs.task import (
    BuiltTask,
    ResetNoise,
    _check_non_negative,
    _check_positive,
    _check_range,
    frame_skip_of,
)
from robodrl.envs.tree import joints_on
from robodrl.errors import ConfigError, TaskArgumentError

Range = tuple[float, float]
FOOT_CONTACT_NEWTONS = 1.0


def _check_fractions(**values: float) -> None:
    for name, value in values.items():
        if not 0.0 <= value <= 1.0:
            raise TaskArgumentError(f"task argument {name}={value!r} must be in [0, 1]")


def _check_bools(**values: object) -> None:
    for name, value in values.items():
        if not isinstance(value, bool):
            raise TaskArgumentError(f"task argument {name}={value!r} must be true or false")


def _frame_skip(physics: str, control_hz: float) -> int:
    """Physics steps per control step; the control rate must divide the physics rate."""
    if physics not in PHYSICS:
        raise TaskArgumentError(f"task argument physics={physics!r}; valid: {list(PHYSICS)}")
    return frame_skip_of(PHYSICS[physics].timestep, control_hz, f"the {physics}")


class LeggedTask(BuiltTask):
    """Follow a planar velocity command with a quadruped's PD joint targets.

    Actions: one per leg joint, the joint target = standing pose + action_scale · action (rad).
    Observations (body frame, SI units): command (vx, vy m/s, yaw rate rad/s), base linear
    velocity, gyro, gravity direction, joint angles relative to the standing pose, joint
    velocities, the last action, and the trot clock (sin, cos of its phase).

    Commands are redrawn every ``command_seconds``; a draw is the standing command (zero) with
    probability ``standing_probability``. Reward terms (unweighted; ``<term>_weight`` weighs
    each): ``track_velocity`` exp(-|cmd_xy - v_xy|²/σ²), ``track_yaw_rate`` exp(-(cmd_yaw -
    ω_z)²/σ²), ``gait`` the fraction of feet whose contact matches the trot clock (all feet down
    when standing), and the costs ``vertical_velocity`` -v_z², ``roll_pitch_rate`` -(ω_x² +
    ω_y²), ``tilt`` -|g_xy|², ``pose`` -Σ(q - q_stand)², ``action_rate`` -Σ(a_t - a_t-1)²,
    ``joint_limit`` -Σ rad beyond 90% of each joint's range, ``torque`` -Σ τ² (N·m). An episode
    ends when the base drops below ``min_base_height`` x its standing height or tilts more than
    ``max_tilt`` rad.

    ``scale_with_robot`` (Legged-v1): command ranges, velocities, rates and torques are first
    expressed in the units of robodrl's quadruped (``legged.scales``: Froude scaling by the
    standing height, torques by each joint's limit), so one set of weights and command ranges
    serves a 2 kg and a 50 kg robot. ``scale_gait_with_robot`` (Legged-v2): the trot clock of a
    robot shorter than robodrl's quadruped runs faster by the same Froude time scale
    (``gait_hz`` is then in the reference robot's time; ``self.gait_hz`` is the robot's).

    Version history: v2 also sets ``scale_gait_with_robot``; v1 sets ``scale_with_robot``; v0
    keeps every quantity in SI units.
    """

    stage = mujoco.mjtStage.mjSTAGE_VEL
    reward_defaults: ClassVar[dict[str, float]] = {
        "track_velocity": 1.0,
        "track_yaw_rate": 0.5,
        "gait": 0.2,
        "vertical_velocity": 1.0,
        "roll_pitch_rate": 0.05,
        "tilt": 2.0,
        "pose": 0.05,
        "action_rate": 0.01,
        "joint_limit": 2.0,
        "torque": 1e-4,
    }

    def __init__(
        self,
        *,
        robot: str = "quadruped",
        physics: str = "fast",
        control_hz: float = 50.0,
        command_vx_range: Range = (-0.5, 1.0),
        command_vy_range: Range = (-0.3, 0.3),
        command_yaw_rate_range: Range = (-0.8, 0.8),
        command_seconds: float = 5.0,
        standing_probability: float = 0.1,
        tracking_sigma: float = 0.5,
        gait_hz: float = 2.0,
        gait_duty: float = 0.6,
        min_base_height: float = 0.5,
        max_tilt: float = 1.0,
        reset_noise_scale: float = 0.05,
        episode_seconds: float = 20.0,
        scale_with_robot: bool = False,
        scale_gait_with_robot: bool = False,
        **weights: float,
    ) -> None:
        _check_positive(command_seconds=command_seconds, gait_hz=gait_hz)
        super().__init__(
            frame_skip=_frame_skip(physics, control_hz), episode_seconds=episode_seconds, **weights
        )
        _check_range(
            command_vx_range=command_vx_range,
            command_vy_range=command_vy_range,
            command_yaw_rate_range=command_yaw_rate_range,
        )
        _check_positive(tracking_sigma=tracking_sigma, max_tilt=max_tilt)
        _check_non_negative(reset_noise_scale=reset_noise_scale)
        _check_fractions(
            standing_probability=standing_probability,
            gait_duty=gait_duty,
            min_base_height=min_base_height,
        )
        try:
            self.robot: RobotDescription = load_robot(robot)
        except ConfigError as err:
            raise TaskArgumentError(f"task argument robot: {err}") from None
        self.physics = physics
        self.command_low, self.command_high = np.transpose(
            [command_vx_range, command_vy_range, command_yaw_rate_range]
        )
        self.command_seconds = command_seconds
        self.standing_probability = standing_probability
        self.sigma_sq = tracking_sigma**2
        self.gait_duty = gait_duty
        self.min_base_height = min_base_height
        self.min_up = np.cos(max_tilt)
        self.reset_noise_scale = reset_noise_scale
        _check_bools(scale_with_robot=scale_with_robot, scale_gait_with_robot=scale_gait_with_robot)
        self.scale_with_robot = scale_with_robot
        self.gait_hz = gait_hz * gait_speedup(
            standing_height=self.robot.standing_height, enabled=scale_gait_with_robot
        )
        self._model: mujoco.MjModel | None = None

    # -- model -----------------------------------------------------------------------------
    def load_model(self) -> mujoco.MjModel:
        """Build the robot with the task's actuators and sensors (see ``legged.build``)."""
        if self._model is None:
            try:
                self._model, self.joint_names, self.stand_joints = build_model(
                    self.robot, self.physics
                )
            except ConfigError as err:
                raise TaskArgumentError(f"task argument robot: {err}") from None
            n = len(self.joint_names)
            self.obs_spec = [
                ("command", 3),
                ("base_linear_velocity", 3),
                ("gyro", 3),
                ("gravity", 3),
                ("joint_pos", n),
                ("joint_vel", n),
                ("last_action", n),
                ("gait_phase", 2),
            ]
        return self._model

    def observation_contract(self) -> dict[str, dict]:
        """Each block from a legged robot's signals (SI units, base frame): the velocity
        command, the IMU's velocimeter and gyro, gravity's direction, the joints (angles from
        the standing pose), the action last sent, and the trot clock."""
        self.load_model()
        return {
            "command": {"signal": "command", "source": "operator"},
            "base_linear_velocity": {"signal": "base_linear_velocity"},
            "gyro": {"signal": "base_angular_velocity"},
            "gravity": {"signal": "gravity_in_base"},
            "joint_pos": {"signal": "joint_pos", "offset": self.stand_joints.tolist()},
            "joint_vel": {"signal": "joint_vel"},
            "last_action": {"kind": "previous_action"},
            "gait_phase": {"kind": "clock", "hz": self.gait_hz},
        }

    def joint_observations(self, model: mujoco.MjModel) -> dict[str, list[str]]:
        """Per joint: its angle, its speed and its last action (a leg team's own entries)."""
        self.load_model()
        return {
            block: list(self.joint_names) for block in ("joint_pos", "joint_vel", "last_action")
        }

    def leg_actuators(self) -> dict[str, list[str]]:
        """Each leg's actuators (``front_left`` ... ``back_right``): those driving the joints
        between the base and the leg's foot."""
        model = self.load_model()
        base = model.body(self.robot.base_body).id
        legs = {}
        for leg, foot in zip(LEGS, self.robot.foot_geoms, strict=True):
            body, chain = int(model.geom_bodyid[model.geom(foot).id]), set()
            while body not in (base, 0):
                chain.add(body)
                body = int(model.body_parentid[body])
            joints = {model.joint(j).name for j in joints_on(model, chain)}
            driven = [
                a for a in range(model.nu) if model.joint(model.actuator_trnid[a, 0]).name in joints
            ]
            legs[leg] = [model.actuator(a).name for a in driven]
        return legs

    def mirror_maps(self) -> tuple[np.ndarray, np.ndarray]:
        """Left-right mirror matrices of observations and actions (``legged.mirror``)."""
        model = self.load_model()
        return mirror_maps(model, self.robot.foot_geoms, self.joint_names, self.obs_layout,
                           self.obs_dim)  # fmt: skip

    def bind(self, batch: mjbatch.Batch, model: mujoco.MjModel) -> None:
        self.qpos = batch.bind("qpos")
        self.qvel = batch.bind("qvel")
        self.sensordata = batch.bind("sensordata")
        self.actuator_force = batch.bind("actuator_force")
        self.xmat = batch.bind("xmat")
        self.base_id = model.body(self.robot.base_body).id
        root = model.body_jntadr[self.base_id]
        self.root_qpos = int(model.jnt_qposadr[root])
        self.root_qvel = int(model.jnt_dofadr[root])
        joint_ids = [model.joint(name).id for name in self.joint_names]
        self.followers, self.qpos0 = followers(model, self.joint_names), model.qpos0.copy()
        self.joint_qpos = model.jnt_qposadr[joint_ids]
        self.joint_qvel = model.jnt_dofadr[joint_ids]
        low, high = model.jnt_range[joint_ids].T
        limited = model.jnt_limited[joint_ids].astype(bool)
        middle, half = (low + high) / 2, (high - low) / 2
        self.soft_low = np.where(limited, middle - 0.9 * half, -np.inf)
        self.soft_high = np.where(limited, middle + 0.9 * half, np.inf)
        self.ctrl_mid = model.actuator_ctrlrange.mean(axis=1)
        self.ctrl_half = np.diff(model.actuator_ctrlrange, axis=1)[:, 0] / 2

        def sensor_slice(name: str) -> slice:
            sensor = model.sensor(name)
            return slice(sensor.adr[0], sensor.adr[0] + sensor.dim[0])

        self.gyro = sensor_slice("imu_gyro")
        self.velocimeter = sensor_slice("imu_velocimeter")
        legs = ("front_left", "front_right", "back_left", "back_right")
        self.touch = np.array([model.sensor(f"{leg}_foot_touch").adr[0] for leg in legs])
        self.stand_height = float(self.robot.standing_height)
        self.weight = mujoco.mj_getTotalmass(model) * float(np.linalg.norm(model.opt.gravity))
        nsim, n = batch.nsim, len(self.joint_names)
        self.control_dt = model.opt.timestep * self.frame_skip
        self.scales = robot_scales(
            standing_height=self.robot.standing_height,
            torque_limits=self.robot.per_joint("torque_limit", self.joint_names),
            enabled=self.scale_with_robot,
        )
        command_scale = np.array([self.scales.speed, self.scales.speed, self.scales.rate])
        self.commands = Commands(
            nsim,
            self.command_low * command_scale,
            self.command_high * command_scale,
            self.command_seconds,
            self.standing_probability,
        )
        self.clock = TrotClock(nsim, self.gait_hz, self.gait_duty)
        self.action = np.zeros((nsim, n))
        self.last_action = np.zeros((nsim, n))

    # -- episode state ---------------------------------------------------------------------
    def state_dict(self) -> dict[str, list]:
        return {
            "command": self.commands.value.tolist(),
            "command_time_left": self.commands.time_left.tolist(),
            "gait_phase": self.clock.phase.tolist(),
            "action": self.action.tolist(),
            "last_action": self.last_action.tolist(),
        }

    def load_state_dict(self, state: dict[str, list]) -> None:
        self.commands.value[:] = np.asarray(state["command"])
        self.commands.time_left[:] = np.asarray(state["command_time_left"])
        self.clock.phase[:] = np.asarray(state["gait_phase"])
        self.action[:] = np.asarray(state["action"])
        self.last_action[:] = np.asarray(state["last_action"])

    def reset(self, ids: np.ndarray, noise: ResetNoise) -> None:
        s = self.reset_noise_scale
        self.commands.draw(ids, noise)
        self.clock.reset(ids, noise)
        joints = self.stand_joints + noise.uniform(ids, -s, s, self.stand_joints.size)
        qpos = self.qpos[ids]
        qpos[:, self.root_qpos : self.root_qpos + 3] = [0.0, 0.0, self.stand_height]
        qpos[:, self.root_qpos + 3 : self.root_qpos + 7] = [1.0, 0.0, 0.0, 0.0]
        qpos[:, self.joint_qpos] = joints
        place_followers(qpos, self.qpos0, self.followers)  # joints a constraint ties to a leg's
        self.qpos[ids] = qpos
        self.qvel[ids] = noise.uniform(ids, -s, s, self.qvel.shape[1])
        self.action[ids] = 0.0
        self.last_action[ids] = 0.0

    def after_step(self, ctrl: np.ndarray, noise: ResetNoise) -> None:
        """Remember the action, advance the trot clock and the command timers."""
        self.last_action, self.action = self.action, (ctrl - self.ctrl_mid) / self.ctrl_half
        self.clock.advance(self.control_dt)
        self.commands.advance(self.control_dt, noise)

    # -- measurements ----------------------------------------------------------------------
    def _gravity(self) -> np.ndarray:
        """Gravity direction in the base frame, ``(num_envs, 3)``."""
        return -self.xmat[:, self.base_id, 6:9]

    def _joint_pos(self) -> np.ndarray:
        # C order: numpy sums the rows of a column-major array in another order, and a
        # simulation's reward must not depend on how many simulations share its batch
        return np.ascontiguousarray(self.qpos[:, self.joint_qpos])

    def observe(self) -> np.ndarray:
        data = self.sensordata
        return np.concatenate(
            [
                self.commands.value,
                data[:, self.velocimeter],
                data[:, self.gyro],
                self._gravity(),
                self._joint_pos() - self.stand_joints,
                self.qvel[:, self.joint_qvel],
                self.action,
                self.clock.observation(),
            ],
            axis=1,
        )

    def privileged_observation(self) -> np.ndarray:
        """For a critic used in training: the base's height over its standing height, and each
        foot's contact force over the robot's weight."""
        height = self.qpos[:, self.root_qpos + 2, None] / self.stand_height
        return np.concatenate([height, self.sensordata[:, self.touch] / self.weight], axis=1)

    def reward_terms(self, ctrl: np.ndarray) -> dict[str, np.ndarray]:
        # in the reference robot's units (legged.scales; all ones in Legged-v0)
        speed, rate = self.scales.speed, self.scales.rate
        velocity = self.sensordata[:, self.velocimeter] / speed
        gyro = self.sensordata[:, self.gyro] / rate
        command = self.commands.value / np.array([speed, speed, rate])
        q = self._joint_pos()
        contact = self.sensordata[:, self.touch] > FOOT_CONTACT_NEWTONS
        stance = self.clock.stance() | self.commands.standing()[:, None]
        beyond = np.maximum(q - self.soft_high, 0.0) + np.maximum(self.soft_low - q, 0.0)
        return {
            "track_velocity": gaussian_tracking(
                ((command[:, :2] - velocity[:, :2]) ** 2).sum(axis=1), self.sigma_sq
            ),
            "track_yaw_rate": gaussian_tracking((command[:, 2] - gyro[:, 2]) ** 2, self.sigma_sq),
            "gait": (contact == stance).mean(axis=1),
            "vertical_velocity": -(velocity[:, 2] ** 2),
            "roll_pitch_rate": -(gyro[:, :2] ** 2).sum(axis=1),
            "tilt": -(self._gravity()[:, :2] ** 2).sum(axis=1),
            "pose": -((q - self.stand_joints) ** 2).sum(axis=1),
            "action_rate": -((self.action - self.last_action) ** 2).sum(axis=1),
            "joint_limit": -beyond.sum(axis=1),
            "torque": -((self.actuator_force / self.scales.torque) ** 2).sum(axis=1),
        }

    def terminated(self) -> np.ndarray:
        upright = self.xmat[:, self.base_id, 8]
        low = self.qpos[:, self.root_qpos + 2] < self.min_base_height * self.stand_height
        return low | (upright < self.min_up)
