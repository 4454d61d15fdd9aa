"""PD gains from a step-response test: each joint, the robot held in the air at its standing
pose under gravity, steps 0.1 rad; overshoot, rise time and the final error are measured in the
``accurate`` physics. :func:`tune` picks gains that are well damped (<= 10% overshoot)."""

from __future__ import annotations

from dataclasses import dataclass

import mujoco
import numpy as np

from robodrl.envs.legged.build import build_model
from robodrl.envs.legged.joints import joint_range
from robodrl.envs.legged.robot import RobotDescription
from robodrl.errors import ConfigError
from robodrl.robustness.roles import robot_mass

STEP_RAD = 0.1
SECONDS = 1.0
MAX_OVERSHOOT = 0.10
DAMPING_RATIO = 0.8
MAX_SAG_RAD = 0.05
REACH_SHARE = 0.25


@dataclass(frozen=True)
class StepResponse:
    """One joint's response to a 0.1 rad step of its target."""

    joint: str
    overshoot: float  # fraction of the step
    rise_seconds: float  # 10% -> 90%
    final_error: float  # fraction of the step, after SECONDS


def _hold_base(model, data, root_qpos: int, root_qvel: int, height: float) -> None:
    data.qpos[root_qpos : root_qpos + 7] = [0, 0, height, 1, 0, 0, 0]
    data.qvel[root_qvel : root_qvel + 6] = 0.0


def step_responses(robot: RobotDescription) -> list[StepResponse]:
    """Each actuated joint's step response with the description's gains."""
    model, joints, pose = build_model(robot, "accurate")
    data = mujoco.MjData(model)
    base = model.body(robot.base_body).id
    root = model.body_jntadr[base]
    root_qpos, root_qvel = int(model.jnt_qposadr[root]), int(model.jnt_dofadr[root])
    height = robot.standing_height + 1.0  # feet in the air
    qadr = [int(model.jnt_qposadr[model.joint(j).id]) for j in joints]
    results = []
    for i, joint in enumerate(joints):
        mujoco.mj_resetData(model, data)
        data.qpos[qadr] = pose
        _hold_base(model, data, root_qpos, root_qvel, height)
        limits = joint_range(model, joint)
        sign = 1.0 if limits is None or pose[i] + STEP_RAD <= limits[1] else -1.0
        data.ctrl[:] = pose
        data.ctrl[i] = pose[i] + sign * STEP_RAD
        trace = []
        for _ in range(round(SECONDS / model.opt.timestep)):
            mujoco.mj_step(model, data)
            _hold_base(model, data, root_qpos, root_qvel, height)
            trace.append(sign * (data.qpos[qadr[i]] - pose[i]) / STEP_RAD)
        results.append(_measure(joint, np.array(trace), model.opt.timestep))
    return results


def _measure(joint: str, trace: np.ndarray, dt: float) -> StepResponse:
    above10, above90 = np.argmax(trace >= 0.1), np.argmax(trace >= 0.9)
    rise = (above90 - above10) * dt if trace.max() >= 0.9 else float("inf")
    return StepResponse(joint, max(0.0, float(trace.max()) - 1.0), rise, abs(1.0 - trace[-1]))


def standing(robot: RobotDescription) -> tuple[mujoco.MjModel, mujoco.MjData, list[str]]:
    """The task's model (accurate physics) with the legs in the standing pose, forward-computed,
    and its actuated joints."""
    model, names, pose = build_model(robot, "accurate")
    data = mujoco.MjData(model)
    for name, angle in zip(names, pose, strict=True):
        data.qpos[model.jnt_qposadr[model.joint(name).id]] = angle
    mujoco.mj_forward(model, data)
    return model, data, names


def effective_inertia(model, data, joints: list[str]) -> np.ndarray:
    """Each joint's diagonal mass-matrix entry at the standing pose (armature included)."""
    full = np.zeros((model.nv, model.nv))
    mujoco.mj_fullM(model, data, full)
    return np.array([full[d, d] for d in (model.joint(j).dofadr[0] for j in joints)])


def standing_torques(model, data, robot: RobotDescription, joints: list[str]) -> np.ndarray:
    """Each joint's torque (N·m) to carry a quarter of the robot's weight on each foot; the
    lever is at least a quarter of the joint's reach to the foot, so a joint whose foot stands
    right below it (no lever at the pose) still holds a robot that tilts."""
    load = robot_mass(model) * float(np.linalg.norm(model.opt.gravity)) / 4
    dofs = [int(model.joint(j).dofadr[0]) for j in joints]
    torque, jacp = np.zeros(len(joints)), np.zeros((3, model.nv))
    for foot in robot.foot_geoms:
        geom = model.geom(foot)
        mujoco.mj_jac(model, data, jacp, None, data.geom_xpos[geom.id], int(geom.bodyid[0]))
        lever = np.maximum(
            np.abs(jacp[2, dofs]), REACH_SHARE * np.linalg.norm(jacp[:, dofs], axis=0)
        )
        torque += lever * load
    return torque


def tune(robot: RobotDescription, joints: list[str], torque: list[float]) -> tuple[dict, dict]:
    """kp so the full action (``action_scale``) meets the torque limit, and at least so the
    standing load bends no joint more than 0.05 rad; kd for a damping ratio of 0.8 on each
    joint's inertia, raised until the step overshoots by <= 10%. A robot whose standing load
    exceeds a joint's torque limit is refused."""
    scale = robot.per_joint("action_scale", joints)
    # the gains change only the actuators: the mass matrix and the load are the same for any
    model, data, _ = standing(robot.model_copy(update={"kp": 1.0, "kd": 0.0}))
    load = standing_torques(model, data, robot, joints)
    weak = [j for j, t, need in zip(joints, torque, load, strict=True) if need > t]
    if weak:
        raise ConfigError(
            f"{robot.source or 'robot'}: joints {weak} cannot carry the robot standing: the "
            f"load needs {np.round(load, 1).tolist()} N·m, the torque limits are {torque}"
        )
    kp = {
        j: round(float(max(t / s, need / MAX_SAG_RAD)), 3)
        for j, t, s, need in zip(joints, torque, scale, load, strict=True)
    }
    inertia = effective_inertia(model, data, joints)
    kd = {
        j: round(2 * DAMPING_RATIO * float(np.sqrt(kp[j] * m)), 4)
        for j, m in zip(joints, inertia, strict=True)
    }
    for _ in range(6):
        responses = step_responses(robot.model_copy(update={"kp": kp, "kd": kd}))
        worse = [r.joint for r in responses if r.overshoot > MAX_OVERSHOOT]
        if not worse:
            break
        kd = {j: round(v * (1.5 if j in worse else 1.0), 4) for j, v in kd.items()}
    return kp, kd
