"""What robodrl's supervised imitation algorithms (``bc``, ``dagger``) share: the deterministic
actor with the observation normalization inside it, minibatch regression onto labelled actions,
checkpoints, and the registry entry. Each algorithm adds where its labels come from."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import numpy as np
import torch
from pydantic import Field

from robodrl.algorithms.networks import actor_policy, mlp
from robodrl.algorithms.registry import Capabilities, Checkpoint, Learner, LearnerEntry
from robodrl.datasets.demonstrations import DatasetError, Demonstrations
from robodrl.datasets.storage import load_demonstrations
from robodrl.make import make_training_core
from robodrl.policy import TrainedPolicy, network_input
from robodrl.schema import Strict

if TYPE_CHECKING:
    from robodrl.config import TrainConfig


class RegressionHyperparameters(Strict):
    """The regression settings every supervised imitation algorithm takes."""

    learning_rate: Annotated[float, Field(gt=0)] = 1e-3
    """Adam step size."""
    batch_size: Annotated[int, Field(ge=1)] = 256
    """Labelled (observation, action) pairs per gradient step."""
    weight_decay: Annotated[float, Field(ge=0)] = 0.0
    """Adam's L2 penalty on the weights."""


def load_demos_for(config: TrainConfig, core) -> Demonstrations:
    """The config's ``demos`` dataset, checked against the task it trains on."""
    demos = load_demonstrations(config.demos, trust=config.demos_trust)
    demos.check_fits(
        config.env.id,
        core.obs_dim,
        core.action_dim,
        where=f"demos {config.demos}",
        task_arguments=dict(config.env.task),
    )
    return demos


def check_same_demos(config: TrainConfig, saved: str, now: str) -> None:
    """A run resumes on the demonstrations it started with, or not at all."""
    if saved != now:
        raise DatasetError(
            f"demos {config.demos}: the dataset changed since the run's checkpoint was written "
            "(its data's sha256 differs); resume with the dataset the run started with, or "
            "start a new run"
        )


#: an observation entry whose variance over the dataset is below this never varied in it
CONSTANT_VARIANCE = 1e-6


def observation_statistics(obs: np.ndarray, config: TrainConfig) -> dict[str, Any] | None:
    """The normalizer of a labelled dataset (``robodrl.policy.normalize``'s format), or None
    when the config turns observation normalization off. An entry that never varied in the
    data (a goal always on the table, a block that has not moved yet) keeps its raw scale
    (variance 1): divided by its spread of almost nothing, any later deviation, a sensor's
    noise included, would reach the network as a saturated input through weights that never
    learned anything from it."""
    if not config.normalize.observations:
        return None
    var = obs.var(axis=0).astype(np.float64)
    var[var < CONSTANT_VARIANCE] = 1.0
    return {
        "mean": obs.mean(axis=0).astype(np.float64).tolist(),
        "var": var.tolist(),
        "clip": float(config.normalize.clip),
        "epsilon": float(config.normalize.epsilon),
    }


def actor_sizes(config: TrainConfig) -> list[int]:
    hidden = config.policy.net_arch
    return list(hidden["pi"] if isinstance(hidden, dict) else hidden)


class SupervisedLearner(Learner):
    """A deterministic actor regressed onto labelled actions (mean squared error). Subclasses
    set ``hyperparameters`` and implement :meth:`learn`, calling :meth:`regress`."""

    hyperparameters: ClassVar[type[RegressionHyperparameters]]

    def __init__(self, config: TrainConfig) -> None:
        self.config = config
        self.hp = self.hyperparameters.model_validate(config.algorithm.hyperparameters)
        self.core = make_training_core(config)
        torch.manual_seed(config.seed)
        sizes = [self.core.obs_dim, *actor_sizes(config), self.core.action_dim]
        self.actor = mlp(sizes, config.policy.activation, output_gain=0.01)
        self.optimizer = torch.optim.Adam(
            self.actor.parameters(), lr=self.hp.learning_rate, weight_decay=self.hp.weight_decay
        )
        self.normalizer: dict[str, Any] | None = None
        self.num_timesteps = 0

    def regress(self, obs: torch.Tensor, actions: torch.Tensor) -> float:
        """One gradient step of the mean squared error on a random minibatch of the labelled
        pairs (``obs`` already normalized); its loss."""
        batch = torch.randint(len(obs), (min(self.hp.batch_size, len(obs)),))
        loss = (self.actor(obs[batch]) - actions[batch]).pow(2).mean()
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return loss.item()

    def loss(self, obs: torch.Tensor, actions: torch.Tensor) -> float:
        """The mean squared error on all of ``obs``, ``actions`` (no gradient)."""
        with torch.no_grad():
            return (self.actor(obs).clamp(-1.0, 1.0) - actions).pow(2).mean().item()

    def network_obs(self, raw: np.ndarray) -> torch.Tensor:
        return torch.as_tensor(network_input(np.asarray(raw), self.normalizer))

    def act(self, obs: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return np.clip(self.actor(self.network_obs(obs)).numpy(), -1.0, 1.0)

    def normalizer_state(self) -> dict[str, Any] | None:
        return self.normalizer

    # -- checkpoints: the weights and optimizer here; subclasses add their data ---------------
    def save(self, folder: Path) -> None:
        torch.save(
            {"actor": self.actor.state_dict(), "optimizer": self.optimizer.state_dict()},
            folder / "model.pt",
        )

    def load(self, folder: Path, state: dict[str, Any], normalizer: dict | None) -> None:
        saved = torch.load(folder / "model.pt", weights_only=True)
        self.actor.load_state_dict(saved["actor"])
        self.optimizer.load_state_dict(saved["optimizer"])
        self.normalizer = normalizer
        self.num_timesteps = int(state["learner"]["num_timesteps"])


class SupervisedAlgorithm(LearnerEntry):
    """A registry entry for a :class:`SupervisedLearner` subclass (set ``learner``)."""

    learner: ClassVar[type[SupervisedLearner]]
    capabilities = Capabilities(off_policy=True, needs_demonstrations=True)

    def load_policy(self, config: TrainConfig, checkpoint: Checkpoint) -> TrainedPolicy:
        """The actor of ``folder``'s ``model.pt`` (its sizes read from the weights)."""
        folder, state, normalizer = checkpoint
        weights = torch.load(folder / "model.pt", weights_only=True)["actor"]
        layers = sorted(k for k in weights if k.endswith("weight"))
        obs_dim = weights[layers[0]].shape[1]
        act_dim = weights[max(layers, key=lambda k: int(k.split(".")[0]))].shape[0]
        actor = mlp([obs_dim, *actor_sizes(config), act_dim], config.policy.activation)
        actor.load_state_dict(weights)
        return actor_policy(
            actor, normalizer, config=config, algorithm=self.name, folder=folder, state=state
        )
