"""Demonstrations in memory: episodes of observations and actions, where they were recorded,
and the checks a learner runs before it trusts them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from robodrl.errors import RobodrlError


class DatasetError(RobodrlError):
    """A demonstrations dataset that cannot be used: missing, corrupt, empty, non-finite, or
    recorded on another task."""


@dataclass
class Episode:
    """One demonstrated episode: ``observations`` ``(T + 1, obs_dim)`` (the last one after the
    final step), ``actions`` ``(T, act_dim)`` in [-1, 1], ``rewards``, ``terminations`` and
    ``truncations`` ``(T,)``; the seed it started from and the randomized model values it ran
    with (label → values at the episode's start; empty without randomization)."""

    observations: np.ndarray
    actions: np.ndarray
    rewards: np.ndarray
    terminations: np.ndarray
    truncations: np.ndarray
    seed: int
    randomization: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def length(self) -> int:
        return len(self.actions)

    @property
    def episode_return(self) -> float:
        return float(np.sum(self.rewards))


@dataclass
class Demonstrations:
    """Episodes of one task (``env_id`` with ``task_arguments``), and where they came from:
    ``source`` (the policy recorded), ``settings`` (seed, randomization, perturbations),
    ``reference`` (mean return of the demonstrator and of uniformly random actions on the same
    seeds: the normalized score's 1 and 0)."""

    env_id: str
    task_arguments: dict[str, Any]
    obs_dim: int
    act_dim: int
    episodes: list[Episode]
    source: str = ""
    settings: dict[str, Any] = field(default_factory=dict)
    reference: dict[str, float] = field(default_factory=dict)
    #: sha256 of the stored episode data ("" before it is saved): a resumed run checks it
    digest: str = ""

    @property
    def num_steps(self) -> int:
        return sum(e.length for e in self.episodes)

    def transitions(self) -> tuple[np.ndarray, np.ndarray]:
        """Every (observation, action) pair, episodes concatenated: ``(N, obs)``, ``(N, act)``."""
        return transitions(self.episodes)

    def check(self, where: str | Path = "dataset") -> None:
        """Raise :class:`DatasetError` for an empty dataset, a shape that does not fit its own
        dimensions, or a non-finite value (naming the episode, step and field)."""
        if not self.episodes:
            raise DatasetError(f"{where}: the dataset holds no episodes; record some first")
        for i, episode in enumerate(self.episodes):
            _check_episode(episode, i, self.obs_dim, self.act_dim, where)

    def check_fits(
        self,
        env_id: str,
        obs_dim: int,
        act_dim: int,
        where: str = "demos",
        task_arguments: dict[str, Any] | None = None,
    ) -> None:
        """Raise :class:`DatasetError` unless the demonstrations were recorded on ``env_id``
        with its observation and action sizes (and, where given, its task arguments: another
        ``frame_skip`` is another task)."""
        if self.env_id != env_id:
            raise DatasetError(
                f"{where}: the demonstrations were recorded on {self.env_id}, not {env_id}; "
                f"record demonstrations of {env_id} or train on {self.env_id}"
            )
        if task_arguments is not None and _plain(task_arguments) != _plain(self.task_arguments):
            raise DatasetError(
                f"{where}: the demonstrations were recorded with task arguments "
                f"{self.task_arguments}, the config trains with {task_arguments}; record "
                "demonstrations with env.task as the config has it, or set env.task to theirs"
            )
        if (self.obs_dim, self.act_dim) != (obs_dim, act_dim):
            raise DatasetError(
                f"{where}: the demonstrations have {self.obs_dim} observations and "
                f"{self.act_dim} actions per step, {env_id} with these task arguments has "
                f"{obs_dim} and {act_dim} (recorded with task arguments {self.task_arguments})"
            )


def transitions(episodes: list[Episode]) -> tuple[np.ndarray, np.ndarray]:
    """The (observation, action) pairs of ``episodes``, concatenated, as float32."""
    obs = np.concatenate([e.observations[:-1] for e in episodes]).astype(np.float32)
    return obs, np.concatenate([e.actions for e in episodes]).astype(np.float32)


def episode_shapes(steps: int, obs_dim: int, act_dim: int) -> dict[str, tuple[int, ...]]:
    """The shape of each array of an episode of ``steps`` steps."""
    return {
        "observations": (steps + 1, obs_dim),
        "actions": (steps, act_dim),
        "rewards": (steps,),
        "terminations": (steps,),
        "truncations": (steps,),
    }


def _check_episode(episode: Episode, index: int, obs_dim: int, act_dim: int, where) -> None:
    length = episode.length
    if length == 0:
        raise DatasetError(f"{where}: episode {index} has no steps")
    for name, shape in episode_shapes(length, obs_dim, act_dim).items():
        array = np.asarray(getattr(episode, name))
        if array.shape != shape:
            raise DatasetError(
                f"{where}: episode {index} {name} have shape {array.shape}, expected {shape} "
                f"({length} steps, {obs_dim} observations, {act_dim} actions)"
            )
        if array.dtype.kind == "f" and not np.isfinite(array).all():
            bad = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
            raise DatasetError(
                f"{where}: episode {index} {name}{list(bad)} is {array[bad]}; demonstrations "
                "must be finite (drop that episode or record again)"
            )
    if np.abs(episode.actions).max() > 1.0 + 1e-6:
        step, joint = (int(i) for i in np.argwhere(np.abs(episode.actions) > 1.0 + 1e-6)[0])
        raise DatasetError(
            f"{where}: episode {index} actions[{step}, {joint}] = {episode.actions[step, joint]} "
            "is outside [-1, 1]; robodrl demonstrations hold policy actions, not actuator units"
        )


def _plain(arguments: dict[str, Any]) -> str:
    """Task arguments compared as JSON (tuples and lists alike, key order aside)."""
    import json

    return json.dumps(arguments, sort_keys=True, default=str)
