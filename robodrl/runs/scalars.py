"""Scalar logs of a training session: ``scalars.csv`` and TensorBoard, one folder per session
(a resumed run never overwrites one)."""

from __future__ import annotations

import csv
from pathlib import Path

from torch.utils.tensorboard import SummaryWriter


def session_folder(run_dir: Path) -> Path:
    """``logs/session_<k>``: the next unused session folder of a run."""
    logs = run_dir / "logs"
    taken = sum(1 for _ in logs.glob("session_*")) if logs.is_dir() else 0
    return logs / f"session_{taken}"


class Scalars:
    """``record(key, value)`` as training goes; ``dump(step)`` writes one row / event each."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._writer = SummaryWriter(str(folder))
        self._csv = (folder / "scalars.csv").open("a", newline="")
        self._rows = csv.writer(self._csv)
        self._pending: dict[str, float] = {}

    def record(self, key: str, value: float) -> None:
        """Keep ``value`` under ``key`` until the next dump."""
        self._pending[key] = float(value)

    def dump(self, step: int) -> None:
        """Write what was recorded, at ``step``."""
        for key, value in self._pending.items():
            self._writer.add_scalar(key, value, step)
            self._rows.writerow([step, key, repr(value)])
        self._pending = {}
        self._csv.flush()

    def close(self) -> None:
        """Flush and close."""
        self._writer.close()
        self._csv.close()
