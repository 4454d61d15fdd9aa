"""The reference stack for the throughput benchmark: plain Gymnasium ``MujocoEnv`` subclasses,
one simulation per env, built from robodrl's own XML with the same observation and reward, as a
Gymnasium user would write them. Used only by benchmarks."""

from __future__ import annotations

from importlib import resources

import mujoco
import numpy as np
from gymnasium import spaces
from gymnasium.envs.mujoco import MujocoEnv

from robodrl.envs.kernels import gaussian_tracking, gravity_in_body_frame
from robodrl.envs.quadruped import names as quad


def _xml_path(package: str, file: str) -> str:
    return str(resources.files(package).joinpath("assets", file))


class _PlainEnv(MujocoEnv):
    """Shared plumbing: [-1, 1] actions mapped to ctrlrange, a time limit, uniform reset noise."""

    def __init__(self, xml: str, frame_skip: int, obs_dim: int, max_steps: int) -> None:
        obs_space = spaces.Box(-np.inf, np.inf, (obs_dim,), np.float32)
        model = mujoco.MjModel.from_xml_path(xml)
        control_hz = round(1 / (model.opt.timestep * frame_skip))
        self.metadata = {"render_modes": ["rgb_array"], "render_fps": control_hz}
        super().__init__(xml, frame_skip, observation_space=obs_space, width=64, height=64)
        self.action_space = spaces.Box(-1, 1, (self.model.nu,), np.float32)
        low, high = self.model.actuator_ctrlrange.T
        self._mid, self._half = (high + low) / 2, (high - low) / 2
        self._max_steps, self._steps = max_steps, 0

    def step(self, action):
        ctrl = self._mid + self._half * np.clip(action, -1, 1)
        self.do_simulation(ctrl, self.frame_skip)
        self._steps += 1
        obs = self._get_obs()
        reward, terminated = self._reward(ctrl)
        return obs, reward, terminated, self._steps >= self._max_steps, {}

    def reset_model(self):
        self._steps = 0
        noise = self.np_random.uniform(-0.05, 0.05, self.model.nq)
        self.set_state(self.init_qpos + noise, self.init_qvel)
        return self._get_obs()


class PlainCheetahEnv(_PlainEnv):
    """Cheetah: joint positions without root_x and velocities; forward speed minus control."""

    def __init__(self) -> None:
        super().__init__(_xml_path("robodrl.envs.cheetah", "cheetah.xml"), 5, 17, 1000)

    def _get_obs(self):
        return np.concatenate([self.data.qpos[1:], self.data.qvel]).astype(np.float32)

    def _reward(self, ctrl):
        return self.data.qvel[0] - 0.1 * np.sum(ctrl**2), False


class PlainQuadrupedEnv(_PlainEnv):
    """Quadruped: the same 44 observations, five reward terms and termination as robodrl's."""

    def __init__(self) -> None:
        super().__init__(_xml_path("robodrl.envs.quadruped", "quadruped.xml"), 4, 44, 1000)
        key = self.model.keyframe("stand")
        self.init_qpos = key.qpos.copy()
        self._stand = key.qpos[7:].copy()
        self._command = np.array([0.5, 0.0, 0.0])
        adr = {n: self.model.sensor(n).adr[0] for n in (quad.SENSOR_GYRO, quad.SENSOR_VELOCIMETER)}
        self._gyro, self._vel = adr[quad.SENSOR_GYRO], adr[quad.SENSOR_VELOCIMETER]
        self._acc = self.model.sensor(quad.SENSOR_ACCELEROMETER).adr[0]
        self._quat = self.model.sensor(quad.SENSOR_ORIENTATION).adr[0]
        self._touch = [self.model.sensor(n).adr[0] for n in quad.FOOT_TOUCH_SENSORS]

    def _get_obs(self):
        s = self.data.sensordata
        return np.concatenate(
            [
                self._command,
                s[self._vel : self._vel + 3],
                s[self._gyro : self._gyro + 3],
                s[self._acc : self._acc + 3],
                s[self._quat : self._quat + 4],
                self.data.qpos[7:] - self._stand,
                self.data.qvel[6:],
                (s[self._touch] > 1.0).astype(np.float64),
            ]
        ).astype(np.float32)

    def _reward(self, ctrl):
        s = self.data.sensordata
        vel = s[self._vel : self._vel + 3]
        gravity = gravity_in_body_frame(self.data.qpos[None, 3:7])[0]
        reward = (
            gaussian_tracking(np.sum((self._command[:2] - vel[:2]) ** 2), 0.25)
            + 0.5 * gaussian_tracking((self._command[2] - s[self._gyro + 2]) ** 2, 0.25)
            - 0.5 * vel[2] ** 2
            - np.sum(gravity[:2] ** 2)
            - 2e-4 * np.sum(self.data.actuator_force**2)
        )
        terminated = self.data.qpos[2] < 0.12 or -gravity[2] < np.cos(1.0)
        return float(reward), bool(terminated)


REFERENCE_ENVS = {"Cheetah": PlainCheetahEnv, "Quadruped": PlainQuadrupedEnv}
