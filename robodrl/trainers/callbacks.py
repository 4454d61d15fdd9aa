"""The run's callback: progress bar, episode and reward-term logs, evaluation, checkpoints."""

from __future__ import annotations

import csv
import json
import os
import signal
import time
from collections import deque
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from stable_baselines3.common.callbacks import BaseCallback

from robodrl.atomic import write_text
from robodrl.config import TrainConfig
from robodrl.trainers.checkpoints import STEP_PREFIX, mark_latest, prune, write_checkpoint
from robodrl.trainers.normalize import ObservationNormalizer
from robodrl.trainers.sb3 import evaluate

#: fault injection for tests: SIGKILL this process right after its N-th checkpoint
KILL_AFTER_CHECKPOINT_ENV = "ROBODRL_TEST_SIGKILL_AFTER_CHECKPOINT"


class RunCallback(BaseCallback):
    """Everything robodrl adds to an SB3 ``learn`` call (behaviour in callbacks, not subclasses)."""

    def __init__(
        self, config: TrainConfig, run_dir: Path, *, resumed: dict[str, Any] | None = None
    ) -> None:
        super().__init__(verbose=0)
        self.config, self.run_dir = config, run_dir
        self.checkpoints = run_dir / "checkpoints"
        state = resumed or {}
        self.next_eval = state.get("next_eval", config.eval.every_steps)
        self.next_checkpoint = state.get("next_checkpoint", config.checkpoint.every_steps)
        self.best_return = state.get("best_return", -np.inf)
        self.episodes_logged = state.get("episodes_logged", 0)
        self.wall_before = state.get("wall_seconds", 0.0)
        self.last_eval: dict[str, float] | None = state.get("last_eval")
        self.recent = deque(state.get("recent_returns", []), maxlen=50)
        self.term_sums: dict[str, list[float]] = {}
        self.checkpoints_written = 0
        self._truncate_episode_log()

    # -- files ---------------------------------------------------------------------------------
    def _truncate_episode_log(self) -> None:
        """Drop episode rows written after the checkpoint being resumed from."""
        path = self.run_dir / "logs" / "episodes.csv"
        if not path.is_file():
            return
        lines = path.read_text().splitlines(keepends=True)
        write_text(path, "".join(lines[: 1 + self.episodes_logged]))

    def _on_training_start(self) -> None:
        (self.run_dir / "logs").mkdir(parents=True, exist_ok=True)
        path = self.run_dir / "logs" / "episodes.csv"
        new = not path.is_file()
        self._episode_file = path.open("a", newline="")
        self._episodes = csv.writer(self._episode_file)
        names = self.training_env.unwrapped.core.task.reward_names
        if new:
            self._episodes.writerow(["step", "env", "return", "length", *names])
        self._term_names = names
        self._start = time.perf_counter()
        self._start_steps = self.model.num_timesteps
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.completed:,.0f}/{task.total:,.0f} steps"),
            TextColumn("{task.fields[rate]:,.0f} steps/s"),
            TextColumn("return {task.fields[ret]}"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
        )
        self._bar = self._progress.add_task(
            self.config.env.id, total=self.config.total_steps, rate=0.0, ret="-"
        )
        self._progress.start()
        self._progress.update(self._bar, completed=self.model.num_timesteps)

    # -- every step ------------------------------------------------------------------------------
    def _on_step(self) -> bool:
        for env_index, info in enumerate(self.locals["infos"]):
            episode = info.get("episode")
            if episode is None:
                continue
            terms = info.get("episode_terms", {})
            self._episodes.writerow(
                [
                    self.model.num_timesteps,
                    env_index,
                    repr(episode["r"]),
                    episode["l"],
                    *(repr(terms.get(n, 0.0)) for n in self._term_names),
                ]
            )
            self.episodes_logged += 1
            self.recent.append(episode["r"])
            for name, value in terms.items():
                self.term_sums.setdefault(name, []).append(value)
        if self.n_calls % 20 == 0:
            self._refresh_progress()
        return True

    def _refresh_progress(self) -> None:
        elapsed = max(time.perf_counter() - self._start, 1e-9)
        rate = (self.model.num_timesteps - self._start_steps) / elapsed
        ret = f"{np.mean(self.recent):.1f}" if self.recent else "-"
        self._progress.update(self._bar, completed=self.model.num_timesteps, rate=rate, ret=ret)

    def _on_rollout_end(self) -> None:
        for name, values in self.term_sums.items():
            self.logger.record(f"reward_terms/{name}", float(np.mean(values)))
        self.term_sums = {}
        core = self.training_env.unwrapped.core
        if core.randomizer is not None:
            for label, values in core.randomizer.values.items():
                self.logger.record(f"dr/{label}_mean", float(np.mean(values)))
                self.logger.record(f"dr/{label}_std", float(np.std(values)))

    # -- between rollouts: the run's consistent points -----------------------------------------
    def _on_rollout_start(self) -> None:
        steps = self.model.num_timesteps
        if steps >= self.next_eval:
            self._evaluate(after_noise_draw=True)
            while self.next_eval <= steps:
                self.next_eval += self.config.eval.every_steps
        if steps >= self.next_checkpoint:
            while self.next_checkpoint <= steps:
                self.next_checkpoint += self.config.checkpoint.every_steps
            self.save_checkpoint(after_noise_draw=True)

    def _normalizer_state(self) -> dict | None:
        env = self.model.get_env()
        return env.state_dict() if isinstance(env, ObservationNormalizer) else None

    def _evaluate(self, *, after_noise_draw: bool = False) -> None:
        result = evaluate(self.model, self.config, self._normalizer_state())
        self.last_eval = {"step": self.model.num_timesteps, **result}
        for key, value in result.items():
            self.logger.record(f"eval/{key}", value)
        with (self.run_dir / "logs" / "evaluations.jsonl").open("a") as handle:
            handle.write(json.dumps(self.last_eval) + "\n")
        if result["mean_return"] > self.best_return:
            self.best_return = result["mean_return"]
            write_checkpoint(
                self.checkpoints / "best",
                self.model,
                extra=self._extra(),
                after_noise_draw=after_noise_draw,
            )

    def _extra(self) -> dict[str, Any]:
        self._episode_file.flush()
        os.fsync(self._episode_file.fileno())
        return {
            "callback": {
                "next_eval": self.next_eval,
                "next_checkpoint": self.next_checkpoint,
                "best_return": self.best_return,
                "episodes_logged": self.episodes_logged,
                "wall_seconds": self.wall_seconds(),
                "last_eval": self.last_eval,
                "recent_returns": list(self.recent),
            }
        }

    def wall_seconds(self) -> float:
        """Training wall time so far, across resumes."""
        return self.wall_before + time.perf_counter() - self._start

    def save_checkpoint(self, *, after_noise_draw: bool = False) -> Path:
        """Write ``checkpoints/step_<n>``, point ``latest`` at it, prune old ones
        (``after_noise_draw``: at a rollout start, see ``write_checkpoint``)."""
        folder = self.checkpoints / f"{STEP_PREFIX}{self.model.num_timesteps:012d}"
        write_checkpoint(folder, self.model, extra=self._extra(), after_noise_draw=after_noise_draw)
        mark_latest(self.checkpoints, folder)
        prune(self.checkpoints, self.config.checkpoint.keep_last)
        self.checkpoints_written += 1
        if os.environ.get(KILL_AFTER_CHECKPOINT_ENV) == str(self.checkpoints_written):
            os.kill(os.getpid(), signal.SIGKILL)
        return folder

    # -- end -----------------------------------------------------------------------------------
    def _on_training_end(self) -> None:
        self._refresh_progress()
        self._progress.stop()
        steps = self.model.num_timesteps
        if self.last_eval is None or self.last_eval["step"] != steps:
            self._evaluate()
        latest = self.checkpoints / f"{STEP_PREFIX}{steps:012d}"
        if not latest.is_dir():
            self.save_checkpoint()
        self._episode_file.close()

    def close(self) -> None:
        """Stop the progress bar and close the episode log (training was interrupted)."""
        if hasattr(self, "_progress"):
            self._progress.stop()
            self._episode_file.close()
