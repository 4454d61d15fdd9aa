"""The simulated robot's body for :mod:`robodrl.deploy.sim_server`: the legged robot a policy
file was trained for, built by robodrl's legged task in the accurate physics settings, standing
at its standing pose, stepped one MuJoCo ``MjData`` at a time.

Its signals are what a legged robot's sensors give (SI units, base frame); each takes Gaussian
noise of ``noise`` x :data:`NOISE_STD`. Imported by the simulator's process only."""

from __future__ import annotations

import mujoco
import numpy as np

from robodrl.errors import ConfigError
from robodrl.make import make_core

#: sensor noise at ``--noise 1`` (standard deviations, SI units)
NOISE_STD = {
    "joint_pos": 0.01,
    "joint_vel": 0.15,
    "base_angular_velocity": 0.05,
    "base_linear_velocity": 0.05,
    "gravity_in_base": 0.02,
}


class LeggedBody:
    """One simulated legged robot (see the module docstring)."""

    def __init__(self, env_id: str, arguments: dict, *, seed: int = 0) -> None:
        if not env_id.startswith("robodrl/Legged-"):
            raise ConfigError(
                f"the sim robot simulates legged robots (robodrl/Legged-v0, -v1); this policy is "
                f"for {env_id}"
            )
        arguments = {**arguments, "physics": "accurate", "reset_noise_scale": 0.0}
        core = make_core(env_id, 1, seed=seed, autoreset=False, **arguments)
        task = core.task
        self.task, self.model = task, core.model
        self.robot_name = str(arguments.get("robot", "robot"))
        self.data = mujoco.MjData(self.model)
        self.data.qpos[:] = task.qpos[0]
        self.data.qvel[:] = 0.0
        self.joint_names = list(task.joint_names)
        self.timestep = float(self.model.opt.timestep)
        self.control_dt = float(core.control_dt)
        self.kp = self.model.actuator_gainprm[:, 0].copy()
        self.data.ctrl[:] = task.stand_joints
        mujoco.mj_forward(self.model, self.data)
        self.truth: list[list[float]] = []
        self.kicks: list[list[float]] = []
        self.commands = 0  # commands received

    def signal_sizes(self) -> dict[str, int]:
        n = len(self.joint_names)
        sizes = {"joint_pos": n, "joint_vel": n, "base_angular_velocity": 3}
        return sizes | {"base_linear_velocity": 3, "gravity_in_base": 3}

    def signals(self, rng: np.random.Generator, noise: float) -> dict[str, np.ndarray]:
        task, data = self.task, self.data
        values = {
            "joint_pos": data.qpos[task.joint_qpos].copy(),
            "joint_vel": data.qvel[task.joint_qvel].copy(),
            "base_angular_velocity": data.sensordata[task.gyro].copy(),
            "base_linear_velocity": data.sensordata[task.velocimeter].copy(),
            "gravity_in_base": -data.xmat[task.base_id, 6:9].copy(),
        }
        if noise:
            for name, value in values.items():
                value += rng.normal(0.0, noise * NOISE_STD[name], value.shape)
        return values

    def targets(self) -> np.ndarray:
        return self.data.ctrl.copy()

    def set_targets(self, targets: np.ndarray) -> None:
        """PD position targets (rad), each clipped to its actuator's range as a servo would."""
        self.model.actuator_gainprm[:, 0] = self.kp
        self.model.actuator_biasprm[:, 1] = -self.kp
        low, high = self.model.actuator_ctrlrange.T
        self.data.ctrl[:] = np.clip(targets, low, high)

    def damp(self) -> None:
        """No stiffness: each joint's damping alone."""
        self.model.actuator_gainprm[:, 0] = 0.0
        self.model.actuator_biasprm[:, 1] = 0.0

    def kick(self, speed: float, rng: np.random.Generator) -> None:
        angle = rng.uniform(0.0, 2 * np.pi)
        dofs = slice(self.task.root_qvel, self.task.root_qvel + 2)
        self.data.qvel[dofs] += speed * np.array([np.cos(angle), np.sin(angle)])
        self.kicks.append([self.data.time, speed, angle])

    def step(self) -> None:
        mujoco.mj_step(self.model, self.data)
        task, data = self.task, self.data
        if round(data.time / self.timestep) % 10 == 0:  # ground truth at 50 Hz (2 ms steps)
            velocity = data.qvel[task.root_qvel : task.root_qvel + 3]
            height = data.qpos[task.root_qpos + 2] / task.stand_height
            self.truth.append([data.time, height, data.xmat[task.base_id, 8], *velocity])

    def save_truth(self, path: str) -> None:
        """The ground truth as ``.npz`` (written beside, then moved into place)."""
        import os

        tmp = f"{path}.tmp-{os.getpid()}.npz"
        np.savez(
            tmp,
            truth=np.asarray(self.truth),
            kicks=np.asarray(self.kicks).reshape(-1, 3),
            commands=self.commands,
            min_height=self.task.min_base_height,
            min_up=self.task.min_up,
        )
        os.replace(tmp, path)
