"""``logs/episodes.csv``: every finished episode (step, env, return, length, each reward term),
kept consistent with the checkpoint a run resumes from."""

from __future__ import annotations

import csv
import os
from collections import deque
from pathlib import Path
from typing import Any

from robodrl.files.atomic import write_text


class EpisodeLog:
    """Appends episodes; on resume, drops the rows written after the checkpoint."""

    def __init__(self, path: Path, reward_names: tuple[str, ...], state: dict[str, Any]) -> None:
        self.path, self.reward_names = path, reward_names
        self.count = state.get("episodes_logged", 0)
        self.recent: deque[float] = deque(state.get("recent_returns", []), maxlen=50)
        self.term_values: dict[str, list[float]] = {}
        if path.is_file():  # resumed: rows after the checkpoint belong to the lost future
            lines = path.read_text().splitlines(keepends=True)
            write_text(path, "".join(lines[: 1 + self.count]))
        path.parent.mkdir(parents=True, exist_ok=True)
        new = not path.is_file()
        self._file = path.open("a", newline="")
        self._writer = csv.writer(self._file)
        if new:
            self._writer.writerow(["step", "env", "return", "length", *reward_names])

    def write(self, step: int, episodes: list[dict[str, Any]]) -> None:
        """One row per finished episode."""
        for episode in episodes:
            terms = episode["terms"]
            self._writer.writerow(
                [
                    step,
                    episode["env"],
                    repr(episode["return"]),
                    episode["length"],
                    *(repr(terms.get(n, 0.0)) for n in self.reward_names),
                ]
            )
            self.count += 1
            self.recent.append(episode["return"])
            for name, value in terms.items():
                self.term_values.setdefault(name, []).append(value)

    def recent_mean(self) -> float | None:
        """Mean return of the last 50 episodes (None before the first)."""
        return sum(self.recent) / len(self.recent) if self.recent else None

    def take_term_values(self) -> dict[str, list[float]]:
        """Reward-term returns of the episodes since the last call."""
        values, self.term_values = self.term_values, {}
        return values

    def sync(self) -> None:
        """Make the rows so far durable (before a checkpoint records ``count``)."""
        self._file.flush()
        os.fsync(self._file.fileno())

    def state(self) -> dict[str, Any]:
        """What a checkpoint keeps of the log."""
        return {"episodes_logged": self.count, "recent_returns": list(self.recent)}

    def close(self) -> None:
        """Close the file."""
        self._file.close()
