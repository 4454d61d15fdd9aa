"""DAgger: dataset aggregation, imitation that learns to recover from its own mistakes.

robodrl's own algorithm, top to bottom in the CleanRL manner on the shared supervised pieces
(:mod:`~robodrl.algorithms.imitation.supervised`). Behavioural cloning trains on the states
the expert visits; once the learner drifts off them its errors compound. DAgger instead asks
the expert (``expert:`` in the config: a run directory, an exported ONNX file or a planner
config, any robodrl policy) what it would do in the states the *learner* visits. Each round:
every simulation runs ``n_steps`` control steps, executing the expert's action with
probability β_i and the learner's otherwise (β_i = ``beta`` · ``beta_decay``^i, drawn per
simulation and step); every visited state is labelled with the expert's action and added to
the aggregated dataset; the actor then takes ``updates_per_round`` gradient steps of the mean
squared error on all of it. The observation normalizer is set from the first round's data (or
from ``demos:`` when given, whose pairs also start the dataset) and kept. For ``dagger``,
``total_steps`` counts environment steps, which equals the number of expert labels it asks for.
Reference: Ross, Gordon and Bagnell, "A reduction of imitation learning and structured
prediction to no-regret online learning" (AISTATS 2011).
"""

from __future__ import annotations

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
from robodrl.algorithms.registry import Capabilities, Inputs, RunHooks
from robodrl.datasets.demonstrations import DatasetError
from robodrl.envs.episodes import EpisodeTracker
from robodrl.policy import Policy, actions_for
from robodrl.schema import Probability

if TYPE_CHECKING:
    from robodrl.config import TrainConfig


class DAggerHyperparameters(RegressionHyperparameters):
    """``algorithm.hyperparameters`` of ``dagger``."""

    n_steps: Annotated[int, Field(ge=1)] = 100
    """Control steps every simulation runs per round (all of them labelled by the expert)."""
    beta: Probability = 1.0
    """Probability that the expert's action is executed in the first round."""
    beta_decay: Probability = 0.5
    """β of round i is ``beta * beta_decay**i`` (0: the learner acts from round 1 on)."""
    updates_per_round: Annotated[int, Field(ge=1)] = 500
    """Gradient steps on the aggregated dataset after each round."""


def check_expert(expert: Policy | None, config: TrainConfig, core) -> Policy:
    """The config's expert (loaded by the run layer), checked against the task it labels."""
    if expert is None:
        raise DatasetError(
            f"expert {config.expert}: not given to the learner; the run layer loads it "
            "(robodrl.runs.inputs.prepare_inputs)"
        )
    if expert.env_id != config.env.id or (expert.obs_dim, expert.act_dim) != (
        core.obs_dim,
        core.action_dim,
    ):
        raise DatasetError(
            f"expert {config.expert}: a policy of {expert.env_id} ({expert.obs_dim} "
            f"observations, {expert.act_dim} actions); this run trains {config.env.id} "
            f"({core.obs_dim} observations, {core.action_dim} actions)"
        )
    return expert


class DAggerLearner(SupervisedLearner):
    """DAgger on a batched core, as the run machinery drives it."""

    hyperparameters = DAggerHyperparameters

    def __init__(self, config: TrainConfig, expert: Policy | None) -> None:
        super().__init__(config)
        self.expert = check_expert(expert, config, self.core)
        self.digest = ""
        self.states = np.zeros((0, self.core.obs_dim), np.float32)  # raw observations
        self.labels = np.zeros((0, self.core.action_dim), np.float32)
        if config.demos is not None:  # the demonstrations start the dataset
            demos = load_demos_for(config, self.core)
            self.digest = demos.digest
            self.states, self.labels = demos.transitions()
            self.normalizer = observation_statistics(self.states, config)
        self.round = 0
        self.episodes = EpisodeTracker(self.core.num_envs, self.core.task.reward_names)
        self.obs = self.core.reset()

    def learn(self, total_steps: int, hooks: RunHooks) -> None:
        while self.num_timesteps < total_steps:
            hooks.rollout_start(self)
            beta = self.hp.beta * self.hp.beta_decay**self.round
            states, labels = self.collect(beta, hooks)
            hooks.rollout_end(self)
            hooks.record("train/beta", beta)

            # aggregate: every visited state, labelled with the expert's action
            self.states = np.concatenate([self.states, states])
            self.labels = np.concatenate([self.labels, labels])
            if self.round == 0 and self.config.demos is None:
                self.normalizer = observation_statistics(self.states, self.config)

            # fit the actor to the whole aggregated dataset
            obs, actions = self.network_obs(self.states), torch.as_tensor(self.labels)
            for _ in range(self.hp.updates_per_round):
                loss = self.regress(obs, actions)
            hooks.record("train/loss", loss)
            hooks.record("train/labels", float(len(self.labels)))
            self.round += 1

    def collect(self, beta: float, hooks: RunHooks) -> tuple[np.ndarray, np.ndarray]:
        """One round: ``n_steps`` steps of every simulation under the β-mixture policy; the
        visited raw observations and the expert's actions for them."""
        states, labels = [], []
        for _ in range(self.hp.n_steps):
            expert_action = actions_for(self.expert, self.obs, self.core)
            expert_action = np.clip(expert_action, -1.0, 1.0).astype(np.float32)
            states.append(self.obs)
            labels.append(expert_action)
            use_expert = (torch.rand(self.core.num_envs) < beta).numpy()[:, None]
            action = np.where(use_expert, expert_action, self.act(self.obs))
            self.obs, reward, terminated, truncated, info = self.core.step(action)
            finished = self.episodes.update(reward, terminated | truncated, info)
            if finished:
                hooks.episodes_done(self, finished)
            self.num_timesteps += self.core.num_envs
        return np.concatenate(states), np.concatenate(labels)

    # -- checkpoints ---------------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        super().save(folder)
        dataset = {"states": torch.as_tensor(self.states), "labels": torch.as_tensor(self.labels)}
        torch.save(dataset, folder / "dataset.pt")

    def state(self) -> dict[str, Any]:
        return {
            "num_timesteps": self.num_timesteps,
            "round": self.round,
            "demos_digest": self.digest,
            "env": self.core.state_dict(),
            "episodes": self.episodes.state_dict(),
            "obs": self.obs.tolist(),
        }

    def load(self, folder: Path, state: dict[str, Any], normalizer: dict | None) -> None:
        super().load(folder, state, normalizer)
        saved = state["learner"]
        check_same_demos(self.config, saved["demos_digest"], self.digest)
        dataset = torch.load(folder / "dataset.pt", weights_only=True)
        self.states, self.labels = dataset["states"].numpy(), dataset["labels"].numpy()
        self.round = int(saved["round"])
        self.core.load_state_dict(saved["env"])
        self.episodes.load_state_dict(saved["episodes"])
        self.obs = np.asarray(saved["obs"], dtype=np.float32)


class DAggerAlgorithm(SupervisedAlgorithm):
    """The registry entry of ``dagger``."""

    name = "dagger"
    description = "DAgger: the learner's states labelled by an expert policy (robodrl)"
    capabilities = Capabilities(off_policy=True, needs_expert=True, takes_demonstrations=True)
    learner = DAggerLearner

    def make_learner(self, config: TrainConfig, inputs: Inputs) -> DAggerLearner:
        return DAggerLearner(config, inputs.expert)


DAGGER = DAggerAlgorithm()
