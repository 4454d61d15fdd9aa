"""The local link between the deploy loop and a simulated robot in another process.

A ``multiprocessing.connection`` socket on 127.0.0.1, authenticated with a key the loop makes
and hands to the process it starts (``ROBODRL_SIM_KEY``, hex). The robot speaks first: one JSON
handshake (its :class:`~robodrl.deploy.interface.RobotInfo`), then one state frame per control
period. Frames are float64 arrays: a state is ``[stamp, sequence, *signals]`` (the signals
concatenated in the handshake's order); a command is ``[mode, *positions]``."""

from __future__ import annotations

import json

import numpy as np

from robodrl.deploy.interface import Command, RobotInfo, State

KEY_VARIABLE = "ROBODRL_SIM_KEY"
#: command modes on the wire
MODES = {"position": 0.0, "damp": 1.0, "stop": 2.0, "end_effector": 3.0}


def handshake_bytes(info: RobotInfo) -> bytes:
    """The robot's first message."""
    return json.dumps(
        {
            "name": info.name,
            "joint_names": info.joint_names,
            "control_dt": info.control_dt,
            "signals": info.signals,
        }
    ).encode()


def parse_handshake(data: bytes) -> RobotInfo:
    """The :class:`RobotInfo` a handshake carries."""
    value = json.loads(data.decode())
    return RobotInfo(
        joint_names=[str(n) for n in value["joint_names"]],
        control_dt=None if value["control_dt"] is None else float(value["control_dt"]),
        signals={str(k): int(v) for k, v in value["signals"].items()},
        name=str(value.get("name", "robot")),
    )


def state_bytes(stamp: float, sequence: int, signals: dict[str, np.ndarray]) -> bytes:
    """A state frame (signals in the handshake's order)."""
    parts = [np.array([stamp, float(sequence)])] + [np.ravel(v) for v in signals.values()]
    return np.concatenate(parts).astype(np.float64).tobytes()


def parse_state(data: bytes, info: RobotInfo) -> State:
    """The :class:`State` a frame carries."""
    values = np.frombuffer(data, dtype=np.float64)
    signals, start = {}, 2
    for name, size in info.signals.items():
        signals[name] = values[start : start + size].copy()
        start += size
    return State(stamp=float(values[0]), signals=signals, sequence=int(values[1]))


def command_bytes(command: Command | None) -> bytes:
    """A command frame; None: the loop is done (the robot stops listening)."""
    if command is None:
        return np.array([MODES["stop"]]).tobytes()
    return np.concatenate([[MODES[command.mode]], np.ravel(command.values)]).tobytes()


def parse_command(data: bytes) -> tuple[str, np.ndarray]:
    """The mode name and positions a command frame carries."""
    values = np.frombuffer(data, dtype=np.float64)
    mode = {code: name for name, code in MODES.items()}.get(float(values[0]), "stop")
    return mode, values[1:].copy()
