"""What an exported file says about itself (``metadata_props`` and ``manifest.json``): task,
observation layout, actuators and the joints they drive, control ranges, origin."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from robodrl import __version__
from robodrl.policy import TrainedPolicy

#: the exported folder's index: metadata, checks, and the files robodrl wrote
MANIFEST = "manifest.json"


def actuated_joints(model: Any) -> list[str]:
    """The joint each actuator drives, in actuator order ("" for a non-joint transmission)."""
    import mujoco

    joint_transmissions = (int(mujoco.mjtTrn.mjTRN_JOINT), int(mujoco.mjtTrn.mjTRN_JOINTINPARENT))
    return [
        model.joint(model.actuator_trnid[i, 0]).name
        if int(model.actuator_trntype[i]) in joint_transmissions
        else ""
        for i in range(model.nu)
    ]


def actuation(model: Any) -> dict[str, Any]:
    """How each actuator turns its command into torque, for a deploy loop's safety layer.

    - ``joints``: the joint each drives, in actuator order (the robot's joints, also where the
      policy commands something else, a hand's motion);
    - ``kind``: ``position`` (a PD servo, torque = kp (target - q) - kd q̇) or ``torque`` (the
      command is the torque), with ``kp`` and ``kd``;
    - ``torque_limit`` (N·m; null: none);
    - ``target_low`` / ``target_high``: each actuator's command range;
    - ``joint_low`` / ``joint_high``: the range of the joint it drives (rad; null: unlimited).
    """
    import mujoco

    gain, bias = model.actuator_gainprm, model.actuator_biasprm
    affine = model.actuator_biastype == int(mujoco.mjtBias.mjBIAS_AFFINE)
    position = affine & np.isclose(gain[:, 0], -bias[:, 1]) & (gain[:, 0] > 0)
    transmissions = [int(mujoco.mjtTrn.mjTRN_JOINT), int(mujoco.mjtTrn.mjTRN_JOINTINPARENT)]
    on_joint = np.isin(model.actuator_trntype, transmissions)
    joints = np.where(on_joint, model.actuator_trnid[:, 0], 0)
    limited = on_joint & model.jnt_limited[joints].astype(bool)
    forced = model.actuator_forcelimited.astype(bool)
    limit = np.abs(model.actuator_forcerange).max(axis=1)

    def optional(values: np.ndarray, present: np.ndarray) -> list[float | None]:
        return [float(v) if ok else None for v, ok in zip(values, present, strict=True)]

    return {
        "joints": actuated_joints(model),
        "kind": "position" if position.all() else "torque" if not affine.any() else "mixed",
        "kp": np.where(position, gain[:, 0], 0.0).tolist(),
        "kd": np.where(position, -bias[:, 2], 0.0).tolist(),
        "torque_limit": optional(limit, forced),
        "target_low": model.actuator_ctrlrange[:, 0].tolist(),
        "target_high": model.actuator_ctrlrange[:, 1].tolist(),
        "joint_low": optional(model.jnt_range[joints, 0], limited),
        "joint_high": optional(model.jnt_range[joints, 1], limited),
    }


def robot_metadata(policy: TrainedPolicy, core: Any, config_sha256: str) -> dict[str, Any]:
    """What the file says about itself: task, layout, actuators, origin (``metadata_props``)."""
    mapped = not core.commands_are_ctrl  # the actions are the task's own commands
    contract = core.task.observation_contract()  # how a robot's signals make the observation
    return {
        "producer": "robodrl",
        "producer_version": __version__,
        "env_id": policy.env_id,
        "task_arguments": dict(policy.task_arguments),
        "obs_dim": core.obs_dim,
        "act_dim": core.action_dim,
        "obs_layout": {k: [v.start, v.stop] for k, v in core.obs_layout.items()},
        "actuator_names": core.actuator_names,
        # the joint each action drives: one per actuator, or none (an end effector's motion)
        "joint_names": [""] * core.action_dim if mapped else actuated_joints(core.model),
        **({"command_space": core.task.command_metadata()} if mapped else {}),
        **({"observation_contract": contract} if contract else {}),
        "actuation": actuation(core.model),
        "ctrl_low": core.ctrl_low.tolist(),
        "ctrl_high": core.ctrl_high.tolist(),
        "control_dt": core.control_dt,
        "algorithm": policy.algorithm,
        "training_steps": policy.training_steps,
        "config_sha256": config_sha256,
        "checkpoint": policy.checkpoint.name,
        "checkpoint_sha256": policy.checkpoint_sha256,
        "exported_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
