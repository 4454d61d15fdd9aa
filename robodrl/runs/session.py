"""A training session: what the run machinery does at the points a learner reports (the
:class:`~robodrl.algorithms.registry.RunHooks`): the evaluation and checkpoint schedules, the
episode log, scalar logs and the progress bar, each its own piece."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from robodrl.algorithms.registry import Learner
from robodrl.config import TrainConfig
from robodrl.files.atomic import write_text
from robodrl.runs.checkpoints import STEP_PREFIX, mark_latest, prune, write_checkpoint
from robodrl.runs.episode_log import EpisodeLog
from robodrl.runs.evaluation import evaluate
from robodrl.runs.progress import ProgressBar
from robodrl.runs.scalars import Scalars, session_folder

#: fault injection for tests: SIGKILL this process right after its N-th checkpoint
KILL_AFTER_CHECKPOINT_ENV = "ROBODRL_TEST_SIGKILL_AFTER_CHECKPOINT"


class TrainingStopped(Exception):  # noqa: N818 (not an error: the user asked for it)
    """Ctrl-C was pressed; a checkpoint was written at step ``args[0]``."""


class RunSession:
    """Drives one ``learn`` call of a run: ``start``, the learner's hooks, ``finish``."""

    def __init__(
        self,
        config: TrainConfig,
        run_dir: Path,
        bound: dict[str, str],
        *,
        resumed: dict[str, Any] | None = None,
    ) -> None:
        """``bound``: the run files' digests every checkpoint is signed for
        (:func:`~robodrl.runs.bindings.run_bindings`)."""
        self.config, self.run_dir, self.bound = config, run_dir, bound
        self.checkpoints = run_dir / "checkpoints"
        state = resumed or {}
        self.next_eval = state.get("next_eval", config.eval.every_steps)
        self.next_checkpoint = state.get("next_checkpoint", config.checkpoint.every_steps)
        self.best_return = state.get("best_return", -np.inf)
        self.wall_before = state.get("wall_seconds", 0.0)
        self.last_eval: dict[str, float] | None = state.get("last_eval")
        self._resumed = state
        self.checkpoints_written = 0
        self.stop_requested = False
        self._sigint_before = None

    # -- start / finish --------------------------------------------------------------------------
    def start(self, learner: Learner) -> None:
        """Open the logs and the progress bar."""
        folder = session_folder(self.run_dir)
        names = learner.core.task.reward_names
        self.episodes = EpisodeLog(self.run_dir / "logs" / "episodes.csv", names, self._resumed)
        if self._resumed:
            rewind_evaluations(self.run_dir / "logs" / "evaluations.jsonl", learner.num_timesteps)
        self.scalars = Scalars(folder)
        learner.set_log_folder(folder)
        self._start = time.perf_counter()
        self.progress = ProgressBar(self.config.env.id, self.config.total_steps,
                                    learner.num_timesteps)  # fmt: skip
        if threading.current_thread() is threading.main_thread():
            self._sigint_before = signal.signal(signal.SIGINT, self._stop_at_next_checkpoint)

    def _stop_at_next_checkpoint(self, signum: int, frame: Any) -> None:
        """The first Ctrl-C: finish the rollout, write a checkpoint there, stop. The second
        aborts at once (the run keeps its last checkpoint)."""
        self.stop_requested = True
        signal.signal(signal.SIGINT, signal.default_int_handler)
        print(
            "\nstopping: a checkpoint is written at the end of this rollout (Ctrl-C again "
            "aborts at once, keeping the last checkpoint)",
            file=sys.stderr,
        )

    def finish(self, learner: Learner) -> None:
        """The last evaluation and checkpoint, if the schedule did not just make them."""
        self.progress.update(
            learner.num_timesteps, self.episodes.recent_mean(), eval_return=self._eval_return(),
            final=True,
        )  # fmt: skip
        self.progress.stop()
        steps = learner.num_timesteps
        if self.last_eval is None or self.last_eval["step"] != steps:
            self._evaluate(learner)
        if not (self.checkpoints / f"{STEP_PREFIX}{steps:012d}").is_dir():
            self.save_checkpoint(learner)
        self.scalars.dump(steps)
        self.close()

    def close(self) -> None:
        """Stop the progress bar and close the logs (also after an interruption)."""
        if self._sigint_before is not None:
            signal.signal(signal.SIGINT, self._sigint_before)
            self._sigint_before = None
        if hasattr(self, "progress"):
            self.progress.stop()
            self.episodes.close()
            self.scalars.close()

    def wall_seconds(self) -> float:
        """Training wall time so far, across resumes."""
        return self.wall_before + time.perf_counter() - self._start

    # -- the learner's hooks -----------------------------------------------------------------
    def rollout_start(self, learner: Learner) -> None:
        """The run's consistent points: evaluate and checkpoint on their schedules."""
        steps = learner.num_timesteps
        if steps >= self.next_eval:
            self._evaluate(learner)
            while self.next_eval <= steps:
                self.next_eval += self.config.eval.every_steps
        if steps >= self.next_checkpoint:
            while self.next_checkpoint <= steps:
                self.next_checkpoint += self.config.checkpoint.every_steps
            self.save_checkpoint(learner)
        self.scalars.dump(steps)  # the last rollout's terms, update's losses, this evaluation
        if self.stop_requested:
            if not (self.checkpoints / f"{STEP_PREFIX}{steps:012d}").is_dir():
                self.save_checkpoint(learner)
            raise TrainingStopped(steps)

    def episodes_done(self, learner: Learner, episodes: list[dict[str, Any]]) -> None:
        self.episodes.write(learner.num_timesteps, episodes)

    def rollout_end(self, learner: Learner) -> None:
        """Reward terms and domain-randomization statistics of the rollout."""
        for name, values in self.episodes.take_term_values().items():
            self.scalars.record(f"reward_terms/{name}", float(np.mean(values)))
        randomizer = learner.core.randomizer
        if randomizer is not None:
            for label, values in randomizer.values.items():
                self.scalars.record(f"dr/{label}_mean", float(np.mean(values)))
                self.scalars.record(f"dr/{label}_std", float(np.std(values)))
        self.progress.update(
            learner.num_timesteps, self.episodes.recent_mean(), eval_return=self._eval_return()
        )

    def _eval_return(self) -> float | None:
        return None if self.last_eval is None else self.last_eval["mean_return"]

    def record(self, key: str, value: float) -> None:
        self.scalars.record(key, value)

    # -- evaluation and checkpoints ----------------------------------------------------------
    def _evaluate(self, learner: Learner) -> None:
        result = {**evaluate(learner.act, self.config), **learner.extra_evaluation(self.config)}
        self.last_eval = {"step": learner.num_timesteps, **result}
        for key, value in result.items():
            self.scalars.record(f"eval/{key}", value)
        with (self.run_dir / "logs" / "evaluations.jsonl").open("a") as handle:
            handle.write(json.dumps(self.last_eval) + "\n")
        if result["mean_return"] > self.best_return:
            self.best_return = result["mean_return"]
            write_checkpoint(self.checkpoints / "best", learner, extra=self._state())

    def _state(self) -> dict[str, Any]:
        self.episodes.sync()
        session = {
            "next_eval": self.next_eval,
            "next_checkpoint": self.next_checkpoint,
            "best_return": self.best_return,
            "wall_seconds": self.wall_seconds(),
            "last_eval": self.last_eval,
            **self.episodes.state(),
        }
        return {"callback": session, "bound": self.bound}

    def save_checkpoint(self, learner: Learner) -> Path:
        """Write ``checkpoints/step_<n>``, point ``latest`` at it, prune old ones."""
        folder = self.checkpoints / f"{STEP_PREFIX}{learner.num_timesteps:012d}"
        write_checkpoint(folder, learner, extra=self._state())
        mark_latest(self.checkpoints, folder)
        prune(self.checkpoints, self.config.checkpoint.keep_last)
        self.checkpoints_written += 1
        if os.environ.get(KILL_AFTER_CHECKPOINT_ENV) == str(self.checkpoints_written):
            os.kill(os.getpid(), signal.SIGKILL)
        return folder


def rewind_evaluations(path: Path, steps: int) -> None:
    """Drop the evaluations after the checkpoint a run resumes from (they belong to the future
    that the resume replaces), and any line a kill cut short."""
    if not path.is_file():
        return
    kept = []
    for line in path.read_text().splitlines():
        try:
            if int(json.loads(line)["step"]) <= steps:
                kept.append(line + "\n")
        except (ValueError, KeyError, TypeError):
            continue
    write_text(path, "".join(kept))
