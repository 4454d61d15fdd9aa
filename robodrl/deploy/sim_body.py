"""The simulated robot's body for :mod:`robodrl.deploy.sim_server`: the robot a policy file was
trained for, built by robodrl's task, stepped one MuJoCo ``MjData`` at a time, its PD servos
taking the targets the loop sends. :class:`LeggedBody`: a legged robot in the accurate physics
settings, standing at its standing pose; :class:`~robodrl.deploy.sim_arm.ArmBody`: an arm at
home in its scene.

Signals are what the robot's sensors give (SI units, base frame); each takes Gaussian noise of
``noise`` x its body's ``NOISE_STD``. Imported by the simulator's process only."""

from __future__ import annotations

from typing import ClassVar

import mujoco
import numpy as np

from robodrl.errors import ConfigError
from robodrl.make import make_core


class SimBody:
    """What every simulated body does: PD targets, damping, stepping, the ground truth."""

    NOISE_STD: ClassVar[dict[str, float]] = {}
    #: whether ``--kick-speed`` applies (a free-floating base to kick)
    takes_kicks = False

    def __init__(self, core, name: str) -> None:
        self.core, self.task, self.model = core, core.task, core.model
        self.robot_name = name
        self.data = mujoco.MjData(self.model)
        self.data.qpos[:] = core.task.qpos[0]
        self.data.qvel[:] = 0.0
        self.timestep = float(self.model.opt.timestep)
        self.control_dt = float(core.control_dt)
        self.kp = self.model.actuator_gainprm[:, 0].copy()
        joints = self.model.actuator_trnid[:, 0]
        self.joint_names = [self.model.joint(j).name for j in joints]
        self.joint_qpos = self.model.jnt_qposadr[joints]
        self.joint_dofs = self.model.jnt_dofadr[joints]
        self.truth: list[list[float]] = []
        self.kicks: list[list[float]] = []
        self.commands = 0  # commands received

    def noisy(self, values: dict[str, np.ndarray], rng: np.random.Generator,
              noise: float) -> dict[str, np.ndarray]:  # fmt: skip
        if noise:
            for name, value in values.items():
                value += rng.normal(0.0, noise * self.NOISE_STD[name], value.shape)
        return values

    def joint_signals(self) -> dict[str, np.ndarray]:
        """Each actuated joint's angle and speed, in actuator order."""
        return {"joint_pos": self.data.qpos[self.joint_qpos].copy(),
                "joint_vel": self.data.qvel[self.joint_dofs].copy()}  # fmt: skip

    def targets(self) -> np.ndarray:
        return self.data.ctrl.copy()

    def set_targets(self, targets: np.ndarray) -> None:
        """PD position targets, each clipped to its actuator's range as a servo would."""
        self.model.actuator_gainprm[:, 0] = self.kp
        self.model.actuator_biasprm[:, 1] = -self.kp
        low, high = self.model.actuator_ctrlrange.T
        self.data.ctrl[:] = np.clip(targets, low, high)

    def damp(self) -> None:
        """No stiffness: each joint's damping alone."""
        self.model.actuator_gainprm[:, 0] = 0.0
        self.model.actuator_biasprm[:, 1] = 0.0

    def step(self) -> None:
        mujoco.mj_step(self.model, self.data)
        if round(self.data.time / self.timestep) % 10 == 0:  # every 10 physics steps
            self.truth.append([self.data.time, *self.truth_row()])

    def truth_row(self) -> list[float]:
        return []

    def move_hand(self, command: np.ndarray) -> None:
        raise ConfigError(f"{self.robot_name} has no hand to move (an end-effector command)")

    def truth_facts(self) -> dict:
        return {}

    def save_truth(self, path: str) -> None:
        """The ground truth as ``.npz`` (written beside, then moved into place)."""
        import os

        tmp = f"{path}.tmp-{os.getpid()}.npz"
        np.savez(tmp, truth=np.asarray(self.truth), kicks=np.asarray(self.kicks).reshape(-1, 3),
                 commands=self.commands, **self.truth_facts())  # fmt: skip
        os.replace(tmp, path)


class LeggedBody(SimBody):
    """One simulated legged robot (see the module docstring)."""

    takes_kicks = True

    NOISE_STD: ClassVar[dict[str, float]] = {
        "joint_pos": 0.01,
        "joint_vel": 0.15,
        "base_angular_velocity": 0.05,
        "base_linear_velocity": 0.05,
        "gravity_in_base": 0.02,
    }

    def __init__(self, env_id: str, arguments: dict, *, seed: int = 0) -> None:
        arguments = {**arguments, "physics": "accurate", "reset_noise_scale": 0.0}
        core = make_core(env_id, 1, seed=seed, autoreset=False, **arguments)
        super().__init__(core, str(arguments.get("robot", "robot")))
        self.data.ctrl[:] = self.task.stand_joints
        mujoco.mj_forward(self.model, self.data)

    def signal_sizes(self) -> dict[str, int]:
        n = len(self.joint_names)
        sizes = {"joint_pos": n, "joint_vel": n, "base_angular_velocity": 3}
        return sizes | {"base_linear_velocity": 3, "gravity_in_base": 3}

    def signals(self, rng: np.random.Generator, noise: float) -> dict[str, np.ndarray]:
        task, data = self.task, self.data
        values = self.joint_signals() | {
            "base_angular_velocity": data.sensordata[task.gyro].copy(),
            "base_linear_velocity": data.sensordata[task.velocimeter].copy(),
            "gravity_in_base": -data.xmat[task.base_id, 6:9].copy(),
        }
        return self.noisy(values, rng, noise)

    def kick(self, speed: float, rng: np.random.Generator) -> None:
        angle = rng.uniform(0.0, 2 * np.pi)
        dofs = slice(self.task.root_qvel, self.task.root_qvel + 2)
        self.data.qvel[dofs] += speed * np.array([np.cos(angle), np.sin(angle)])
        self.kicks.append([self.data.time, speed, angle])

    def truth_row(self) -> list[float]:
        task, data = self.task, self.data
        velocity = data.qvel[task.root_qvel : task.root_qvel + 3]
        height = data.qpos[task.root_qpos + 2] / task.stand_height
        return [height, data.xmat[task.base_id, 8], *velocity]

    def truth_facts(self) -> dict:
        return {"min_height": self.task.min_base_height, "min_up": self.task.min_up}
