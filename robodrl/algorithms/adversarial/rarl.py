"""Robust Adversarial RL (Pinto et al., 2017), with a population of adversaries (RAP, Vinitsky et
al., 2020): a protagonist learns the task while adversaries learn to push it off course.

The schedule alternates: ``protagonist_iterations`` updates of the protagonist (each an
iteration of its algorithm: ``n_steps`` x envs steps, then its update; off-policy players: 64
steps x envs with their own training schedule), then ``adversary_iterations`` updates of one
adversary (round robin over the population), and again. Each player is any registered
algorithm that can play one side (``Capabilities.player``: robodrl's own and the SB3 ones; the
two sides may differ); the game is zero-sum (:mod:`robodrl.envs.two_player`). ``total_steps``
counts the steps of every phase. The players meet through :mod:`.match`.

    algorithm:
      name: rarl
      hyperparameters:
        protagonist: {algorithm: lean_ppo, hyperparameters: {n_steps: 24}}
        adversary: {algorithm: lean_ppo, hyperparameters: {n_steps: 24}}
        protagonist_iterations: 1
        adversary_iterations: 1
        adversaries: 1          # k > 1: a population, one per simulation per episode
    adversary: default          # where it pushes and how hard (robustness.adversary)

Checkpoints hold one folder per player (as its algorithm saves itself), and in the state each
player's own state and normalizer, the game, each simulation's adversary and the schedule, so a
resumed run continues mid-schedule exactly. The exported policy is the
protagonist's.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import torch
from pydantic import Field, ValidationError

from robodrl.algorithms.adversarial.match import Match, population_act
from robodrl.algorithms.registry import (
    NO_INPUTS,
    Algorithm,
    Capabilities,
    Checkpoint,
    Inputs,
    Learner,
    Player,
    PlayerEntry,
    RunHooks,
    get_algorithm,
)
from robodrl.envs.episodes import run_episodes
from robodrl.envs.two_player import ADVERSARY, PROTAGONIST, AgainstAdversary
from robodrl.errors import RobodrlError, format_validation_error
from robodrl.make import make_two_player
from robodrl.robustness.adversary import AdversarySpec, load_adversary
from robodrl.schema import Strict

if TYPE_CHECKING:
    from robodrl.config import TrainConfig
    from robodrl.policy import TrainedPolicy


class PlayerSettings(Strict):
    """One side's algorithm and its hyperparameters."""

    algorithm: str = "lean_ppo"
    hyperparameters: dict[str, Any] = Field(default_factory=dict)


class RARLHyperparameters(Strict):
    """``algorithm.hyperparameters`` of ``rarl``."""

    protagonist: PlayerSettings = PlayerSettings()
    adversary: PlayerSettings = PlayerSettings()
    protagonist_iterations: int = Field(default=1, ge=1)
    """Protagonist updates per round."""
    adversary_iterations: int = Field(default=1, ge=1)
    """Adversary updates per round (one adversary of the population per round)."""
    adversaries: int = Field(default=1, ge=1)
    """Size of the adversary population (1: RARL; more: RAP)."""


def player_config(config: TrainConfig, player: PlayerSettings) -> TrainConfig:
    """The run's config with ``player``'s algorithm (networks and env settings shared)."""
    algorithm = type(config.algorithm)(  # validated like the config's own section
        name=player.algorithm, hyperparameters=player.hyperparameters
    )
    return config.model_copy(update={"algorithm": algorithm, "adversary": None})


class Hooks:
    """A player's hooks: its losses go to ``<player>/...``; the match reports the episodes and
    the rollouts' ends to the run (so the player's own are dropped)."""

    def __init__(self, hooks: RunHooks, prefix: str) -> None:
        self.hooks, self.prefix = hooks, prefix

    def rollout_start(self, learner: Learner) -> None:
        """Dropped: the match's schedule is the run's consistent point."""

    def rollout_end(self, learner: Learner) -> None:
        """Dropped: see the class docstring."""

    def episodes_done(self, learner: Learner, episodes: list[dict[str, Any]]) -> None:
        """Dropped: see the class docstring."""

    def record(self, key: str, value: float) -> None:
        self.hooks.record(f"{self.prefix}/{key.split('/', 1)[-1]}", value)


class RARLLearner(Learner):
    """A protagonist and a population of adversaries on one two-player env."""

    def __init__(self, config: TrainConfig, checkpoint: tuple[Path, dict] | None = None) -> None:
        """Fresh players, or (``checkpoint``: a verified folder and its state) as it left them."""
        env = config.env
        self.config = config
        self.hp = RARLHyperparameters.model_validate(config.algorithm.hyperparameters)
        game = make_two_player(
            env.id,
            env.num_envs,
            adversary=config.adversary or "default",
            num_threads=env.num_threads,
            seed=config.seed,
            randomization=env.randomization,
            perturbations=env.perturbations,
            curriculum=env.curriculum,
            **env.task,
        )
        self.core = game.core
        torch.manual_seed(config.seed)
        self.match = Match(game, self.hp.adversaries, config.seed)
        protagonist_view, adversary_views = self.match.views(self.hp.adversaries)
        views = [protagonist_view, *adversary_views]
        sides = [self.hp.protagonist] + [self.hp.adversary] * self.hp.adversaries
        self.players = {
            name: self._player(name, side, view, checkpoint)
            for name, side, view in zip(self.player_names(), sides, views, strict=True)
        }
        self.protagonist = self.players[PROTAGONIST]
        self.adversaries = [self.players[name] for name in self.player_names()[1:]]
        self.match.protagonist, self.match.adversaries = self.protagonist, self.adversaries
        self.round, self.position = 0, 0  # where in the alternating schedule
        self.updates = dict.fromkeys(self.player_names(), 0)
        if checkpoint is not None:
            state = checkpoint[1]["learner"]
            self.match.load_state_dict(state["match"])
            schedule = dict(state["schedule"])
            self.round, self.position = schedule.pop("round"), schedule.pop("position")
            self.updates = schedule

    def _player(
        self, name: str, side: PlayerSettings, view: Any, checkpoint: tuple[Path, dict] | None
    ) -> Player:
        entry = cast(PlayerEntry, get_algorithm(side.algorithm))  # a player: checked in config
        config = player_config(self.config, side)
        if checkpoint is None:
            return entry.build_player(config, view)
        folder, state = checkpoint
        saved = state["learner"]["players"][name]
        player = Checkpoint(folder / name, saved, saved["normalizer"])
        return entry.restore_player(config, player, view)

    def player_names(self) -> list[str]:
        return [PROTAGONIST] + [f"{ADVERSARY}_{k}" for k in range(self.hp.adversaries)]

    @property
    def num_timesteps(self) -> int:  # every phase's steps
        return sum(player.num_timesteps for player in self.players.values())

    def playing(self) -> str:
        """Who updates next: the protagonist first in each round, then one adversary."""
        if self.position < self.hp.protagonist_iterations:
            return PROTAGONIST
        return f"{ADVERSARY}_{self.round % self.hp.adversaries}"

    def learn(self, total_steps: int, hooks: RunHooks) -> None:
        while self.num_timesteps < total_steps:
            hooks.rollout_start(self)
            name = self.playing()
            learner, side = self.players[name], name.split("_")[0]
            learner.observe(self.match.obs[side], self.match.episode_starts)
            learner.play_iteration(Hooks(hooks, name), self.num_timesteps / total_steps)
            hooks.episodes_done(self, self.match.take_finished())
            hooks.rollout_end(self)
            self.updates[name] += 1
            hooks.record(f"rarl/{name}_updates", self.updates[name])
            self.position += 1
            if self.position == self.hp.protagonist_iterations + self.hp.adversary_iterations:
                self.round, self.position = self.round + 1, 0

    def act(self, obs: np.ndarray) -> np.ndarray:
        return self.protagonist.act(obs)

    def set_log_folder(self, folder: Path) -> None:
        for name, player in self.players.items():
            player.set_log_folder(folder / name)  # each player's own training statistics

    def extra_evaluation(self, config: TrainConfig) -> dict[str, float]:
        """The protagonist against its adversaries, on the evaluation's seeds (deterministic
        players), beside the evaluation of the protagonist alone."""
        env = config.env
        game = make_two_player(
            env.id,
            config.eval.episodes,
            adversary=self.match.game.adversary.spec,
            seed=config.eval.seed,
            randomization=env.randomization,
            perturbations=env.perturbations,
            autoreset=False,
            **env.task,
        )
        adversaries = population_act([adversary.act for adversary in self.adversaries])
        stats = run_episodes(AgainstAdversary(game, adversaries), self.act)
        return {
            "vs_adversary_mean_return": float(stats.returns.mean()),
            "vs_adversary_min_return": float(stats.returns.min()),
        }

    # -- checkpoints: one folder per player, the match and the schedule in the state -----------
    def save(self, folder: Path) -> None:
        for name, player in self.players.items():
            (folder / name).mkdir()
            player.save(folder / name)

    def normalizer_state(self) -> dict[str, Any] | None:
        return self.protagonist.normalizer_state()  # the exported policy's

    def state(self) -> dict[str, Any]:
        return {
            "match": self.match.state_dict(),
            "schedule": {"round": self.round, "position": self.position, **self.updates},
            "players": {
                name: {
                    "learner": player.state(),
                    "normalizer": player.normalizer_state(),
                    "num_timesteps": player.num_timesteps,
                }
                for name, player in self.players.items()
            },
        }


class RARLAlgorithm(Algorithm):
    """The registry entry of ``rarl``."""

    name = "rarl"
    description = "Robust Adversarial RL: a protagonist against learned adversaries (robodrl)"
    capabilities = Capabilities(on_policy=True, adversarial=True, state_independent_log_std=True)

    def hyperparameter_names(self) -> list[str]:
        return sorted(RARLHyperparameters.model_fields)

    def check_hyperparameters(self, hyperparameters: dict[str, Any]) -> None:
        super().check_hyperparameters(hyperparameters)
        try:
            hp = RARLHyperparameters.model_validate(hyperparameters)
        except ValidationError as err:
            raise ValueError(format_validation_error(err, prefix="hyperparameters")) from None
        for side in ("protagonist", "adversary"):
            player = getattr(hp, side)
            where = f"hyperparameters.{side}"
            try:
                entry = get_algorithm(player.algorithm)
            except RobodrlError as err:
                raise ValueError(f"{where}.algorithm: {err}") from None
            if not entry.capabilities.player:
                raise ValueError(
                    f"{where}.algorithm: {player.algorithm} cannot play one side of a game "
                    f"yet; players: {', '.join(_player_names())}"
                )
            try:
                entry.check_hyperparameters(player.hyperparameters)
            except ValueError as err:
                raise ValueError(f"{where}.{err}") from None

    def check_config(self, config: TrainConfig) -> None:
        """The adversary's bodies exist in the task; the adversary cannot use the mirror loss
        (it mirrors the robot's actions, not forces)."""
        from robodrl.registry import make_task
        from robodrl.robustness.adversary import Adversary

        hp = RARLHyperparameters.model_validate(config.algorithm.hyperparameters)
        for side in ("protagonist", "adversary"):  # each player's own rules, named as its
            player = getattr(hp, side)
            entry = get_algorithm(player.algorithm)
            if (
                config.policy.log_std_init is not None
                and not entry.capabilities.state_independent_log_std
            ):
                raise ValueError(
                    f"policy.log_std_init: the {side}'s {player.algorithm} learns its std; "
                    "leave log_std_init out"
                )
            where = f"algorithm.hyperparameters.{side}.hyperparameters."
            if player.hyperparameters.get("critic_observations", "policy") != "policy":
                raise ValueError(
                    f"{where}critic_observations: a player's critic sees what the player "
                    "observes in the game; set it to policy"
                )
            try:
                entry.check_config(player_config(config, player))
            except ValueError as err:
                raise ValueError(str(err).replace("algorithm.hyperparameters.", where, 1)) from None
        if hp.adversary.hyperparameters.get("symmetry_coef", 0) > 0:
            raise ValueError(
                "algorithm.hyperparameters.adversary.hyperparameters.symmetry_coef: the mirror "
                "loss is for the robot's actions; set it to 0 for the adversary"
            )
        spec = load_adversary(config.adversary or "default", config.env.id)
        model = make_task(config.env.id, **config.env.task).load_model()
        try:
            Adversary.check_bodies(spec, model)
        except RobodrlError as err:
            raise ValueError(str(err)) from None

    def build(self, config: TrainConfig, inputs: Inputs = NO_INPUTS) -> RARLLearner:
        return RARLLearner(config)

    def restore(
        self, config: TrainConfig, checkpoint: Checkpoint, inputs: Inputs = NO_INPUTS
    ) -> RARLLearner:
        return RARLLearner(config, (checkpoint.folder, checkpoint.state))

    def load_policy(self, config: TrainConfig, checkpoint: Checkpoint) -> TrainedPolicy:
        """The protagonist, as its own algorithm loads it."""
        hp = RARLHyperparameters.model_validate(config.algorithm.hyperparameters)
        entry = get_algorithm(hp.protagonist.algorithm)
        folder, state, normalizer = checkpoint
        protagonist = Checkpoint(folder / PROTAGONIST, state, normalizer)
        policy = entry.load_policy(player_config(config, hp.protagonist), protagonist)
        return dataclasses.replace(policy, algorithm=self.name, checkpoint=folder)

    def load_adversaries(
        self, config: TrainConfig, checkpoint: Checkpoint
    ) -> tuple[AdversarySpec, Callable[[np.ndarray], np.ndarray]]:
        return load_adversaries(config, checkpoint.folder, checkpoint.state)


def load_adversaries(
    config: TrainConfig, folder: Path, state: dict[str, Any]
) -> tuple[AdversarySpec, Callable[[np.ndarray], np.ndarray]]:
    """A (verified) checkpoint's trained adversaries: where they push, and their deterministic
    forces for adversary observations (simulation i faces adversary i mod k)."""
    hp = RARLHyperparameters.model_validate(config.algorithm.hyperparameters)
    entry, player_cfg = get_algorithm(hp.adversary.algorithm), player_config(config, hp.adversary)
    players = state["learner"]["players"]
    population = [
        entry.load_policy(player_cfg, Checkpoint(folder / name, state, players[name]["normalizer"]))
        for name in (f"{ADVERSARY}_{k}" for k in range(hp.adversaries))
    ]

    spec = load_adversary(config.adversary or "default", config.env.id)
    return spec, population_act([adversary.act for adversary in population])


def _player_names() -> list[str]:
    from robodrl.algorithms.registry import algorithm_names

    return [n for n in algorithm_names() if get_algorithm(n).capabilities.player]


RARL = RARLAlgorithm()
