"""What a policy file promises a robot, and the checks that a robot fits it, made before the
first command: the same joints in the same order, the same control rate, every signal the
observation needs at its size, and joints that read inside their ranges.

Everything comes from the file's metadata (``joint_names``, ``actuation``,
``observation_contract``, ``obs_layout``, ``control_dt``); a file without them was exported by
an older robodrl or for a task without a deploy contract, and is refused with what is missing."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from robodrl.deploy.interface import DeployError, RobotInfo, State
from robodrl.deploy.observation import ObservationBuilder
from robodrl.runtime.metadata import MetadataFields
from robodrl.runtime.policy import OnnxPolicy

#: how far a joint may read outside its range from the file before the robot is refused (rad)
RANGE_MARGIN = 0.1
#: how far the robot's control period may differ from the file's (relative)
RATE_TOLERANCE = 0.01


def _joints(actuation: dict, fields: MetadataFields) -> list[str]:
    """The robot's joints the file names (``actuation.joints``; older files: ``joint_names``)."""
    joints = actuation["joints"] if "joints" in actuation else fields.json("joint_names", list)
    if not isinstance(joints, list) or not joints or not all(isinstance(j, str) for j in joints):
        raise fields.fail("actuation", "a map whose joints are the robot's joint names")
    return joints


def _vector(actuation: dict, key: str, size: int, where: str, missing: float | None = None):
    """``actuation[key]``: ``size`` finite numbers (null allowed, read as ``missing``, where a
    value may be absent: a torque limit, a joint range)."""
    values = actuation.get(key)
    ok = isinstance(values, list) and len(values) == size
    ok = ok and all(
        (v is None and missing is not None)
        or (isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v))
        for v in values
    )
    if not ok:
        nulls = " (or null)" if missing is not None else ""
        raise DeployError(
            f"{where}: metadata actuation.{key} = {values!r:.80} is not {size} finite "
            f"numbers{nulls}, one per joint"
        )
    return np.array([missing if v is None else float(v) for v in values])


class DeployContract:
    """A policy file's deploy facts (see the module docstring)."""

    def __init__(self, policy: OnnxPolicy) -> None:
        meta, where = policy.metadata, str(policy.path)
        missing = [k for k in ("observation_contract", "actuation", "joint_names") if k not in meta]
        if missing:
            raise DeployError(
                f"{where}: the file has no {', '.join(missing)} in its metadata, so it cannot be "
                "deployed from the file alone; export the run again with this robodrl (a task "
                "with a deploy contract: robodrl/Legged-v0 / -v1)"
            )
        self.policy, self.where = policy, where
        fields = MetadataFields(Path(where), meta)
        actuation = fields.json("actuation", dict)
        #: the robot's joints, in actuator order (what joint_pos, joint_vel and positions hold)
        self.joint_names = _joints(actuation, fields)
        self.mode, self.motion = self._mode(fields)
        if actuation.get("kind") != "position":
            raise DeployError(
                f"{where}: actuation kind {actuation.get('kind')!r}; the deploy "
                "loop drives PD position servos ('position')"
            )
        n = len(self.joint_names)
        if self.mode == "position" and n != policy.act_dim:
            raise fields.fail("actuation", f"{policy.act_dim} joints (act_dim), one per target")
        self.kp, self.kd = _vector(actuation, "kp", n, where), _vector(actuation, "kd", n, where)
        self.torque_limit = _vector(actuation, "torque_limit", n, where, np.inf)
        self.joint_low = _vector(actuation, "joint_low", n, where, -np.inf)
        self.joint_high = _vector(actuation, "joint_high", n, where, np.inf)
        #: the policy's command ranges (joint targets, or a hand's motion and the gripper)
        self.ctrl_low = policy.ctrl_low.astype(float)
        self.ctrl_high = policy.ctrl_high.astype(float)
        self.ctrl_middle = (self.ctrl_low + self.ctrl_high) / 2
        self.ctrl_half = (self.ctrl_high - self.ctrl_low) / 2
        #: each joint's target range (the robot's actuators; a file without them: the policy's)
        present = "target_low" in actuation
        self.target_low = _vector(actuation, "target_low", n, where) if present else self.ctrl_low
        self.target_high = (
            _vector(actuation, "target_high", n, where) if present else self.ctrl_high
        )
        self.control_dt = policy.control_dt
        self.builder = ObservationBuilder(
            policy.obs_layout,
            fields.json("observation_contract", dict),
            self.control_dt,
            where=where,
        )
        if self.builder.obs_dim != policy.obs_dim:
            raise fields.fail("obs_layout", f"a layout of all {policy.obs_dim} entries (obs_dim)")
        operator = self.builder.operator_signals
        if len(operator) > 1:
            raise DeployError(
                f"{where}: the observation takes {operator} from the operator; "
                "deploy gives one operator signal"
            )
        #: the signal the operator's commands fill (a velocity command, a reach target)
        self.operator = operator[0] if operator else None
        self.command_size = self.builder.sizes()[self.operator] if self.operator else 0

    def _mode(self, fields: MetadataFields) -> tuple[str, np.ndarray]:
        """``position`` (joint targets), or ``end_effector`` (a hand's motion, for the robot's
        Cartesian controller) and which command entries are motion (the soft start scales
        them; the gripper's is not)."""
        if "command_space" not in fields.meta:
            return "position", np.zeros(0, dtype=bool)
        space = fields.json("command_space", dict)
        entries = space.get("entries")
        if not isinstance(entries, list) or len(entries) != self.policy.act_dim:
            raise fields.fail(
                "command_space", f"a map whose entries name the {self.policy.act_dim} commands"
            )
        if space.get("kind") != "end_effector_delta":
            raise DeployError(
                f"{self.where}: command_space kind {space.get('kind')!r}; deploy "
                "sends joint targets or end_effector_delta"
            )
        return "end_effector", np.array([str(n).startswith("ee_") for n in entries])

    def normalized(self, targets: np.ndarray) -> np.ndarray:
        """Joint targets as the policy's actions (-1 .. 1 over each control range)."""
        return np.clip((targets - self.ctrl_middle) / self.ctrl_half, -1.0, 1.0)

    def check_robot(self, info: RobotInfo) -> None:
        """Refuse a robot whose joints, control rate or signals do not fit the file."""
        names, robot = self.joint_names, info.joint_names
        absent = [n for n in names if n not in robot]
        if absent:
            raise DeployError(
                f"{info.name} has no joint {absent[0]!r} the policy drives; "
                f"the policy's joints: {names}, the robot's: {robot}"
            )
        if robot != names:
            i = next(i for i, (a, b) in enumerate(zip(robot, names, strict=False)) if a != b)
            raise DeployError(
                f"{info.name}'s joint {i} is {robot[i]!r}, the policy's is {names[i]!r}: the "
                f"robot must give its joints in the file's order {names}"
            )
        dt = info.control_dt
        if dt is not None and abs(dt - self.control_dt) > RATE_TOLERANCE * self.control_dt:
            raise DeployError(
                f"{info.name} runs at {1 / dt:g} Hz, the policy at {1 / self.control_dt:g} Hz "
                f"(control_dt {self.control_dt:g} s in the file); run the robot at the file's rate"
            )
        for signal in [s for s in self.builder.signals if s != self.operator]:
            if signal not in info.signals:
                raise DeployError(
                    f"{info.name} measures no {signal!r}; the policy needs "
                    f"{self.builder.signals}, the robot gives {sorted(info.signals)}"
                )

    def check_state(self, state: State, name: str) -> None:
        """Refuse a first measurement with misshapen or non-finite signals, or joints outside
        their ranges (a flipped encoder sign or crossed joints read so)."""
        needed = {k: v for k, v in self.builder.sizes().items() if k != self.operator}
        for signal in ("joint_pos", "joint_vel"):  # one value for each joint the policy drives
            needed[signal] = len(self.joint_names)
        for signal, size in needed.items():
            value = np.ravel(state.signals.get(signal, []))
            if value.size != size:
                raise DeployError(
                    f"{name}: signal {signal!r} has {value.size} values; the "
                    f"policy's observation needs {size}"
                )
            if not np.isfinite(value.astype(float)).all():
                raise DeployError(
                    f"{name}: signal {signal!r} reads {value.tolist()!r:.80} at "
                    "the start; nothing was sent"
                )
        q = np.ravel(state.signals["joint_pos"])
        outside = (q < self.joint_low - RANGE_MARGIN) | (q > self.joint_high + RANGE_MARGIN)
        if outside.any():
            i = int(np.argmax(outside))
            raise DeployError(
                f"{name}: joint {self.joint_names[i]!r} reads {q[i]:.3f} rad, outside its range "
                f"[{self.joint_low[i]:.3f}, {self.joint_high[i]:.3f}] from the file: a flipped "
                "encoder sign, crossed joints or another zero? Nothing was sent"
            )
