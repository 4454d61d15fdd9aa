"""``robodrl train``: a run directory from a config, and ``--resume`` from its latest checkpoint."""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path
from typing import Any

import torch
import yaml

from robodrl.algorithms.registry import Learner, get_algorithm
from robodrl.algorithms.rng import restore_rng
from robodrl.config import TrainConfig, dump_config
from robodrl.errors import ConfigError, RobodrlError
from robodrl.files.atomic import (
    DiskFullError,
    disk_full,
    is_disk_full,
    tree_size,
    unwritable,
    write_text,
)
from robodrl.files.yamlio import load_yaml_text
from robodrl.runs.bindings import CONFIG_FILE, run_bindings
from robodrl.runs.checkpoints import STEP_PREFIX, step_folders
from robodrl.runs.inputs import prepare_inputs
from robodrl.runs.lock import LOCK_FILE, run_lock
from robodrl.runs.robot_copy import check_new_robot, own_robot
from robodrl.runs.run import Run
from robodrl.runs.session import RunSession, TrainingStopped


def default_run_dir(config: TrainConfig, *, with_seed: bool = True) -> Path:
    """``runs/<task>-<algorithm>-s<seed>-<time>`` (without ``-s<seed>`` for multi-seed runs)."""
    task = config.env.id.split("/")[-1].removesuffix("-v0").replace("-", "").lower()
    seed = f"-s{config.seed}" if with_seed else ""
    return Path("runs") / f"{task}-{config.algorithm.name}{seed}-{time.strftime('%Y%m%d-%H%M%S')}"


def check_device(device: str) -> None:
    """Refuse ``device: cuda`` where torch sees no CUDA GPU (``auto`` falls back to the CPU)."""
    if device == "cuda" and not torch.cuda.is_available():
        raise ConfigError(
            f"device: cuda, but torch {torch.__version__} sees no CUDA GPU on this machine; "
            "use device: cpu, or auto to take a GPU where there is one"
        )


class TrainingInterruptedError(RobodrlError):
    """Ctrl-C during training: the run keeps its last checkpoint and can be resumed."""

    exit_code = 130


def _where_it_stands(run_dir: Path) -> str:
    """Where a stopped run can continue from."""
    folders = step_folders(run_dir / "checkpoints")
    if not folders:
        return "no checkpoint was written yet; start again with another --run-dir"
    saved = int(folders[-1].name.removeprefix(STEP_PREFIX))
    return (
        f"its latest checkpoint is at step {saved:,}; continue with "
        f"`robodrl train --resume {run_dir}`"
    )


def _interrupted(run_dir: Path, steps: int) -> TrainingInterruptedError:
    return TrainingInterruptedError(
        f"interrupted at step {steps:,}: {run_dir} is intact, {_where_it_stands(run_dir)}"
    )


def _disk_full(run_dir: Path, steps: int) -> DiskFullError:
    """The disk filled during training: what a checkpoint needs, and what survived."""
    folders = step_folders(run_dir / "checkpoints")
    per_checkpoint = tree_size(folders[-1]) if folders else 0
    return disk_full(
        run_dir,
        needed=per_checkpoint,
        exact=bool(per_checkpoint),
        earlier=f"training stopped at step {steps:,}, {_where_it_stands(run_dir)}",
    )


def _learn(learner: Learner, config: TrainConfig, run_dir: Path, session: RunSession) -> dict:
    try:
        session.start(learner)
        learner.learn(config.total_steps, session)
    except BaseException as err:  # the progress bar and logs close whatever stopped training
        with contextlib.suppress(OSError):  # a full disk may refuse the logs' last lines too
            session.close()
        if isinstance(err, TrainingStopped):
            raise TrainingInterruptedError(
                f"stopped at step {err.args[0]:,}: a checkpoint was written there; "
                f"{_where_it_stands(run_dir)}"
            ) from None
        if isinstance(err, KeyboardInterrupt):
            raise _interrupted(run_dir, learner.num_timesteps) from None
        if is_disk_full(err):
            raise _disk_full(run_dir, learner.num_timesteps) from None
        raise
    session.finish(learner)
    steps = learner.num_timesteps
    wall = round(session.wall_seconds(), 3)
    summary = {
        "env_id": config.env.id,
        "algorithm": config.algorithm.name,
        "total_steps": config.total_steps,
        "steps": steps,
        "wall_seconds": wall,
        "steps_per_second": round(steps / wall, 1) if wall else None,
        "final_eval": session.last_eval,
        "best_eval_return": session.best_return,
        "episodes": session.episodes.count,
        "recent_return_mean": session.episodes.recent_mean(),
    }
    write_text(run_dir / "summary.json", json.dumps(summary, indent=2) + "\n")
    return summary


def _check_new_run_dir(run_dir: Path) -> None:
    """Refuse a file, or a folder already holding a run (its lock file aside)."""
    if run_dir.exists() and not run_dir.is_dir():
        raise ConfigError(f"--run-dir {run_dir} is a file; give a new or empty folder for the run")
    if run_dir.is_dir() and any(p.name != LOCK_FILE for p in run_dir.iterdir()):
        raise ConfigError(
            f"run directory {run_dir} already holds a run; use `robodrl train --resume {run_dir}`"
            " or another --run-dir"
        )


def train(config: TrainConfig, run_dir: Path | None = None) -> tuple[Path, dict[str, Any]]:
    """Train from scratch into a new run directory; return it and the summary."""
    run_dir = Path(run_dir) if run_dir is not None else default_run_dir(config)
    _check_new_run_dir(run_dir)
    check_device(config.device)
    check_new_robot(config)
    learner = get_algorithm(config.algorithm.name).build(config, prepare_inputs(config))
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise unwritable(run_dir, err) from None
    with run_lock(run_dir):
        _check_new_run_dir(run_dir)  # another writer may have started it meanwhile
        text = dump_config(config)
        write_text(run_dir / CONFIG_FILE, text)
        own_robot(config, run_dir)
        bound = run_bindings(run_dir, load_yaml_text(text))  # what was written, not read back
        return run_dir, _learn(learner, config, run_dir, RunSession(config, run_dir, bound))


def resume(
    run_dir: Path,
    *,
    trust: bool = False,
    checkpoint: str = "latest",
    total_steps: int | None = None,
) -> tuple[Path, dict[str, Any] | None]:
    """Continue a run from a checkpoint (the latest by default), exactly where it stopped.

    ``total_steps`` lets a run train longer. A run that has reached its total is left as it
    is: the summary returned is None and nothing is written.
    """
    run_dir = Path(run_dir)
    if not (run_dir / CONFIG_FILE).is_file():
        raise ConfigError(f"{run_dir}: not a run directory (no {CONFIG_FILE})")
    with run_lock(run_dir):
        return _resume_locked(run_dir, trust, checkpoint, total_steps)


def _resume_locked(
    run_dir: Path, trust: bool, checkpoint: str, total_steps: int | None
) -> tuple[Path, dict[str, Any] | None]:
    run = Run.open(run_dir, trust=trust)
    config = run.config
    if total_steps is not None:
        if total_steps < config.total_steps:
            raise ConfigError(
                f"--set total_steps={total_steps}: a resumed run can only train longer than "
                f"its total_steps ({config.total_steps:,})"
            )
        config = config.model_copy(update={"total_steps": total_steps})
    with run.checkpoint(checkpoint) as opened:
        state = opened.state
        if state["num_timesteps"] >= config.total_steps:
            return run_dir, None
        check_device(config.device)
        inputs = prepare_inputs(config)
        learner = run.algorithm.restore(config, opened, inputs)
    restore_rng(state["rng"])
    if total_steps is not None:  # only total_steps changes: the run's checkpoints stay bound
        document = run.document | {"total_steps": total_steps}
        write_text(run_dir / CONFIG_FILE, yaml.safe_dump(document, sort_keys=False))
    session = RunSession(config, run_dir, run.bindings, resumed=state["callback"])
    return run_dir, _learn(learner, config, run_dir, session)


def _train_job(config_document: dict, run_dir: str) -> tuple[str, dict[str, Any]]:
    """One seed's training from plain arguments (a backend job: it may run in another process)."""
    from robodrl.resolve import validate_config

    run, summary = train(validate_config(config_document), Path(run_dir))
    return str(run), summary


def train_seeds(
    config: TrainConfig,
    seeds: list[int],
    run_dir: Path | None = None,
    *,
    backend: str = "local",
    address: str | None = None,
) -> list[tuple[Path, dict[str, Any]]]:
    """Train one run per seed into ``run_dir/seed_<k>``, locally or as Ray tasks."""
    from robodrl.backends import map_jobs

    if len(set(seeds)) != len(seeds) or any(s < 0 for s in seeds):
        raise ConfigError(f"--seeds must be distinct integers >= 0, got {seeds}")
    base = Path(run_dir) if run_dir is not None else default_run_dir(config, with_seed=False)
    jobs = []
    for seed in seeds:
        folder = base / f"seed_{seed}"
        _check_new_run_dir(folder)
        document = config.model_dump(mode="json") | {"seed": seed}
        jobs.append((document, str(folder.resolve())))
    results = map_jobs(_train_job, jobs, backend=backend, address=address)
    return [(Path(run), summary) for run, summary in results]
