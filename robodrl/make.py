"""Public constructors: ``make_vec`` (Gymnasium vector env) and ``make_sb3_vec`` (SB3 VecEnv)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from robodrl.envs.core import BatchedEnv, InvalidActionMode, SeedLike
from robodrl.registry import get_spec, make_task
from robodrl.robustness.loading import load_section

#: what ``randomization=`` / ``perturbations=`` accept: a preset name (``"dr-default"``), a
#: YAML path, a dict (a whole document, or just that section), or None
RobustnessSource = str | Path | dict | None


def make_core(
    env_id: str,
    num_envs: int,
    *,
    num_threads: int | None = None,
    seed: SeedLike = None,
    invalid_action: InvalidActionMode = "raise",
    randomization: RobustnessSource = None,
    perturbations: RobustnessSource = None,
    autoreset: bool = True,
    **task_kwargs: Any,
) -> BatchedEnv:
    """The batched core of ``env_id`` with ``num_envs`` simulations, reset and ready to step."""
    env_id = get_spec(env_id).id
    task = make_task(env_id, **task_kwargs)
    core = BatchedEnv(
        task,
        num_envs,
        num_threads=num_threads,
        seed=seed,
        invalid_action=invalid_action,
        autoreset=autoreset,
        randomization=None
        if randomization is None
        else load_section(randomization, env_id, "randomization"),
        perturbations=None
        if perturbations is None
        else load_section(perturbations, env_id, "perturbations"),
    )
    core.reset()
    return core


def make_vec(env_id: str, num_envs: int, **kwargs: Any):
    """A ``gymnasium.vector.VectorEnv`` of ``num_envs`` simulations of ``env_id`` in one batch.

    Keyword arguments are those of :func:`make_core` (``num_threads``, ``seed``,
    ``invalid_action``, ``randomization``, ``perturbations``) plus the task's own arguments.
    """
    from robodrl.envs.vector import RobodrlVectorEnv

    return RobodrlVectorEnv(make_core(env_id, num_envs, **kwargs))


def make_sb3_vec(env_id: str, num_envs: int, **kwargs: Any):
    """A Stable-Baselines3 ``VecEnv`` of ``num_envs`` simulations of ``env_id`` in one batch
    (keyword arguments as :func:`make_vec`)."""
    from robodrl.envs.sb3_vec import RobodrlVecEnv

    return RobodrlVecEnv(make_core(env_id, num_envs, **kwargs))
