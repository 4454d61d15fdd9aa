"""What robodrl's adversarial imitation algorithms (``gail``, ``airl``) share: an SB3 generator
(PPO or TRPO) trained on a learned reward, the env wrapper that puts that reward in place of the
task's, the schedule of discriminator updates, and checkpoints. Each algorithm adds its reward
model: what the discriminator sees, its loss, and the reward it gives.

The generator is SB3's own model on robodrl's batched env (the ``ppo`` / ``trpo`` entries of the
registry, with their hyperparameters under ``generator_hyperparameters``). The learned reward is
computed as each step is taken, from the discriminator of that moment; after each rollout the
discriminator takes ``disc_updates`` steps on minibatches of that rollout's transitions against
the demonstrations, then the generator updates. The episode log keeps the task's true returns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

import numpy as np
import torch
from pydantic import Field
from stable_baselines3.common.vec_env import VecEnvWrapper

from robodrl.algorithms.registry import (
    NO_INPUTS,
    Capabilities,
    Checkpoint,
    Inputs,
    Learner,
    LearnerEntry,
    RunHooks,
)
from robodrl.datasets.demonstrations import Demonstrations
from robodrl.schema import Strict

if TYPE_CHECKING:
    from robodrl.algorithms.sb3.learner import SB3Learner
    from robodrl.config import TrainConfig
    from robodrl.policy import TrainedPolicy


class AdversarialHyperparameters(Strict):
    """The settings every adversarial imitation algorithm takes."""

    generator: Literal["ppo", "trpo"] = "ppo"
    """The SB3 algorithm that learns the policy on the learned reward."""
    generator_hyperparameters: dict[str, Any] = Field(default_factory=dict)
    """The generator's own hyperparameters (as ``algorithm.hyperparameters`` of ppo / trpo)."""
    disc_learning_rate: Annotated[float, Field(gt=0)] = 3e-4
    """Adam step size of the discriminator."""
    disc_batch_size: Annotated[int, Field(ge=1)] = 256
    """Demonstrated and generated transitions per discriminator minibatch (each)."""
    disc_updates: Annotated[int, Field(ge=1)] = 16
    """Discriminator steps after each rollout."""
    disc_net_arch: list[Annotated[int, Field(ge=1)]] = Field(default_factory=lambda: [64, 64])
    """Hidden layers of the discriminator's networks."""
    gradient_penalty: Annotated[float, Field(ge=0)] = 0.0
    """Weight of the gradient penalty on the discriminator (0: off)."""


@dataclass
class Transitions:
    """Raw observations, actions in [-1, 1], next raw observations and whether the step
    terminated the episode (the task's failure, not the time limit), as float32 tensors."""

    obs: torch.Tensor
    actions: torch.Tensor
    next_obs: torch.Tensor
    terminated: torch.Tensor

    def __len__(self) -> int:
        return len(self.obs)

    def sample(self, size: int) -> Transitions:
        """A random minibatch (with replacement), from torch's global generator."""
        rows = torch.randint(len(self), (size,))
        return Transitions(*(part[rows] for part in self.parts()))

    def parts(self) -> tuple[torch.Tensor, ...]:
        return self.obs, self.actions, self.next_obs, self.terminated


def demonstrated_transitions(demos: Demonstrations) -> Transitions:
    """Every demonstrated step as a transition."""
    episodes = demos.episodes
    obs, actions = demos.transitions()
    parts = (
        obs,
        actions,
        np.concatenate([e.observations[1:] for e in episodes]),
        np.concatenate([e.terminations for e in episodes]),
    )
    return Transitions(*(torch.as_tensor(np.asarray(p, dtype=np.float32)) for p in parts))


class RewardModel(torch.nn.Module):
    """A learned reward (an algorithm's discriminator): its loss on minibatches of demonstrated
    and generated transitions, and the reward the generator gets. Observations enter it
    normalized with the demonstrations' mean and std (saved with it)."""

    def __init__(self, obs_dim: int, expert: Transitions | None) -> None:
        super().__init__()
        known = expert is not None
        self.register_buffer("mean", expert.obs.mean(0) if known else torch.zeros(obs_dim))
        self.register_buffer("std", expert.obs.std(0) + 1e-6 if known else torch.ones(obs_dim))

    def normalize(self, obs: torch.Tensor) -> torch.Tensor:
        return (obs - self.mean) / self.std

    def loss(self, expert: Transitions, generated: Transitions) -> torch.Tensor:
        raise NotImplementedError

    def reward(self, steps: Transitions) -> torch.Tensor:
        raise NotImplementedError


class LearnedRewardEnv(VecEnvWrapper):
    """The generator's env: the task's steps with the learned reward in place of the task's,
    every transition kept for the next discriminator update."""

    def __init__(self, venv) -> None:
        super().__init__(venv)
        #: the learned reward of a batch of steps (the learner sets it once it exists)
        self.reward_of: Callable[[Transitions], np.ndarray] | None = None
        self.memory: list[Transitions] = []

    def reset(self) -> np.ndarray:
        return self.venv.reset()

    def step_async(self, actions: np.ndarray) -> None:
        self._before = self.venv.core.last_obs
        self._actions = np.asarray(actions, dtype=np.float32)
        self.venv.step_async(actions)

    def step_wait(self):
        obs, _, dones, infos = self.venv.step_wait()
        next_obs, terminated = obs.copy(), np.zeros(len(obs), dtype=np.float32)
        for i in np.flatnonzero(dones):
            next_obs[i] = infos[i]["terminal_observation"]
            terminated[i] = not infos[i]["TimeLimit.truncated"]
        parts = (self._before, self._actions, next_obs, terminated)
        steps = Transitions(*(torch.as_tensor(np.asarray(p, np.float32)) for p in parts))
        self.memory.append(steps)
        return obs, self.reward_of(steps).astype(np.float32), dones, infos


class AdversarialLearner(Learner):
    """An SB3 generator on a learned reward, with its discriminator, as the run machinery
    drives it. Subclasses set ``hyperparameters`` and build ``self.reward_model``."""

    hyperparameters: ClassVar[type[AdversarialHyperparameters]]

    def __init__(
        self,
        config: TrainConfig,
        generator: SB3Learner,
        expert: Transitions | None,
        inputs: Inputs = NO_INPUTS,
    ) -> None:
        """``expert``: the demonstrations (None: a reward learned before, kept fixed, given in
        ``inputs.reward``)."""
        self.config, self.generator, self.expert = config, generator, expert
        self.inputs = inputs
        self.hp = self.hyperparameters.model_validate(config.algorithm.hyperparameters)
        self.core = generator.core
        self.digest = ""  # sha256 of the demonstrations (set by the entry)
        #: the reward stays as it is (no discriminator updates)
        self.frozen = expert is None
        self.reward_model = self.make_reward_model()
        self.disc_optimizer = torch.optim.Adam(
            self.reward_model.parameters(), lr=self.hp.disc_learning_rate
        )
        self.rewards_env.reward_of = self.learned_reward

    def make_reward_model(self) -> RewardModel:
        """The algorithm's discriminator, on ``self.expert`` (None: statistics loaded later)."""
        raise NotImplementedError

    @property
    def num_timesteps(self) -> int:  # type: ignore[override]
        return self.generator.num_timesteps

    @property
    def rewards_env(self) -> LearnedRewardEnv:
        env = self.generator.vec_env
        while not isinstance(env, LearnedRewardEnv):
            env = env.venv
        return env

    def learned_reward(self, steps: Transitions) -> np.ndarray:
        """The generator's reward for these steps, from the discriminator of this moment."""
        with torch.no_grad():
            return self.reward_model.reward(steps).numpy()

    def learn(self, total_steps: int, hooks: RunHooks) -> None:
        self.generator.learn(total_steps, _Hooks(self, hooks))

    def update_discriminator(self, hooks: RunHooks) -> None:
        """``disc_updates`` steps on the last rollout against the demonstrations."""
        memory = list(self.rewards_env.memory)
        self.rewards_env.memory.clear()
        if self.frozen:
            return
        columns = zip(*(m.parts() for m in memory), strict=True)
        generated = Transitions(*(torch.cat(column) for column in columns))
        size = self.hp.disc_batch_size
        for _ in range(self.hp.disc_updates):
            loss = self.reward_model.loss(self.expert.sample(size), generated.sample(size))
            self.disc_optimizer.zero_grad()
            loss.backward()
            self.disc_optimizer.step()
        hooks.record("train/discriminator_loss", loss.item())

    # -- what the run machinery asks of a learner: the generator's, plus the discriminator ----
    def act(self, obs: np.ndarray) -> np.ndarray:
        return self.generator.act(obs)

    def normalizer_state(self) -> dict[str, Any] | None:
        return self.generator.normalizer_state()

    def rng_state(self) -> dict[str, Any]:
        return self.generator.rng_state()

    def set_log_folder(self, folder: Path) -> None:
        self.generator.set_log_folder(folder)

    def save(self, folder: Path) -> None:
        self.generator.save(folder)
        reward = self.reward_model.state_dict()
        torch.save({"reward": reward, "optimizer": self.disc_optimizer.state_dict()},
                   folder / "reward.pt")  # fmt: skip

    def state(self) -> dict[str, Any]:
        return {**self.generator.state(), "demos_digest": self.digest}

    def load(self, folder: Path, state: dict[str, Any]) -> None:
        from robodrl.algorithms.imitation.supervised import check_same_demos

        check_same_demos(self.config, state["learner"]["demos_digest"], self.digest)
        saved = torch.load(folder / "reward.pt", weights_only=True)
        self.reward_model.load_state_dict(saved["reward"])
        self.disc_optimizer.load_state_dict(saved["optimizer"])


class _Hooks:
    """The run machinery's hooks as the generator calls them: the adversarial learner is the
    one checkpointed and evaluated, and the discriminator updates after each rollout."""

    def __init__(self, learner: AdversarialLearner, hooks: RunHooks) -> None:
        self.learner, self.hooks = learner, hooks

    def rollout_start(self, _generator) -> None:
        self.hooks.rollout_start(self.learner)

    def episodes_done(self, _generator, episodes) -> None:
        self.hooks.episodes_done(self.learner, episodes)

    def rollout_end(self, _generator) -> None:
        self.hooks.rollout_end(self.learner)
        self.learner.update_discriminator(self.hooks)

    def record(self, key: str, value: float) -> None:
        self.hooks.record(key, value)


class AdversarialAlgorithm(LearnerEntry):
    """A registry entry for an :class:`AdversarialLearner` subclass (set ``learner``)."""

    learner: ClassVar[type[AdversarialLearner]]
    capabilities = Capabilities(
        on_policy=True, needs_demonstrations=True, state_independent_log_std=True
    )

    def check_hyperparameters(self, hyperparameters: dict[str, Any]) -> None:
        super().check_hyperparameters(hyperparameters)
        hp = self.learner.hyperparameters.model_validate(hyperparameters)
        try:
            _generator_entry(hp).check_hyperparameters(hp.generator_hyperparameters)
        except ValueError as err:
            raise ValueError(str(err).replace("hyperparameters.", _PREFIX, 1)) from None

    def check_config(self, config: TrainConfig) -> None:
        hp = self.learner.hyperparameters.model_validate(config.algorithm.hyperparameters)
        try:
            _generator_entry(hp).check_config(generator_config(config))
        except ValueError as err:
            raise ValueError(str(err).replace("hyperparameters.", _PREFIX, 1)) from None

    def build(self, config: TrainConfig, inputs: Inputs = NO_INPUTS) -> AdversarialLearner:
        from robodrl.algorithms.sb3.build import build_model
        from robodrl.algorithms.sb3.learner import SB3Learner

        hp = self.learner.hyperparameters.model_validate(config.algorithm.hyperparameters)
        env = _generator_env(config)
        generator = SB3Learner(
            build_model(generator_config(config), env, _generator_entry(hp).sb3_class())
        )
        return self._learner(config, generator, inputs)

    def restore(
        self, config: TrainConfig, checkpoint: Checkpoint, inputs: Inputs = NO_INPUTS
    ) -> AdversarialLearner:
        hp = self.learner.hyperparameters.model_validate(config.algorithm.hyperparameters)
        generator = _generator_entry(hp)._load(
            generator_config(config), checkpoint, _generator_env(config)
        )
        learner = self._learner(config, generator, inputs)
        learner.load(checkpoint.folder, checkpoint.state)
        return learner

    def _learner(
        self, config: TrainConfig, generator: SB3Learner, inputs: Inputs
    ) -> AdversarialLearner:
        """The algorithm's learner on ``generator``, with the config's demonstrations."""
        from robodrl.algorithms.imitation.supervised import load_demos_for

        if config.demos is None:
            return self.learner(config, generator, None, inputs)
        demos = load_demos_for(config, generator.core)
        learner = self.learner(config, generator, demonstrated_transitions(demos), inputs)
        learner.digest = demos.digest
        return learner

    def load_policy(self, config: TrainConfig, checkpoint: Checkpoint) -> TrainedPolicy:
        from dataclasses import replace

        hp = self.learner.hyperparameters.model_validate(config.algorithm.hyperparameters)
        entry = _generator_entry(hp)
        policy = entry.load_policy(generator_config(config), checkpoint)
        return replace(policy, algorithm=self.name)


_PREFIX = "hyperparameters.generator_hyperparameters."


def _generator_entry(hp: AdversarialHyperparameters):
    from robodrl.algorithms.registry import get_algorithm

    return get_algorithm(hp.generator)


def generator_config(config: TrainConfig) -> TrainConfig:
    """The config as the generator sees it: its SB3 algorithm and hyperparameters."""
    hp = config.algorithm.hyperparameters  # the generator's were checked with the config's
    algorithm = config.algorithm.model_copy(
        update={
            "name": hp.get("generator", "ppo"),
            "hyperparameters": hp.get("generator_hyperparameters", {}),
        }
    )
    return config.model_copy(update={"algorithm": algorithm})


def _generator_env(config: TrainConfig):
    """The generator's env: the task, the learned reward, then the observation normalizer."""
    from robodrl.algorithms.sb3.build import normalized, task_env

    return normalized(config, LearnedRewardEnv(task_env(config)))
