"""The algorithm registry: ``algorithm.name`` → an :class:`Algorithm` entry.

An entry declares its name, what it is (:class:`Capabilities`), its hyperparameters (checked
strictly, with the valid names listed) and how it builds, learns, saves and restores a
:class:`Learner`, and how a checkpoint becomes a :class:`~robodrl.policy.TrainedPolicy`. The
run machinery (:mod:`robodrl.runs`) gives every entry checkpoints, exact resume, evaluation,
logs and progress. Adding an algorithm touches its own file and one line of ``ENTRIES``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple, Protocol

import numpy as np
from pydantic import BaseModel, ValidationError

from robodrl.errors import ConfigError, format_validation_error, suggest
from robodrl.registries import Registry

if TYPE_CHECKING:
    from robodrl.config import TrainConfig
    from robodrl.envs.core import BatchedEnv
    from robodrl.policy import Policy, TrainedPolicy

#: name → "module:attribute" of the entry, imported on first use
ENTRIES: Registry[Algorithm] = Registry(
    "algorithm",
    {
        "ppo": "robodrl.algorithms.sb3.entries:PPO",
        "a2c": "robodrl.algorithms.sb3.entries:A2C",
        "trpo": "robodrl.algorithms.sb3.entries:TRPO",
        "sac": "robodrl.algorithms.sb3.entries:SAC",
        "td3": "robodrl.algorithms.sb3.entries:TD3",
        "ddpg": "robodrl.algorithms.sb3.entries:DDPG",
        "vpg": "robodrl.algorithms.vpg:VPG",
        "lean_ppo": "robodrl.algorithms.ppo:LEAN_PPO",
        "rarl": "robodrl.algorithms.adversarial.rarl:RARL",
        "ippo": "robodrl.algorithms.marl.ippo:IPPO",
        "mappo": "robodrl.algorithms.marl.mappo:MAPPO",
        "maddpg": "robodrl.algorithms.marl.maddpg:MADDPG",
        "bc": "robodrl.algorithms.imitation.bc:BC",
        "dagger": "robodrl.algorithms.imitation.dagger:DAGGER",
        "gail": "robodrl.algorithms.imitation.gail:GAIL",
        "airl": "robodrl.algorithms.imitation.airl:AIRL",
    },
)


@dataclass(frozen=True)
class Capabilities:
    """What an algorithm is, for configs, run machinery and later trainers to ask."""

    on_policy: bool = False
    off_policy: bool = False
    multi_agent: bool = False
    #: trains against a learned adversary (the config's ``adversary:`` section)
    adversarial: bool = False
    #: can learn one player's side of a game (``build_player``; rarl's players)
    player: bool = False
    #: learns from a demonstrations dataset (the config's ``demos:``, required)
    needs_demonstrations: bool = False
    #: may start from a demonstrations dataset (``demos:``, optional)
    takes_demonstrations: bool = False
    #: queries an expert policy for labels (the config's ``expert:``)
    needs_expert: bool = False
    #: a Gaussian policy with a state-independent log std (``policy.log_std_init`` applies)
    state_independent_log_std: bool = False
    #: can learn from rewards scaled by the discounted return's std (``normalize.rewards``)
    reward_scaling: bool = False


class RunHooks(Protocol):
    """What a learner tells the run machinery while it learns."""

    def rollout_start(self, learner: Learner) -> None:
        """A consistent point (before collecting experience): evaluate, checkpoint."""

    def episodes_done(self, learner: Learner, episodes: list[dict[str, Any]]) -> None:
        """Finished episodes: ``{"env", "return", "length", "terms"}`` each."""

    def rollout_end(self, learner: Learner) -> None:
        """Experience collected (before the update): log reward terms and DR statistics."""

    def record(self, key: str, value: float) -> None:
        """A scalar for the logs (``train/...``)."""


class Checkpoint(NamedTuple):
    """A verified checkpoint as its algorithm reads it: the folder (a private copy, verified
    before anything in it is unpickled), the signed state and the observation normalizer."""

    folder: Path
    state: dict[str, Any]
    normalizer: dict | None


@dataclass(frozen=True)
class Inputs:
    """What a learner takes besides its config: the other runs and files the config names,
    loaded and verified by the run layer (:func:`robodrl.runs.inputs.prepare_inputs`), so that
    no algorithm reaches up to load a run itself."""

    #: the policy ``expert:`` names (dagger's labeller): a run's, an ONNX file's, a planner
    expert: Policy | None = None
    #: the learned reward of the run an entry re-uses (:meth:`Algorithm.reward_run`), as that
    #: run's algorithm saved it (:meth:`Algorithm.load_reward`)
    reward: Any = None


#: a learner that needs nothing beyond its config
NO_INPUTS = Inputs()


class Learner(ABC):
    """A model being trained on robodrl's batched env, as the run machinery drives it."""

    #: environment steps taken so far (all simulations together)
    num_timesteps: int
    #: the training env's batched core (reward names, randomizer, physics state)
    core: BatchedEnv

    @abstractmethod
    def learn(self, total_steps: int, hooks: RunHooks) -> None:
        """Train until ``num_timesteps >= total_steps``, calling ``hooks`` as it goes."""

    @abstractmethod
    def save(self, folder: Path) -> None:
        """Write the algorithm's own checkpoint files (weights, optimizers, buffers)."""

    @abstractmethod
    def state(self) -> dict[str, Any]:
        """JSON state for exact resume beyond the files (env, last observations, RNGs)."""

    @abstractmethod
    def normalizer_state(self) -> dict[str, Any] | None:
        """Observation normalizer statistics (``robodrl.policy.normalize``'s format)."""

    @abstractmethod
    def act(self, obs: np.ndarray) -> np.ndarray:
        """Deterministic actions in [-1, 1] for raw observations (for evaluation)."""

    def rng_state(self) -> dict[str, Any]:
        """The RNG states a checkpoint keeps (the global ones; an algorithm may add)."""
        from robodrl.algorithms.rng import capture_rng

        return capture_rng()

    def extra_evaluation(self, config: TrainConfig) -> dict[str, float]:
        """Figures the periodic evaluation adds beside the policy's own (none by default)."""
        return {}

    def set_log_folder(self, folder: Path) -> None:  # noqa: B027 (optional)
        """Where the algorithm may write its own logs for this session."""


class Player(Protocol):
    """One player's side of a game (``Capabilities.player``; rarl drives its players)."""

    num_timesteps: int

    def play_iteration(self, hooks: RunHooks, progress: float) -> None:
        """One iteration (a rollout and an update) on the player's side of the game."""

    def sample(self, obs: np.ndarray) -> np.ndarray:
        """Stochastic actions in [-1, 1] for raw observations, as in its rollouts."""

    def observe(self, obs: np.ndarray, episode_starts: np.ndarray) -> None:
        """Continue from these raw observations (the game moved on while others played);
        ``episode_starts``: which simulations just began an episode."""

    def act(self, obs: np.ndarray) -> np.ndarray:
        """Deterministic actions in [-1, 1] for raw observations."""

    def save(self, folder: Path) -> None:
        """Write the player's checkpoint files."""

    def state(self) -> dict[str, Any]:
        """JSON state for exact resume."""

    def normalizer_state(self) -> dict[str, Any] | None:
        """Observation normalizer statistics."""


class PlayerEntry(Protocol):
    """An entry that can learn one player of a game (``Capabilities.player``)."""

    def build_player(self, config: TrainConfig, core: Any) -> Player:
        """A fresh learner for one player, on ``core`` (that player's side, shaped like a
        batched core)."""

    def restore_player(self, config: TrainConfig, checkpoint: Checkpoint, core: Any) -> Player:
        """A player's learner as its (verified) checkpoint folder left it, on ``core``."""


class AdversaryEntry(Protocol):
    """An entry that trains adversaries beside its policy (``Capabilities.adversarial``)."""

    def load_adversaries(self, config: TrainConfig, checkpoint: Checkpoint) -> Any:
        """The adversaries of a (verified) checkpoint: their spec and deterministic forces."""


class Algorithm(ABC):
    """One registry entry."""

    name: ClassVar[str]
    capabilities: ClassVar[Capabilities]
    description: ClassVar[str]

    @abstractmethod
    def hyperparameter_names(self) -> list[str]:
        """The hyperparameters a config may set, sorted."""

    def check_hyperparameters(self, hyperparameters: dict[str, Any]) -> None:
        """Raise ``ValueError("hyperparameters.<key>: ...")`` for one it does not take."""
        valid = self.hyperparameter_names()
        for key in hyperparameters:
            if key not in valid:
                raise ValueError(
                    f"hyperparameters.{key}: {self.name} takes no such hyperparameter"
                    f"{suggest(key, valid)}; valid: {', '.join(valid)}"
                )

    def check_config(self, config: TrainConfig) -> None:  # noqa: B027 (optional)
        """Raise ``ValueError("<dotted.field>: ...")`` for settings that do not fit together."""

    def reward_run(self, config: TrainConfig) -> str | None:
        """The earlier run whose learned reward this config re-uses (none by default); the run
        layer loads it into :attr:`Inputs.reward` through that run's entry."""
        return None

    def load_reward(self, folder: Path) -> Any:
        """The learned reward of a (verified) checkpoint of this algorithm, for another run."""
        raise ConfigError(f"{self.name} learns no reward another run could re-use")

    @abstractmethod
    def build(self, config: TrainConfig, inputs: Inputs = NO_INPUTS) -> Learner:
        """A fresh learner for ``config``."""

    @abstractmethod
    def restore(
        self, config: TrainConfig, checkpoint: Checkpoint, inputs: Inputs = NO_INPUTS
    ) -> Learner:
        """A learner exactly as it was when the (verified) checkpoint ``folder`` was written."""

    @abstractmethod
    def load_policy(self, config: TrainConfig, checkpoint: Checkpoint) -> TrainedPolicy:
        """The deterministic policy of a (verified) checkpoint, on the CPU."""


class LearnerEntry(Algorithm):
    """An entry whose ``learner`` class holds the hyperparameters model
    (``learner.hyperparameters``), builds from a config, and restores with
    ``learner.load(folder, state, normalizer)``."""

    learner: ClassVar[Any]

    def hyperparameter_names(self) -> list[str]:
        return sorted(self.learner.hyperparameters.model_fields)

    def check_hyperparameters(self, hyperparameters: dict[str, Any]) -> None:
        super().check_hyperparameters(hyperparameters)
        check_model(self.learner.hyperparameters, hyperparameters)

    def make_learner(self, config: TrainConfig, inputs: Inputs) -> Any:
        """The ``learner`` class on ``config`` (an entry whose learner takes inputs says how)."""
        return self.learner(config)

    def build(self, config: TrainConfig, inputs: Inputs = NO_INPUTS) -> Learner:
        return self.make_learner(config, inputs)

    def restore(
        self, config: TrainConfig, checkpoint: Checkpoint, inputs: Inputs = NO_INPUTS
    ) -> Learner:
        learner = self.make_learner(config, inputs)
        learner.load(*checkpoint)
        return learner


def check_model(model: type[BaseModel], hyperparameters: dict[str, Any]) -> None:
    """Validate ``hyperparameters`` against an algorithm's pydantic model; an error names the
    field (``hyperparameters.<key>: ...``)."""
    try:
        model.model_validate(hyperparameters)
    except ValidationError as err:
        raise ValueError(format_validation_error(err, prefix="hyperparameters")) from None


def algorithm_names() -> list[str]:
    """Every registered algorithm name."""
    return ENTRIES.names()


def get_algorithm(name: str) -> Algorithm:
    """The entry of ``name``; an unknown name lists the registered ones."""
    return ENTRIES.get(name)
