"""Vanilla policy gradient: REINFORCE with a learned value baseline and GAE(λ) advantages.

robodrl's own algorithm, written top to bottom in the CleanRL manner on robodrl's shared
pieces (the batched core, :mod:`~robodrl.algorithms.gae`, the running observation normalizer,
:mod:`~robodrl.algorithms.networks`). Each iteration: collect ``n_steps`` control steps from
every simulation with the stochastic Gaussian policy; estimate advantages with GAE against the
critic; take ONE gradient step of ``-E[log π(a|s) · A]`` on the policy (no clipping, no
epochs: the plain policy gradient); fit the critic to the returns for ``value_epochs``.
References: Williams (1992); Sutton et al. (2000); Schulman et al. (2016) for GAE.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple

import numpy as np
import torch
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from torch import nn

from robodrl.algorithms.gae import gae
from robodrl.algorithms.networks import layers_of, mlp
from robodrl.algorithms.normalizer import RunningNormalizer
from robodrl.algorithms.registry import Algorithm, Capabilities, Learner, RunHooks
from robodrl.envs.episodes import EpisodeTracker
from robodrl.errors import format_validation_error
from robodrl.make import make_core
from robodrl.policy import ActorNetwork, TrainedPolicy, network_input

if TYPE_CHECKING:
    from robodrl.config import TrainConfig

Probability = Annotated[float, Field(ge=0, le=1)]


class VPGHyperparameters(BaseModel):
    """``algorithm.hyperparameters`` of ``vpg`` (names as in the papers / CleanRL)."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)

    n_steps: Annotated[int, Field(ge=1)] = 64
    """Control steps collected from every simulation per iteration."""
    learning_rate: Annotated[float, Field(gt=0)] = 3e-4
    """Adam step size of the policy (one step per iteration)."""
    value_learning_rate: Annotated[float, Field(gt=0)] = 1e-3
    """Adam step size of the critic."""
    value_epochs: Annotated[int, Field(ge=1)] = 5
    """Passes over the rollout fitting the critic to the returns."""
    value_batch_size: Annotated[int, Field(ge=1)] = 256
    """Minibatch size of the critic's passes."""
    gamma: Probability = 0.99
    """Discount factor."""
    gae_lambda: Probability = 0.95
    """GAE's λ: 0 is one-step TD, 1 is the Monte-Carlo return minus the baseline."""
    normalize_advantages: bool = True
    """Scale advantages to zero mean, unit std per iteration."""
    max_grad_norm: Annotated[float, Field(gt=0)] = 0.5
    """Clip of the gradient's global norm, both networks."""


class Rollout(NamedTuple):
    """One iteration's experience, ``(n_steps, num_envs, ...)``: the policy's (normalized)
    observations, its sampled actions, rewards (time-limit bootstrap included), episode ends,
    and the critic's values."""

    obs: torch.Tensor
    actions: torch.Tensor
    rewards: torch.Tensor
    dones: torch.Tensor
    values: torch.Tensor


class Agent(nn.Module):
    """Gaussian policy (mean network, state-independent log std) and value network."""

    def __init__(self, obs_dim: int, act_dim: int, config: TrainConfig) -> None:
        super().__init__()
        hidden = config.policy.net_arch
        pi, vf = (hidden["pi"], hidden["vf"]) if isinstance(hidden, dict) else (hidden, hidden)
        activation = config.policy.activation
        self.actor = mlp([obs_dim, *pi, act_dim], activation, output_gain=0.01)
        self.critic = mlp([obs_dim, *vf, 1], activation, output_gain=1.0)
        log_std = config.policy.log_std_init if config.policy.log_std_init is not None else 0.0
        self.log_std = nn.Parameter(torch.full((act_dim,), float(log_std)))

    def distribution(self, obs: torch.Tensor) -> torch.distributions.Normal:
        return torch.distributions.Normal(self.actor(obs), self.log_std.exp())

    def value(self, obs: torch.Tensor) -> torch.Tensor:
        return self.critic(obs).squeeze(-1)


class VPGLearner(Learner):
    """VPG on a batched core, as the run machinery drives it."""

    def __init__(self, config: TrainConfig) -> None:
        env = config.env
        self.config = config
        self.hp = VPGHyperparameters.model_validate(config.algorithm.hyperparameters)
        self.core = make_core(
            env.id,
            env.num_envs,
            num_threads=env.num_threads,
            seed=config.seed,
            randomization=env.randomization,
            perturbations=env.perturbations,
            **env.task,
        )
        torch.manual_seed(config.seed)
        self.agent = Agent(self.core.obs_dim, self.core.action_dim, config)
        self.policy_optimizer = torch.optim.Adam(
            [*self.agent.actor.parameters(), self.agent.log_std], lr=self.hp.learning_rate
        )
        self.value_optimizer = torch.optim.Adam(
            self.agent.critic.parameters(), lr=self.hp.value_learning_rate
        )
        settings = config.normalize
        self.normalizer = (
            RunningNormalizer(self.core.obs_dim, clip=settings.clip, epsilon=settings.epsilon)
            if settings.observations
            else None
        )
        self.episodes = EpisodeTracker(self.core.num_envs, self.core.task.reward_names)
        self.num_timesteps = 0
        self.obs = self.core.reset()  # raw observations of the running episodes
        if self.normalizer is not None:
            self.normalizer.update(self.obs)

    def _policy_input(self, raw: np.ndarray) -> torch.Tensor:
        stats = None if self.normalizer is None else self.normalizer.statistics()
        return torch.as_tensor(network_input(raw, stats))

    # -- the algorithm -------------------------------------------------------------------------
    def learn(self, total_steps: int, hooks: RunHooks) -> None:
        while self.num_timesteps < total_steps:
            hooks.rollout_start(self)
            rollout = self._collect(hooks)
            hooks.rollout_end(self)
            self._update(rollout, hooks)

    def _collect(self, hooks: RunHooks) -> Rollout:
        """n_steps control steps of every simulation with the stochastic policy."""
        hp, core, agent = self.hp, self.core, self.agent
        steps: list[tuple[torch.Tensor, ...]] = []
        for _ in range(hp.n_steps):
            obs = self._policy_input(self.obs)
            with torch.no_grad():
                action = agent.distribution(obs).sample()
                value = agent.value(obs)
            next_obs, env_reward, terminated, truncated, info = core.step(
                action.clamp(-1.0, 1.0).numpy()
            )
            reward = env_reward.copy()
            timeout = truncated & ~terminated  # the time limit is not the task's: bootstrap
            if timeout.any():
                final = self._policy_input(info["final_obs"][timeout])
                with torch.no_grad():
                    reward[timeout] += hp.gamma * agent.value(final).numpy()
            done = terminated | truncated
            finished = self.episodes.update(env_reward, done, info)
            if finished:
                hooks.episodes_done(self, finished)
            reward_t = torch.as_tensor(reward, dtype=torch.float32)
            steps.append((obs, action, reward_t, torch.as_tensor(done), value))
            self.obs = next_obs
            if self.normalizer is not None:
                self.normalizer.update(next_obs)
            self.num_timesteps += core.num_envs
        obs, actions, rewards, dones, values = (
            torch.stack(column) for column in zip(*steps, strict=True)
        )
        return Rollout(obs, actions, rewards, dones, values)

    def _update(self, rollout: Rollout, hooks: RunHooks) -> None:
        """GAE advantages, one policy-gradient step, the critic's regression."""
        hp, agent = self.hp, self.agent
        # advantages: GAE(lambda) against the critic
        with torch.no_grad():
            last_value = agent.value(self._policy_input(self.obs))
        advantages, returns = gae(
            rollout.rewards,
            rollout.values,
            rollout.dones,
            last_value,
            gamma=hp.gamma,
            lam=hp.gae_lambda,
        )
        obs, actions = rollout.obs.flatten(0, 1), rollout.actions.flatten(0, 1)
        advantages, returns = advantages.flatten(), returns.flatten()
        if hp.normalize_advantages:
            advantages = (advantages - advantages.mean()) / (advantages.std() + 1e-8)

        # policy: one gradient step of -E[log pi(a|s) * A]
        log_prob = agent.distribution(obs).log_prob(actions).sum(-1)
        policy_loss = -(log_prob * advantages).mean()
        self.policy_optimizer.zero_grad()
        policy_loss.backward()
        nn.utils.clip_grad_norm_([*agent.actor.parameters(), agent.log_std], hp.max_grad_norm)
        self.policy_optimizer.step()

        # critic: regression on the returns, value_epochs passes of minibatches
        for _ in range(hp.value_epochs):
            for batch in torch.randperm(len(returns)).split(hp.value_batch_size):
                value_loss = (agent.value(obs[batch]) - returns[batch]).pow(2).mean()
                self.value_optimizer.zero_grad()
                value_loss.backward()
                nn.utils.clip_grad_norm_(agent.critic.parameters(), hp.max_grad_norm)
                self.value_optimizer.step()

        hooks.record("train/policy_loss", policy_loss.item())
        hooks.record("train/value_loss", value_loss.item())
        hooks.record("train/std", agent.log_std.exp().mean().item())

    def act(self, obs: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            mean = self.agent.actor(self._policy_input(np.asarray(obs)))
        return np.clip(mean.numpy(), -1.0, 1.0)

    # -- checkpoints ---------------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        torch.save(
            {
                "agent": self.agent.state_dict(),
                "policy_optimizer": self.policy_optimizer.state_dict(),
                "value_optimizer": self.value_optimizer.state_dict(),
            },
            folder / "model.pt",
        )

    def normalizer_state(self) -> dict[str, Any] | None:
        return None if self.normalizer is None else self.normalizer.state_dict()

    def state(self) -> dict[str, Any]:
        return {
            "env": self.core.state_dict(),
            "episodes": self.episodes.state_dict(),
            "obs": self.obs.tolist(),
            "num_timesteps": self.num_timesteps,
        }

    def load(self, folder: Path, state: dict[str, Any], normalizer: dict | None) -> None:
        """Put a verified checkpoint in place (weights, optimizers, env, statistics)."""
        saved = torch.load(folder / "model.pt", weights_only=True)
        self.agent.load_state_dict(saved["agent"])
        self.policy_optimizer.load_state_dict(saved["policy_optimizer"])
        self.value_optimizer.load_state_dict(saved["value_optimizer"])
        if self.normalizer is not None and normalizer is not None:
            self.normalizer.load_state_dict(normalizer)
        learner = state["learner"]
        self.core.load_state_dict(learner["env"])
        self.episodes.load_state_dict(learner["episodes"])
        self.obs = np.asarray(learner["obs"], dtype=np.float32)
        self.num_timesteps = int(learner["num_timesteps"])


class VPGAlgorithm(Algorithm):
    """The registry entry of ``vpg``."""

    name = "vpg"
    capabilities = Capabilities(on_policy=True, state_independent_log_std=True)
    description = "vanilla policy gradient with a learned baseline and GAE (robodrl)"

    def hyperparameter_names(self) -> list[str]:
        return sorted(VPGHyperparameters.model_fields)

    def check_hyperparameters(self, hyperparameters: dict[str, Any]) -> None:
        super().check_hyperparameters(hyperparameters)
        try:
            VPGHyperparameters.model_validate(hyperparameters)
        except ValidationError as err:
            raise ValueError(format_validation_error(err, prefix="hyperparameters")) from None

    def build(self, config: TrainConfig) -> VPGLearner:
        return VPGLearner(config)

    def restore(
        self, config: TrainConfig, folder: Path, state: dict[str, Any], normalizer: dict | None
    ) -> VPGLearner:
        learner = VPGLearner(config)
        learner.load(folder, state, normalizer)
        return learner

    def load_policy(
        self, config: TrainConfig, folder: Path, state: dict[str, Any], normalizer: dict | None
    ) -> TrainedPolicy:
        core = make_core(config.env.id, 1, **config.env.task)
        agent = Agent(core.obs_dim, core.action_dim, config)
        agent.load_state_dict(torch.load(folder / "model.pt", weights_only=True)["agent"])

        def action(obs: np.ndarray) -> np.ndarray:
            with torch.no_grad():
                return agent.actor(torch.as_tensor(network_input(obs, normalizer))).numpy()

        return TrainedPolicy(
            env_id=config.env.id,
            task_arguments=dict(config.env.task),
            obs_dim=core.obs_dim,
            act_dim=core.action_dim,
            algorithm=self.name,
            training_steps=int(state["num_timesteps"]),
            checkpoint=folder,
            network=ActorNetwork(layers_of([agent.actor]), squash=False, normalizer=normalizer),
            action=action,
        )


VPG = VPGAlgorithm()
