"""The training progress bar (rich), on stderr."""

from __future__ import annotations

import time

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn


class ProgressBar:
    """Steps done of the total, steps per second this session, and the recent mean return."""

    def __init__(self, label: str, total_steps: int, done: int) -> None:
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.completed:,.0f}/{task.total:,.0f} steps"),
            TextColumn("{task.fields[rate]:,.0f} steps/s"),
            TextColumn("return {task.fields[ret]}"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
        )
        self._bar = self._progress.add_task(label, total=total_steps, rate=0.0, ret="-")
        self._start, self._start_steps = time.perf_counter(), done
        self._progress.start()
        self._progress.update(self._bar, completed=done)

    def update(self, steps: int, recent_return: float | None) -> None:
        """Show ``steps`` done and the recent mean return (None: no episode yet)."""
        elapsed = max(time.perf_counter() - self._start, 1e-9)
        rate = (steps - self._start_steps) / elapsed
        ret = "-" if recent_return is None else f"{recent_return:.1f}"
        self._progress.update(self._bar, completed=steps, rate=rate, ret=ret)

    def stop(self) -> None:
        """Leave the bar as it is on screen."""
        self._progress.stop()
