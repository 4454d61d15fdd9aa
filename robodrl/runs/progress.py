"""Training progress on stderr: a rich bar in a terminal; elsewhere (a log file, CI, nohup, a
notebook) a plain line every ``LINE_SECONDS``: steps, steps/s, time left, recent return."""

from __future__ import annotations

import os
import sys
import time

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

#: seconds between the plain progress lines written outside a terminal
#: (``$ROBODRL_PROGRESS_SECONDS`` sets another interval)
LINE_SECONDS = 30.0


class ProgressBar:
    """Steps done of the total, steps per second this session, and the recent mean return."""

    def __init__(self, label: str, total_steps: int, done: int) -> None:
        self.label, self.total = label, total_steps
        self._start, self._start_steps = time.perf_counter(), done
        self._console = Console(stderr=True)
        self._plain = not self._console.is_terminal
        seconds = os.environ.get("ROBODRL_PROGRESS_SECONDS", "")
        self._line_seconds = (
            float(seconds) if seconds.replace(".", "", 1).isdigit() else LINE_SECONDS
        )
        self._last_line = time.perf_counter()
        self._progress = None
        if not self._plain:
            self._progress = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                TextColumn("{task.completed:,.0f}/{task.total:,.0f} steps"),
                TextColumn("{task.fields[rate]:,.0f} steps/s"),
                TextColumn("return {task.fields[ret]}"),
                TimeRemainingColumn(),
                console=self._console,
            )
            self._bar = self._progress.add_task(label, total=total_steps, rate=0.0, ret="-")
            self._progress.start()
            self._progress.update(self._bar, completed=done)

    def update(
        self,
        steps: int,
        recent_return: float | None,
        *,
        eval_return: float | None = None,
        final: bool = False,
    ) -> None:
        """Show ``steps`` done, the recent mean return (None: no episode yet) and the last
        evaluation's; ``final``: the session's last update (outside a terminal, always a line)."""
        now = time.perf_counter()
        rate = (steps - self._start_steps) / max(now - self._start, 1e-9)
        ret = "-" if recent_return is None else f"{recent_return:.1f}"
        if self._progress is not None:
            self._progress.update(self._bar, completed=steps, rate=rate, ret=ret)
        elif final or now - self._last_line >= self._line_seconds:
            self._last_line = now
            evaluated = "-" if eval_return is None else f"{eval_return:.1f}"
            self.line(steps, rate, ret, evaluated)

    def line(self, steps: int, rate: float, ret: str, evaluated: str) -> None:
        """One plain progress line (outside a terminal)."""
        left = (self.total - steps) / rate if rate > 0 else float("nan")
        eta = "-" if left != left else time.strftime("%H:%M:%S", time.gmtime(max(left, 0)))
        print(
            f"{self.label}: {steps:,}/{self.total:,} steps ({steps / self.total:.0%}), "
            f"{rate:,.0f} steps/s, {eta} left, recent return {ret}, eval return {evaluated}",
            file=sys.stderr,
            flush=True,
        )

    def stop(self) -> None:
        """Leave the bar as it is on screen."""
        if self._progress is not None:
            self._progress.stop()
