"""Public constructors: ``make_vec`` (Gymnasium vector env) and ``make_sb3_vec`` (SB3 VecEnv)."""

from __future__ import annotations

from typing import Any

from robodrl.envs.core import BatchedEnv, InvalidActionMode, SeedLike
from robodrl.registry import make_task


def make_core(
    env_id: str,
    num_envs: int,
    *,
    num_threads: int | None = None,
    seed: SeedLike = None,
    invalid_action: InvalidActionMode = "raise",
    **task_kwargs: Any,
) -> BatchedEnv:
    """The batched core of ``env_id`` with ``num_envs`` simulations, reset and ready to step."""
    core = BatchedEnv(
        make_task(env_id, **task_kwargs),
        num_envs,
        num_threads=num_threads,
        seed=seed,
        invalid_action=invalid_action,
    )
    core.reset()
    return core


def make_vec(
    env_id: str,
    num_envs: int,
    *,
    num_threads: int | None = None,
    seed: SeedLike = None,
    invalid_action: InvalidActionMode = "raise",
    **task_kwargs: Any,
):
    """A ``gymnasium.vector.VectorEnv`` of ``num_envs`` simulations of ``env_id`` in one batch."""
    from robodrl.envs.vector import RobodrlVectorEnv

    core = make_core(
        env_id,
        num_envs,
        num_threads=num_threads,
        seed=seed,
        invalid_action=invalid_action,
        **task_kwargs,
    )
    return RobodrlVectorEnv(core)


def make_sb3_vec(
    env_id: str,
    num_envs: int,
    *,
    num_threads: int | None = None,
    seed: SeedLike = None,
    invalid_action: InvalidActionMode = "raise",
    **task_kwargs: Any,
):
    """A Stable-Baselines3 ``VecEnv`` of ``num_envs`` simulations of ``env_id`` in one batch."""
    from robodrl.envs.sb3_vec import RobodrlVecEnv

    core = make_core(
        env_id,
        num_envs,
        num_threads=num_threads,
        seed=seed,
        invalid_action=invalid_action,
        **task_kwargs,
    )
    return RobodrlVecEnv(core)
