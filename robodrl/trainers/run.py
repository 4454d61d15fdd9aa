"""``robodrl train``: a run directory from a config, and ``--resume`` from its latest checkpoint."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.logger import configure

from robodrl.atomic import unwritable, write_text
from robodrl.config import TrainConfig, algorithm_class, dump_config, load_config
from robodrl.errors import ConfigError, RobodrlError
from robodrl.trainers.callbacks import RunCallback
from robodrl.trainers.checkpoints import (
    load_model,
    open_checkpoint,
    restore_into,
    step_folders,
    track_noise_draws,
)
from robodrl.trainers.normalize import ObservationNormalizer
from robodrl.trainers.sb3 import build_env, build_model, check_device, unchecked_distributions

CONFIG_FILE = "config.yaml"


def default_run_dir(config: TrainConfig, *, with_seed: bool = True) -> Path:
    """``runs/<task>-<algorithm>-s<seed>-<time>`` (without ``-s<seed>`` for multi-seed runs)."""
    task = config.env.id.split("/")[-1].removesuffix("-v0").lower()
    seed = f"-s{config.seed}" if with_seed else ""
    return Path("runs") / f"{task}-{config.algorithm.name}{seed}-{time.strftime('%Y%m%d-%H%M%S')}"


def _session_logger(model: BaseAlgorithm, run_dir: Path) -> None:
    """CSV + TensorBoard logs, a new folder per session so a resume never overwrites one."""
    logs = run_dir / "logs"
    session = sum(1 for p in logs.glob("session_*")) if logs.is_dir() else 0
    model.set_logger(configure(str(logs / f"session_{session}"), ["csv", "tensorboard"]))


class TrainingInterruptedError(RobodrlError):
    """Ctrl-C during training: the run keeps its last checkpoint and can be resumed."""

    exit_code = 130


def _interrupted(run_dir: Path, steps: int) -> TrainingInterruptedError:
    folders = step_folders(run_dir / "checkpoints")
    if not folders:
        where = "no checkpoint was written yet; start again with another --run-dir"
    else:
        saved = int(folders[-1].name.removeprefix("step_"))
        where = (
            f"its latest checkpoint is at step {saved:,}; continue with "
            f"`robodrl train --resume {run_dir}`"
        )
    return TrainingInterruptedError(f"interrupted at step {steps:,}: {run_dir} is intact, {where}")


def _learn(model: BaseAlgorithm, config: TrainConfig, run_dir: Path, callback: RunCallback) -> dict:
    _session_logger(model, run_dir)
    remaining = config.total_steps - model.num_timesteps
    try:
        with unchecked_distributions():
            model.learn(remaining, callback=callback, reset_num_timesteps=model.num_timesteps == 0)
    except KeyboardInterrupt:
        callback.close()
        raise _interrupted(run_dir, model.num_timesteps) from None
    summary = {
        "env_id": config.env.id,
        "algorithm": config.algorithm.name,
        "total_steps": config.total_steps,
        "steps": int(model.num_timesteps),
        "wall_seconds": round(callback.wall_seconds(), 3),
        "steps_per_second": None,
        "final_eval": callback.last_eval,
        "best_eval_return": callback.best_return,
        "episodes": callback.episodes_logged,
        "recent_return_mean": sum(callback.recent) / len(callback.recent)
        if callback.recent
        else None,
    }
    if summary["wall_seconds"]:
        summary["steps_per_second"] = round(model.num_timesteps / summary["wall_seconds"], 1)
    write_text(run_dir / "summary.json", json.dumps(summary, indent=2) + "\n")
    return summary


def train(config: TrainConfig, run_dir: Path | None = None) -> tuple[Path, dict[str, Any]]:
    """Train from scratch into a new run directory; return it and the summary."""
    run_dir = Path(run_dir) if run_dir is not None else default_run_dir(config)
    if run_dir.exists() and any(run_dir.iterdir()):
        raise ConfigError(
            f"run directory {run_dir} already holds a run; use `robodrl train --resume {run_dir}`"
            " or another --run-dir"
        )
    check_device(config.device)
    env = build_env(config)
    model = build_model(config, env)
    track_noise_draws(model)
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise unwritable(run_dir, err) from None
    write_text(run_dir / CONFIG_FILE, dump_config(config))
    summary = _learn(model, config, run_dir, RunCallback(config, run_dir))
    return run_dir, summary


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
    config = load_config(run_dir / CONFIG_FILE)
    if total_steps is not None:
        if total_steps < config.total_steps:
            raise ConfigError(
                f"--set total_steps={total_steps}: a resumed run can only train longer than "
                f"its total_steps ({config.total_steps:,})"
            )
        config = config.model_copy(update={"total_steps": total_steps})
    folder, state, normalizer = open_checkpoint(run_dir, checkpoint, trust=trust)
    if state["num_timesteps"] >= config.total_steps:
        return run_dir, None
    check_device(config.device)
    env = build_env(config)
    if isinstance(env, ObservationNormalizer) and normalizer is not None:
        env.load_state_dict(normalizer)
    algorithm = algorithm_class(config.algorithm.name)
    model = load_model(algorithm, folder, env=env, device=config.device)
    track_noise_draws(model)
    restore_into(model, folder, state)
    if total_steps is not None:
        write_text(run_dir / CONFIG_FILE, dump_config(config))
    callback = RunCallback(config, run_dir, resumed=state["callback"])
    return run_dir, _learn(model, config, run_dir, callback)


def _train_job(config_document: dict, run_dir: str) -> tuple[str, dict[str, Any]]:
    """One seed's training from plain arguments (a backend job: it may run in another process)."""
    from robodrl.config import validate_config

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
        if folder.exists() and any(folder.iterdir()):
            raise ConfigError(f"run directory {folder} already holds a run")
        document = config.model_dump(mode="json") | {"seed": seed}
        jobs.append((document, str(folder.resolve())))
    results = map_jobs(_train_job, jobs, backend=backend, address=address)
    return [(Path(run), summary) for run, summary in results]
