"""Public constructors: ``make_core`` (the batched core), ``make_vec`` (Gymnasium vector env),
``make_sb3_vec`` (SB3 VecEnv), ``make_two_player`` and ``make_adversarial`` (protagonist vs
adversary, batched and as a PettingZoo env), ``make_team`` and ``make_parallel`` (multi-agent
teams, batched and as a PettingZoo env)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from robodrl.envs.core import BatchedEnv, InvalidActionMode, SeedLike
from robodrl.errors import TaskArgumentError
from robodrl.registry import get_spec, make_task
from robodrl.robustness.loading import load_curriculum, load_section
from robodrl.robustness.spec import CurriculumSpec

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
    curriculum: CurriculumSpec | dict | None = None,
    **task_kwargs: Any,
) -> BatchedEnv:
    """The batched core of ``env_id`` with ``num_envs`` simulations, reset and ready to step
    (``curriculum``: robustness ranges that grow with the steps taken, for training)."""
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
        curriculum=None if curriculum is None else load_curriculum(curriculum),
    )
    core.reset_as_seeded()  # a caller's reset() now draws the episodes reset(seed=s) draws
    return core


def make_training_core(config: Any) -> BatchedEnv:
    """The training env of a :class:`~robodrl.config.TrainConfig`: its task, simulations,
    threads, seed, randomization and perturbations."""
    env = config.env
    return make_core(
        env.id,
        env.num_envs,
        num_threads=env.num_threads,
        seed=config.seed,
        randomization=env.randomization,
        perturbations=env.perturbations,
        curriculum=env.curriculum,
        **env.task,
    )


_CORE_ARGUMENTS = (
    "num_threads",
    "seed",
    "invalid_action",
    "randomization",
    "perturbations",
    "autoreset",
    "curriculum",
)


def make_vec(env_id: str, num_envs: int, **kwargs: Any):
    """A ``gymnasium.vector.VectorEnv`` of ``num_envs`` simulations of ``env_id`` in one batch.

    Keyword arguments are those of :func:`make_core` (``num_threads``, ``seed``,
    ``invalid_action``, ``randomization``, ``perturbations``) plus the task's own arguments.
    """
    from robodrl.envs.vector import RobodrlVectorEnv

    return RobodrlVectorEnv(make_core(env_id, num_envs, **kwargs))


def make_vector_env(num_envs: int, env_id: str, **kwargs: Any):
    """``gymnasium.make_vec``'s ``vector_entry_point``: the batched env for a registered id
    (keyword arguments as :func:`make_core`)."""
    if kwargs.pop("render_mode", None) is not None:
        raise TaskArgumentError(
            "render_mode: robodrl's vector env does not render; render one simulation with "
            "gymnasium.make(id, render_mode='rgb_array') or `robodrl render`"
        )
    return make_vec(env_id, num_envs, **kwargs)


def make_sb3_vec(env_id: str, num_envs: int, **kwargs: Any):
    """A Stable-Baselines3 ``VecEnv`` of ``num_envs`` simulations of ``env_id`` in one batch
    (keyword arguments as :func:`make_vec`)."""
    from robodrl.envs.sb3_vec import RobodrlVecEnv

    return RobodrlVecEnv(make_core(env_id, num_envs, **kwargs))


def make_two_player(env_id: str, num_envs: int, *, adversary: Any = "default", **kwargs: Any):
    """The batched protagonist-vs-adversary env of ``env_id``
    (:class:`~robodrl.envs.two_player.TwoPlayerEnv`).

    ``adversary``: ``"default"`` (the task's ``adversary.yaml`` preset), a YAML path or a dict
    (``bodies``, ``max_force``, ...; see :mod:`robodrl.robustness.adversary`). Other keyword
    arguments are those of :func:`make_core` plus the task's own."""
    from robodrl.envs.two_player import TwoPlayerEnv
    from robodrl.robustness.adversary import load_adversary

    env_id = get_spec(env_id).id
    spec = load_adversary(adversary, env_id)
    return TwoPlayerEnv(make_core(env_id, num_envs, **kwargs), spec)  # reset, ready to step


#: keyword arguments of the PettingZoo envs' view, not of the simulation
_RENDER_ARGUMENTS = ("render_mode", "render_width", "render_height")


def make_adversarial(
    env_id: str, *, adversary: Any = "default", seed: int | None = None, **kwargs: Any
):
    """A PettingZoo ``ParallelEnv`` with agents ``protagonist`` and ``adversary`` on one
    simulation of ``env_id`` (keyword arguments as :func:`make_two_player`, and
    ``render_mode="rgb_array"``, ``render_width``, ``render_height``)."""
    from robodrl.envs.pettingzoo_env import BatchedParallelEnv

    view = {k: kwargs.pop(k) for k in list(kwargs) if k in _RENDER_ARGUMENTS}
    game = make_two_player(env_id, 1, adversary=adversary, seed=seed, autoreset=False, **kwargs)
    return BatchedParallelEnv(game, get_spec(env_id).id, **view)


def make_team(team_id: str, num_envs: int, **kwargs: Any):
    """The batched multi-agent env of ``team_id`` (``robodrl/CheetahTeam-v0``, ...; a
    :class:`~robodrl.envs.multi.core.TeamEnv`) with ``num_envs`` simulations.

    Keyword arguments: those of :func:`make_core`, the team's own (``agents``,
    ``neighbourhood``, ...) and the robot task's."""
    from robodrl.envs.multi.core import TeamEnv
    from robodrl.envs.multi.registry import get_team_spec

    spec = get_team_spec(team_id)
    core_kwargs = {k: kwargs.pop(k) for k in list(kwargs) if k in _CORE_ARGUMENTS}
    team_kwargs, task_kwargs = spec.split_arguments(kwargs)
    core = make_core(spec.env_id, num_envs, **core_kwargs, **task_kwargs)
    return TeamEnv(core, spec.build(core.task, **team_kwargs))


def make_parallel(team_id: str, *, seed: int | None = None, **kwargs: Any):
    """A PettingZoo ``ParallelEnv`` of one simulation of ``team_id`` (keyword arguments as
    :func:`make_team`, and ``render_mode="rgb_array"``, ``render_width``, ``render_height``)."""
    from robodrl.envs.multi.registry import get_team_spec
    from robodrl.envs.pettingzoo_env import BatchedParallelEnv

    if "num_envs" in kwargs:
        raise TaskArgumentError(
            f"make_parallel({team_id!r}): a PettingZoo env is one simulation, so it takes no "
            f"num_envs={kwargs['num_envs']!r}; for a batch use robodrl.make_team(team_id, "
            "num_envs)"
        )
    view = {k: kwargs.pop(k) for k in list(kwargs) if k in _RENDER_ARGUMENTS}
    team = make_team(team_id, 1, seed=seed, autoreset=False, **kwargs)
    return BatchedParallelEnv(team, get_team_spec(team_id).id, **view)
