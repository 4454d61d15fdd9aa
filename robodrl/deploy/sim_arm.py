"""The simulated arm for :mod:`robodrl.deploy.sim_server`: the arm a reach policy was trained
for, in the task's scene, at home with its gripper open, its PD servos holding home until the
loop sends targets.

Signals: each actuated joint's angle and speed (``joint_pos``, ``joint_vel``, in actuator
order: the arm's joints, then the gripper's), the tool point's position in the arm's base frame
(``end_effector_position``, m; the base sits unrotated) and the gripper's opening
(``gripper_opening``, 0 closed, 1 open). The ground truth is the tool point's position."""

from __future__ import annotations

from typing import ClassVar

import mujoco
import numpy as np

from robodrl.deploy.sim_body import SimBody
from robodrl.envs.manipulator.ik import dls_step, rotation_error, yaw_rotation
from robodrl.make import make_core


class ArmBody(SimBody):
    """One simulated arm (see the module docstring)."""

    NOISE_STD: ClassVar[dict[str, float]] = {
        "joint_pos": 0.001,
        "joint_vel": 0.01,
        "end_effector_position": 0.001,
        "gripper_opening": 0.01,
    }

    def __init__(self, env_id: str, arguments: dict, *, seed: int = 0) -> None:
        arguments = {**arguments, "reset_noise_scale": 0.0}
        core = make_core(env_id, 1, seed=seed, autoreset=False, **arguments)
        super().__init__(core, str(arguments.get("robot", "arm")))
        task = self.task
        self.base = task.scene.workspace.base
        self.data.ctrl[task.arm_ctrl] = task.scene.home
        if task.gripper is not None:
            self.data.ctrl[task.gripper] = task.grip_closed + task.grip_span  # open
        mujoco.mj_forward(self.model, self.data)
        self.yaw = 0.0  # the hand's commanded turn about the vertical (end-effector commands)

    def signal_sizes(self) -> dict[str, int]:
        n = len(self.joint_names)
        sizes = {"joint_pos": n, "joint_vel": n, "end_effector_position": 3}
        return sizes | ({"gripper_opening": 1} if self.task.gripper is not None else {})

    def signals(self, rng: np.random.Generator, noise: float) -> dict[str, np.ndarray]:
        task, data = self.task, self.data
        values = self.joint_signals()
        values["end_effector_position"] = data.site_xpos[task.ee] - self.base
        if task.gripper is not None:
            length = data.actuator_length[task.gripper].mean()
            values["gripper_opening"] = np.array([(length - task.grip_closed) / task.grip_span])
        return self.noisy(values, rng, noise)

    def move_hand(self, command: np.ndarray) -> None:
        """The arm's Cartesian controller, as the task's: one damped least-squares IK step
        from the current joints toward the hand moved by ``command`` (its home orientation,
        plus the commanded yaw), and the gripper's command."""
        task, model, data = self.task, self.model, self.data
        self.set_targets(self.targets())  # out of a damped safe mode: the servos stiffen
        if task.yaw:
            self.yaw += float(command[3])
        rotation = yaw_rotation(np.array([self.yaw]))[0] @ task.scene.workspace.home_rotation
        current = data.site_xmat[task.ee].reshape(3, 3)
        error = np.concatenate([command[:3], rotation_error(rotation[None], current[None])[0]])
        position, orientation = np.zeros((3, model.nv)), np.zeros((3, model.nv))
        mujoco.mj_jac(model, data, position, orientation, data.site_xpos[task.ee], task.ee_body)
        jacobian = np.concatenate([position, orientation])[:, task.arm_dofs]
        joints = data.qpos[task.arm_qpos] + dls_step(jacobian[None], error[None])[0]
        data.ctrl[task.arm_ctrl] = np.clip(joints, task.joint_low, task.joint_high)
        if task.gripper is not None:
            data.ctrl[task.gripper] = command[-1]

    def truth_row(self) -> list[float]:
        return (self.data.site_xpos[self.task.ee] - self.base).tolist()
