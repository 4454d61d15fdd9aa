"""``--robot replay:REPORT``: a logged deploy run played back, for offline checks.

The robot gives, until the loop's k-th command, the signals the run measured at its k-th step,
as old as they were then; it records what the loop sends. After the run, :meth:`ReplayRobot.compare`
says how far the new commands are from the ones the logged run sent (the same file on the same
log gives the same commands: a changed policy, runtime or machine shows up here)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from robodrl.deploy.interface import Command, DeployError, RobotInfo, State

PREFIX = "signal_"


class ReplayRobot:
    """A logged run as a robot (see the module docstring)."""

    def __init__(self, report: Path) -> None:
        path = Path(report) / "signals.npz" if Path(report).is_dir() else Path(report)
        arrays = _load(path)
        self.path = path
        self.logged_sent, self.age = arrays["sent"], arrays["age"]
        self.signals = {k[len(PREFIX) :]: v for k, v in arrays.items() if k.startswith(PREFIX)}
        self.steps = len(self.age)
        self.info = RobotInfo(
            joint_names=[str(n) for n in arrays["joint_names"]],
            control_dt=float(arrays["control_dt"]),
            signals={k: int(np.prod(v.shape[1:])) for k, v in self.signals.items()},
            name=f"replay:{path}",
        )
        self.sent: list[np.ndarray] = []

    def describe(self) -> RobotInfo:
        return self.info

    def now(self) -> float:
        import time

        return time.monotonic()

    def read(self) -> State:
        # the logged step the loop is at: one step per command written
        k = min(len(self.sent), self.steps - 1)
        return State(
            stamp=self.now() - float(self.age[k]),
            signals={name: values[k].copy() for name, values in self.signals.items()},
            sequence=k,
        )

    def write(self, command: Command) -> None:
        self.sent.append(np.r_[float(command.mode == "damp"), command.values])

    def close(self) -> None:
        pass

    def compare(self) -> dict:
        """How far the replayed commands are from the logged ones."""
        n = min(len(self.sent), len(self.logged_sent))
        if n == 0:
            return {"steps": 0, "max_abs_difference": None}
        difference = np.abs(np.asarray(self.sent[:n]) - self.logged_sent[:n])
        return {"steps": n, "max_abs_difference": float(difference.max())}

    def __repr__(self) -> str:
        return json.dumps({"replay": str(self.path), "steps": self.steps})


def _load(path: Path) -> dict[str, np.ndarray]:
    """A deploy log's arrays, checked: no pickles, one row a step in each, a positive control
    period, joint names; anything else is refused naming the file."""
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
    except (OSError, ValueError, AttributeError, TypeError) as err:
        raise DeployError(f"{path}: not a deploy log (signals.npz): {err}") from None
    missing = [k for k in ("sent", "age", "control_dt", "joint_names") if k not in arrays]
    if missing:
        raise DeployError(f"{path}: not a deploy log, it lacks {missing}")
    steps = arrays["age"].shape[0] if arrays["age"].ndim == 1 else 0
    numeric = {k: v for k, v in arrays.items() if k != "joint_names"}
    ragged = [
        k
        for k, v in numeric.items()
        if k != "control_dt" and (v.ndim < 1 or v.shape[0] != steps or v.dtype.kind not in "fiub")
    ]
    period = arrays["control_dt"]
    timed = period.shape == () and period.dtype.kind in "fi" and 0 < float(period) <= 10
    if not steps or ragged or not timed:
        raise DeployError(
            f"{path}: not a deploy log: it needs one row a step in 'age' and in "
            f"every signal ({ragged or 'age'} do not fit) and a control period "
            "in (0, 10] s"
        )
    if arrays["joint_names"].dtype.kind != "U":
        raise DeployError(f"{path}: not a deploy log: joint_names are not names")
    return arrays
