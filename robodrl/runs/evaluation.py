"""Deterministic evaluation during training: one episode per evaluation seed, a fresh env."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from robodrl.config import TrainConfig
from robodrl.envs.episodes import run_episodes
from robodrl.envs.multi.registry import robot_of
from robodrl.make import make_core


def evaluate(act: Callable[[np.ndarray], np.ndarray], config: TrainConfig) -> dict[str, float]:
    """Mean / std / min return and mean length (and success rate) of ``act`` on the config's
    evaluation seeds, with the training env's randomization and perturbations."""
    env_cfg = config.env
    robot_id, robot_task, _ = robot_of(env_cfg.id, env_cfg.task)
    core = make_core(
        robot_id,  # a team's policy drives the whole robot
        config.eval.episodes,
        num_threads=env_cfg.num_threads,
        seed=config.eval.seed,
        randomization=env_cfg.randomization,
        perturbations=env_cfg.perturbations,
        autoreset=False,
        **robot_task,
    )
    stats = run_episodes(core, act)
    returns = stats.returns
    result = {
        "mean_return": float(returns.mean()),
        "std_return": float(returns.std()),
        "min_return": float(returns.min()),
        "mean_length": float(stats.lengths.mean()),
    }
    if core.task.has_success:
        result["success_rate"] = float(stats.success.mean())
    return result
