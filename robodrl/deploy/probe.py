"""The joint check before the policy: each joint is moved a little, in turn, and must not read
the opposite motion.

One joint at a time is moved by ``delta`` while the others hold. A standing robot's feet tie
its joints together, so moving several at once says little about each. A loaded joint may
barely move, so a joint that reads no motion is not refused. A joint that reads the opposite
motion, beyond ``SHARE`` of the offset, is: its encoder is flipped. The run is refused with the
joint named before the policy sends anything, and the robot is put back at its pose.

First the robot holds the pose it reads for three holds. A joint whose encoder alone is flipped
is sent to the mirror of its angle there: at most twice its distance from zero, which the range
check bounds. Then each joint's turn ramps it to the offset (``RAMP_S``), reads it holding
(``HOLD_S``; the mean of the second half, against sensor noise), ramps back and reads it holding
again. Its motion is the reading at the offset minus the mean of the readings before and after,
so a slow drift of the whole robot cancels. A joint that reads the opposite motion is tried
again, up to ``TRIES`` times in all, and refused only if every try reads it (a push during one
try is no flipped encoder).

What no joint check can catch: a joint whose encoder and motor are both reversed, or two joints
crossed in both reading and command, move as told. The range check catches them where their
resting angles differ, as a hip's and a knee's do. Two alike joints crossed (the left and the
right hip abductions) need the robot's kinematics to tell apart, and the file does not carry
them.
"""

from __future__ import annotations

import time

import numpy as np

from robodrl.deploy.contract import DeployContract
from robodrl.deploy.interface import Command, DeployError, Robot

RAMP_S, HOLD_S, SHARE, TRIES = 0.1, 0.12, 0.1, 3
#: the largest offset (rad); smaller where the control range is narrow
MAX_DELTA = 0.1


def probe_joints(contract: DeployContract, robot: Robot, pose: np.ndarray) -> dict:
    """Run the check from ``pose`` (see the module docstring); return what each joint read."""
    dt, n = contract.control_dt, len(pose)
    half = (contract.target_high - contract.target_low) / 2
    delta = np.minimum(MAX_DELTA, 0.25 * half)
    ramp, hold = max(1, round(RAMP_S / dt)), max(1, round(HOLD_S / dt))
    seen: list[float] = []
    before = _held(robot, pose, 3 * hold, dt)  # long enough for a mirrored joint to get there
    for i in range(n):
        readings = []
        for _ in range(TRIES):  # a push during a try is not a flipped encoder: all must agree
            motion, before = _try(robot, pose, i, delta[i], before, ramp, hold, dt)
            readings.append(motion)
            if motion >= -SHARE * delta[i]:
                break
        seen.append(readings[-1])
        if len(readings) == TRIES and readings[-1] < -SHARE * delta[i]:
            robot.write(Command("position", pose.copy()))
            shown = ", ".join(f"{r:+.3f}" for r in readings)
            raise DeployError(
                f"joint check: {contract.joint_names[i]!r} was moved {delta[i]:+.3f} rad "
                f"{TRIES} times and read {shown} rad: a flipped encoder sign? The robot was put "
                "back at its pose; nothing else was sent"
            )
    return {"delta": delta.tolist(), "moved": seen}


def _try(
    robot: Robot,
    pose: np.ndarray,
    i: int,
    delta: float,
    before: np.ndarray,
    ramp: int,
    hold: int,
    dt: float,
) -> tuple[float, np.ndarray]:
    """Joint ``i`` moved by ``delta`` and back: its motion as read, and the reading after."""
    offset = np.zeros(len(pose))
    offset[i] = delta
    for k in range(1, ramp + 1):
        _send(robot, pose + offset * k / ramp, dt)
    moved = _held(robot, pose + offset, hold, dt)
    for k in range(ramp - 1, -1, -1):
        _send(robot, pose + offset * k / ramp, dt)
    after = _held(robot, pose, hold, dt)
    return float(moved[i] - (before[i] + after[i]) / 2), after  # a slow drift cancels


def _send(robot: Robot, target: np.ndarray, dt: float) -> None:
    robot.write(Command("position", target))
    time.sleep(dt)


def _held(robot: Robot, target: np.ndarray, steps: int, dt: float) -> np.ndarray:
    """The mean joint reading over the second half of ``steps`` periods at ``target``."""
    readings, sequences = [], set()
    for k in range(steps):
        _send(robot, target, dt)
        state = robot.read()
        sequences.add(state.sequence)
        if k >= steps // 2:
            readings.append(np.asarray(state.signals["joint_pos"], dtype=float))
    if len(sequences) == 1:
        robot.write(Command("position", target.copy()))
        raise DeployError(f"joint check: the robot sent no new measurement for {steps * dt:g} s")
    return np.mean(readings, axis=0)
