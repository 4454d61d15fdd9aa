"""What an MJCF's own actuators say about each joint (a leg's or an arm's): torque limit, PD gains,
armature."""

from __future__ import annotations

import mujoco
import numpy as np

from robodrl.errors import ConfigError


def joint_actuator(model: mujoco.MjModel, joint: int) -> int | None:
    """The actuator that drives ``joint`` directly, if any."""
    for a in range(model.nu):
        if (
            int(model.actuator_trntype[a]) == int(mujoco.mjtTrn.mjTRN_JOINT)
            and int(model.actuator_trnid[a, 0]) == joint
        ):
            return a
    return None


def torque_limit(model: mujoco.MjModel, joint_name: str, where: str) -> tuple[float, str]:
    """A joint's torque limit (N·m) and where it was read."""
    joint = model.joint(joint_name).id
    actuator = joint_actuator(model, joint)
    if actuator is not None and model.actuator_forcelimited[actuator]:
        gear = abs(float(model.actuator_gear[actuator, 0]))
        limit = float(np.abs(model.actuator_forcerange[actuator]).max()) * gear
        return limit, "actuator forcerange"
    if model.jnt_actfrclimited[joint]:
        return float(np.abs(model.jnt_actfrcrange[joint]).max()), "the joint's actuatorfrcrange"
    if actuator is not None and _is_motor(model, actuator) and model.actuator_ctrllimited[actuator]:
        gain = abs(float(model.actuator_gainprm[actuator, 0] * model.actuator_gear[actuator, 0]))
        limit = gain * float(np.abs(model.actuator_ctrlrange[actuator]).max())
        return limit, "motor gear x ctrlrange"
    raise ConfigError(
        f"{where}: no torque limit for joint {joint_name!r}: add forcerange to its actuator or "
        "actuatorfrcrange to the joint (N·m), or write torque_limit in the description"
    )


def _is_motor(model: mujoco.MjModel, a: int) -> bool:
    return (
        model.actuator_gaintype[a] == mujoco.mjtGain.mjGAIN_FIXED
        and model.actuator_biastype[a] == mujoco.mjtBias.mjBIAS_NONE
    )


def position_gains(model: mujoco.MjModel, joint_name: str) -> tuple[float, float] | None:
    """(kp, kd) at the joint of a position actuator that drives it, else None."""
    actuator = joint_actuator(model, model.joint(joint_name).id)
    if actuator is None or model.actuator_biastype[actuator] != mujoco.mjtBias.mjBIAS_AFFINE:
        return None
    kp, bias = model.actuator_gainprm[actuator, 0], model.actuator_biasprm[actuator]
    if kp <= 0 or not np.isclose(bias[1], -kp):
        return None
    gear_sq = float(model.actuator_gear[actuator, 0]) ** 2
    return float(kp) * gear_sq, float(-bias[2]) * gear_sq


def armature(model: mujoco.MjModel, joints: list[str]) -> dict[str, float] | None:
    """Each joint's armature (kg·m²), None if every one is zero."""
    values = {j: float(model.dof_armature[model.joint(j).dofadr[0]]) for j in joints}
    return values if any(v > 0 for v in values.values()) else None


def add_position_actuator(spec: mujoco.MjSpec, name: str, joint: str, *, kp: float, kd: float,
                          ctrlrange: tuple[float, float], torque_limit: float) -> None:  # fmt: skip
    """Add a PD position actuator on ``joint`` to ``spec``: torque = kp (target - q) - kd q̇,
    the target within ``ctrlrange`` (rad, as compiled), the torque within ± ``torque_limit``."""
    actuator = spec.add_actuator(name=name, target=joint)
    actuator.trntype = mujoco.mjtTrn.mjTRN_JOINT
    actuator.gaintype = mujoco.mjtGain.mjGAIN_FIXED
    actuator.biastype = mujoco.mjtBias.mjBIAS_AFFINE
    actuator.gainprm[0] = kp
    actuator.biasprm[:3] = [0.0, -kp, -kd]
    actuator.ctrllimited = mujoco.mjtLimited.mjLIMITED_TRUE
    actuator.ctrlrange = [float(ctrlrange[0]), float(ctrlrange[1])]
    actuator.forcelimited = mujoco.mjtLimited.mjLIMITED_TRUE
    actuator.forcerange = [-torque_limit, torque_limit]
