"""Behavioural cloning: regress a deterministic actor onto demonstrated actions.

robodrl's own algorithm, top to bottom in the CleanRL manner on the shared supervised pieces
(:mod:`~robodrl.algorithms.imitation.supervised`). The demonstrations (``demos:`` in the config,
a dataset ``robodrl demos record`` wrote) are split by episode into training and validation
sets. The observation normalizer is the training set's mean and variance, saved with the policy
and baked into the exported graph, so the network sees what it will see onboard. Each gradient
step is one Adam step of the mean squared error on a random minibatch; every
``validate_every`` steps the validation loss is measured, and after ``patience`` measurements
without improvement training stops early with the best weights seen. For ``bc``,
``total_steps`` counts gradient steps. Reference: Pomerleau (1991); Ross and Bagnell (2010)
on why errors compound (see ``dagger``).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import numpy as np
import torch
from pydantic import Field

from robodrl.algorithms.imitation.supervised import (
    RegressionHyperparameters,
    SupervisedAlgorithm,
    SupervisedLearner,
    check_same_demos,
    load_demos_for,
    observation_statistics,
)
from robodrl.algorithms.registry import RunHooks
from robodrl.datasets.demonstrations import transitions

if TYPE_CHECKING:
    from robodrl.config import TrainConfig


class BCHyperparameters(RegressionHyperparameters):
    """``algorithm.hyperparameters`` of ``bc``."""

    validation_fraction: Annotated[float, Field(ge=0, lt=1)] = 0.2
    """Share of the episodes held out to measure the validation loss (0: no early stopping)."""
    validate_every: Annotated[int, Field(ge=1)] = 100
    """Gradient steps between validation measurements."""
    patience: Annotated[int, Field(ge=1)] = 10
    """Measurements without a better validation loss before training stops."""


class BCLearner(SupervisedLearner):
    """Behavioural cloning, as the run machinery drives it."""

    hyperparameters = BCHyperparameters

    def __init__(self, config: TrainConfig) -> None:
        super().__init__(config)
        demos = load_demos_for(config, self.core)
        # split by episode: whole held-out episodes tell how the actor generalizes
        order = np.random.default_rng(config.seed).permutation(len(demos.episodes))
        held_out = math.floor(self.hp.validation_fraction * len(order))
        train = [demos.episodes[i] for i in sorted(order[held_out:])]
        valid = [demos.episodes[i] for i in sorted(order[:held_out])]
        obs, actions = transitions(train)
        self.normalizer = observation_statistics(obs, config)
        self.train_set = self.network_obs(obs), torch.as_tensor(actions)
        self.valid_set = None
        if valid:
            obs, actions = transitions(valid)
            self.valid_set = self.network_obs(obs), torch.as_tensor(actions)
        self.digest = demos.digest
        self.best_loss, self.since_best, self.stopped = math.inf, 0, False
        self.best_actor = {k: v.clone() for k, v in self.actor.state_dict().items()}

    def learn(self, total_steps: int, hooks: RunHooks) -> None:
        while self.num_timesteps < total_steps and not self.stopped:
            hooks.rollout_start(self)
            steps = min(self.hp.validate_every, total_steps - self.num_timesteps)
            for _ in range(steps):
                train_loss = self.regress(*self.train_set)
                self.num_timesteps += 1
            hooks.record("train/loss", train_loss)
            hooks.rollout_end(self)
            if self.valid_set is not None:
                self.early_stopping(self.loss(*self.valid_set), hooks)
        if self.valid_set is not None:  # the run ends with the best weights seen
            self.actor.load_state_dict(self.best_actor)

    def early_stopping(self, valid_loss: float, hooks: RunHooks) -> None:
        """Keep the best weights; stop after ``patience`` measurements without a better one."""
        hooks.record("train/validation_loss", valid_loss)
        if valid_loss < self.best_loss:
            self.best_loss, self.since_best = valid_loss, 0
            self.best_actor = {k: v.clone() for k, v in self.actor.state_dict().items()}
        else:
            self.since_best += 1
            self.stopped = self.since_best >= self.hp.patience

    # -- checkpoints ---------------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        super().save(folder)
        torch.save(self.best_actor, folder / "best_actor.pt")

    def state(self) -> dict[str, Any]:
        return {
            "num_timesteps": self.num_timesteps,
            "demos_digest": self.digest,
            "best_loss": self.best_loss if math.isfinite(self.best_loss) else None,
            "since_best": self.since_best,
            "stopped": self.stopped,
        }

    def load(self, folder: Path, state: dict[str, Any], normalizer: dict | None) -> None:
        super().load(folder, state, normalizer)
        saved = state["learner"]
        check_same_demos(self.config, saved["demos_digest"], self.digest)
        self.best_actor = torch.load(folder / "best_actor.pt", weights_only=True)
        best = saved["best_loss"]
        self.best_loss = math.inf if best is None else float(best)
        self.since_best, self.stopped = int(saved["since_best"]), bool(saved["stopped"])


class BCAlgorithm(SupervisedAlgorithm):
    """The registry entry of ``bc``."""

    name = "bc"
    description = "behavioural cloning from demonstrations, with early stopping (robodrl)"
    learner = BCLearner


BC = BCAlgorithm()
