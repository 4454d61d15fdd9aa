"""What the manipulation tasks share: the arm from its description, the scene around it, and the
two action modes.

- ``action="joint"``: one entry per arm joint, its PD target (home ± ``joint_span`` rad,
  within the joint's range: action 0 holds home where the range allows), and the gripper's
  command (its lower command at -1, its higher at +1);
- ``action="end_effector"`` (the default): the end effector's displacement this control step
  (x, y, z in the world frame, each at most ``ee_step`` metres), optionally its turn about the
  vertical (``yaw=True``, at most ``yaw_step`` rad), and the gripper's command. One damped
  least-squares IK step on the batch's Jacobians, from the current joints, turns the
  displacement into the arm's PD targets; the hand keeps its home orientation (plus the
  commanded yaw). A policy in this mode is less tied to
  one arm: it commands the hand, not the joints.

Observations start with the arm joints' angles (relative to home) and velocities, the end
effector's position relative to its home position, and the gripper's opening (0 closed, 1 open;
arms with a gripper); each task appends its own.
"""

from __future__ import annotations

from typing import Literal

import mujoco
import numpy as np
from mujoco import batch as mjbatch

from robodrl.envs.manipulator.build import Scene, build_scene
from robodrl.envs.manipulator.ik import DAMPING, dls_step, rotation_error, yaw_rotation
from robodrl.envs.manipulator.robot import ArmDescription, load_arm
from robodrl.envs.task import (
    BuiltTask,
    CommandSpace,
    ResetNoise,
    _check_non_negative,
    _check_positive,
    frame_skip_of,
)
from robodrl.errors import ConfigError, TaskArgumentError

TIMESTEP = 0.002
ACTIONS = ("end_effector", "joint")


class ManipulatorTask(BuiltTask):
    """An arm from its description in a scene built around it (subclasses: reach, push, pick
    and place)."""

    stage = mujoco.mjtStage.mjSTAGE_VEL
    has_success = True
    with_object = False

    def __init__(
        self,
        *,
        robot: str = "franka_class",
        action: Literal["end_effector", "joint"] = "end_effector",
        yaw: bool = False,
        control_hz: float = 25.0,
        ee_step: float = 0.03,
        yaw_step: float = 0.2,
        joint_span: float = 1.0,
        reset_noise_scale: float = 0.05,
        episode_seconds: float = 4.0,
        **weights: float,
    ) -> None:
        _check_positive(
            control_hz=control_hz, ee_step=ee_step, yaw_step=yaw_step, joint_span=joint_span
        )
        frame_skip = frame_skip_of(TIMESTEP, control_hz)
        super().__init__(frame_skip=frame_skip, episode_seconds=episode_seconds, **weights)
        if action not in ACTIONS:
            raise TaskArgumentError(f"task argument action={action!r}; valid: {list(ACTIONS)}")
        _check_non_negative(reset_noise_scale=reset_noise_scale)
        try:
            self.arm: ArmDescription = load_arm(robot)
        except ConfigError as err:
            raise TaskArgumentError(f"task argument robot: {err}") from None
        self.action, self.yaw = action, bool(yaw)
        self.ee_step, self.yaw_step = ee_step, yaw_step
        self.reset_noise_scale, self.joint_span = reset_noise_scale, joint_span
        self._scene: Scene | None = None

    # -- model -------------------------------------------------------------------------------
    def task_observations(self) -> list[tuple[str, int]]:
        """The task's own observation blocks, after the arm's."""
        return []

    def load_model(self) -> mujoco.MjModel:
        if self._scene is None:
            span = self.joint_span if self.action == "joint" else np.inf  # IK: the whole range
            try:
                self._scene = build_scene(self.arm, with_object=self.with_object, joint_span=span)
            except ConfigError as err:
                raise TaskArgumentError(f"task argument robot: {err}") from None
            n = len(self._scene.arm_joints)
            self.obs_spec = [("joint_pos", n), ("joint_vel", n), ("ee_pos", 3)]
            if self.arm.gripper is not None:
                self.obs_spec.append(("gripper_opening", 1))
            self.obs_spec += self.task_observations()
        return self._scene.model

    @property
    def scene(self) -> Scene:
        self.load_model()
        assert self._scene is not None
        return self._scene

    def command_space(self, model: mujoco.MjModel) -> CommandSpace | None:
        if self.action == "joint":
            return None
        names = ["ee_dx", "ee_dy", "ee_dz"] + (["ee_dyaw"] if self.yaw else [])
        steps = [self.ee_step] * 3 + ([self.yaw_step] if self.yaw else [])
        low, high = [-s for s in steps], list(steps)
        if self.arm.gripper is not None:
            names.append("gripper")
            low.append(min(self.arm.gripper.closed, self.arm.gripper.open))
            high.append(max(self.arm.gripper.closed, self.arm.gripper.open))
        return CommandSpace(names, np.array(low), np.array(high))

    def command_metadata(self) -> dict:
        """For an exported end-effector policy: the commands are the hand's displacement per
        control step (m, world frame: the arm's base frame when the base sits unrotated at
        the origin), its yaw turn (rad) if any, and the gripper's command; the robot turns
        them into joint targets with its own Cartesian controller, or as the task does: one
        damped least-squares IK step from the current joints, keeping the hand's orientation."""
        space = self.scene.workspace
        return {
            "kind": "end_effector_delta",
            "entries": self.command_space(self.load_model()).names,
            "ee_site": self.arm.ee_site,
            "ee_offset": list(self.arm.ee_offset),
            "arm_joints": self.scene.arm_joints,
            "base_position": space.base.round(6).tolist(),
            "hand_rotation": space.home_rotation.round(6).tolist(),
            "ik": {"method": "damped least squares, one step per control step", "damping": DAMPING},
            "gripper": None if self.arm.gripper is None else self.arm.gripper.model_dump(),
        }

    # -- binding -----------------------------------------------------------------------------
    def bind(self, batch: mjbatch.Batch, model: mujoco.MjModel) -> None:
        scene = self.scene
        self.batch = batch
        self.qpos, self.qvel = batch.bind("qpos"), batch.bind("qvel")
        self.site_xpos, self.site_xmat = batch.bind("site_xpos"), batch.bind("site_xmat")
        self.mocap_pos = batch.bind("mocap_pos")
        self.actuator_length = batch.bind("actuator_length")
        joints = [model.joint(j) for j in scene.arm_joints]
        self.arm_qpos = np.array([j.qposadr[0] for j in joints])
        self.arm_dofs = np.array([j.dofadr[0] for j in joints])
        self.arm_ctrl = np.array([model.actuator(f"{j}_position").id for j in scene.arm_joints])
        self.joint_low, self.joint_high = model.actuator_ctrlrange[self.arm_ctrl].T
        self.ee = model.site(scene.ee_site).id
        self.ee_body = int(model.site_bodyid[self.ee])
        self.goal = model.body("robodrl_goal").mocapid[0]
        self.qpos0 = model.qpos0.copy()
        self.gripper: np.ndarray | None = None  # the gripper's actuators
        if self.arm.gripper is not None:
            g = self.arm.gripper
            self.gripper = np.array([model.actuator(a).id for a in g.actuators])
            self.grip_closed, self.grip_span = g.closed, g.open - g.closed
            self.open_qpos = self._open_fingers(model)
        #: the hand's commanded yaw (end_effector mode with yaw), reset with the arm
        self.yaw_target = np.zeros(batch.nsim)

    def _open_fingers(self, model: mujoco.MjModel) -> list[tuple[int, float]]:
        """(qpos address, value) of the gripper's joints when open: each actuator's joint at
        the open command, and the joints an equality ties to one of them likewise."""
        value, opened = self.grip_closed + self.grip_span, []
        for a in self.gripper:
            if int(model.actuator_trntype[a]) != int(mujoco.mjtTrn.mjTRN_JOINT):
                continue
            joint = int(model.actuator_trnid[a, 0])
            opened.append((int(model.jnt_qposadr[joint]), value))
            for e in range(model.neq):  # joints tied to it: q1 = c0 + c1 q2 (linear couplings)
                if int(model.eq_type[e]) != int(mujoco.mjtEq.mjEQ_JOINT):
                    continue
                first, second = int(model.eq_obj1id[e]), int(model.eq_obj2id[e])
                c0, c1 = model.eq_data[e, :2]
                if second == joint:
                    opened.append((int(model.jnt_qposadr[first]), c0 + c1 * value))
                elif first == joint and c1 != 0 and second >= 0:
                    opened.append((int(model.jnt_qposadr[second]), (value - c0) / c1))
        return opened

    # -- actions -----------------------------------------------------------------------------
    def write_ctrl(self, command: np.ndarray, ctrl: np.ndarray) -> None:
        """One DLS IK step on the current Jacobian, from the current joints, toward the hand
        displaced by the command (and back toward its target orientation): the arm's PD
        targets. The displacement is a velocity command: a hand told to stay under a load sags
        as far as its PD gains let it each step (a policy closes that loop, as on a robot)."""
        n, ee = len(command), self.ee_pos()
        if self.yaw:
            self.yaw_target = self.yaw_target + command[:, 3]
        rotation = yaw_rotation(self.yaw_target) @ self.scene.workspace.home_rotation
        current = self.site_xmat[:, self.ee].reshape(n, 3, 3)
        error = np.concatenate([command[:, :3], rotation_error(rotation, current)], axis=1)
        jacp, jacr = self.batch.jac(np.full(n, self.ee_body), ee)
        jacobian = np.concatenate([jacp[:, :, self.arm_dofs], jacr[:, :, self.arm_dofs]], axis=1)
        joints = self.qpos[:, self.arm_qpos] + dls_step(jacobian, error)
        ctrl[:, self.arm_ctrl] = np.clip(joints, self.joint_low, self.joint_high)
        if self.gripper is not None:
            ctrl[:, self.gripper] = command[:, -1:]

    def state_dict(self) -> dict[str, list]:
        return {"yaw_target": self.yaw_target.tolist()}

    def load_state_dict(self, state: dict[str, list]) -> None:
        self.yaw_target[:] = np.asarray(state["yaw_target"])

    # -- episodes ----------------------------------------------------------------------------
    def reset_arm(self, ids: np.ndarray, noise: ResetNoise) -> None:
        """Home pose with U(-s, s) rad on each arm joint, at rest, the gripper open."""
        s = self.reset_noise_scale
        qpos = np.tile(self.qpos0, (len(ids), 1))
        qpos[:, self.arm_qpos] = self.scene.home + noise.uniform(ids, -s, s, self.arm_qpos.size)
        if self.gripper is not None:
            for address, value in self.open_qpos:
                qpos[:, address] = value
        self.qpos[ids] = qpos
        self.qvel[ids] = 0.0
        self.yaw_target[ids] = 0.0

    def ee_pos(self) -> np.ndarray:
        """The end effector's position (world frame, m), ``(num_envs, 3)``."""
        return self.site_xpos[:, self.ee]

    def place_goal(self, ids: np.ndarray, position: np.ndarray) -> None:
        self.mocap_pos[ids, self.goal] = position

    def goal_pos(self) -> np.ndarray:
        return self.mocap_pos[:, self.goal]

    def sample_on_table(self, ids: np.ndarray, noise: ResetNoise) -> np.ndarray:
        """Points (x, y) in the workspace's sector of the table, ``(len(ids), 2)``."""
        space = self.scene.workspace
        draw = noise.uniform(ids, 0.0, 1.0, 2)
        radius = space.reach * (space.radius[0] + np.diff(space.radius)[0] * draw[:, 0])
        angle = space.home_azimuth + space.azimuth * (2 * draw[:, 1] - 1)
        return space.base[:2] + radius[:, None] * np.stack([np.cos(angle), np.sin(angle)], 1)

    # -- observations ------------------------------------------------------------------------
    def observation_contract(self) -> dict[str, dict]:
        """The arm's blocks from an arm's signals (SI units; positions in the arm's base
        frame, the world's axes: the base sits unrotated): ``joint_pos`` and ``joint_vel`` hold
        every joint an actuator drives, in actuator order (the arm's, then the gripper's), and
        the arm's blocks take the arm's entries; ``end_effector_position`` is the tool point's
        position; ``gripper_opening`` is 0 closed, 1 open. Tasks add their own
        (:meth:`task_contract`); a task whose blocks have no signal yet gives none."""
        model, space = self.load_model(), self.scene.workspace
        arm = [int(model.actuator(f"{j}_position").id) for j in self.scene.arm_joints]
        home_ee = (space.home_ee - space.base).round(9).tolist()
        contract = {
            "joint_pos": {"signal": "joint_pos", "indices": arm,
                          "offset": self.scene.home.tolist()},
            "joint_vel": {"signal": "joint_vel", "indices": arm},
            "ee_pos": {"signal": "end_effector_position", "offset": home_ee},
        }  # fmt: skip
        if self.arm.gripper is not None:
            contract["gripper_opening"] = {"signal": "gripper_opening"}
        task = self.task_contract(home_ee)
        return {} if task is None else contract | task

    def task_contract(self, home_ee: list[float]) -> dict[str, dict] | None:
        """The task's own blocks (``home_ee``: the hand's home in the base frame); None: the
        task has blocks no signal gives yet (the block's pose, say)."""
        return None

    def arm_observations(self) -> list[np.ndarray]:
        blocks = [
            self.qpos[:, self.arm_qpos] - self.scene.home,
            self.qvel[:, self.arm_dofs],
            self.ee_pos() - self.scene.workspace.home_ee,
        ]
        if self.gripper is not None:
            length = self.actuator_length[:, self.gripper].mean(axis=1)
            blocks.append(((length - self.grip_closed) / self.grip_span)[:, None])
        return blocks

    def joint_velocity_cost(self) -> np.ndarray:
        return -np.sum(self.qvel[:, self.arm_dofs] ** 2, axis=1)
