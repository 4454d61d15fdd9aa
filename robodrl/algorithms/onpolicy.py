"""What robodrl's own on-policy algorithms share: the Gaussian agent, rollout collection on the
batched core (time-limit bootstrap, running observation statistics, episode logs, the critic's
own observations when it is privileged), checkpoints, and the registry entry. Each algorithm
(``vpg.py``, ``ppo.py``) adds its hyperparameters, its optimizers and its update, and reads top
to bottom in its own file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

import numpy as np
import torch
from pydantic import BaseModel
from torch import nn

from robodrl.algorithms.networks import actor_policy, mlp
from robodrl.algorithms.normalizer import RunningNormalizer
from robodrl.algorithms.registry import Capabilities, Checkpoint, Learner, LearnerEntry, RunHooks
from robodrl.envs.episodes import EpisodeTracker
from robodrl.envs.privileged import PrivilegedView
from robodrl.make import make_training_core
from robodrl.policy import TrainedPolicy, network_input

if TYPE_CHECKING:
    from robodrl.config import TrainConfig
    from robodrl.envs.core import BatchedEnv


class Rollout(NamedTuple):
    """One iteration's experience, ``(n_steps, num_envs, ...)``: the raw and the policy's
    (normalized) observations, its sampled actions and their log-probabilities, rewards
    (time-limit bootstrap included), episode ends, the critic's values, and the critic's own
    (normalized) observations when it is privileged."""

    raw_obs: torch.Tensor
    obs: torch.Tensor
    actions: torch.Tensor
    log_probs: torch.Tensor
    rewards: torch.Tensor
    dones: torch.Tensor
    values: torch.Tensor
    critic_obs: torch.Tensor | None = None

    @property
    def critic_inputs(self) -> torch.Tensor:
        """What the critic saw at each step: its own observations, or the policy's."""
        return self.obs if self.critic_obs is None else self.critic_obs


class Agent(nn.Module):
    """Gaussian policy (mean network, state-independent log std) and value network."""

    def __init__(
        self, obs_dim: int, act_dim: int, config: TrainConfig, critic_dim: int | None = None
    ) -> None:
        """``critic_dim``: the critic's input size when it sees more than the actor."""
        super().__init__()
        hidden = config.policy.net_arch
        pi, vf = (hidden["pi"], hidden["vf"]) if isinstance(hidden, dict) else (hidden, hidden)
        activation = config.policy.activation
        self.actor = mlp([obs_dim, *pi, act_dim], activation, output_gain=0.01)
        self.critic = mlp([critic_dim or obs_dim, *vf, 1], activation, output_gain=1.0)
        log_std = config.policy.log_std_init if config.policy.log_std_init is not None else 0.0
        self.log_std = nn.Parameter(torch.full((act_dim,), float(log_std)))

    def distribution(self, obs: torch.Tensor) -> torch.distributions.Normal:
        return torch.distributions.Normal(self.actor(obs), self.log_std.exp())

    def value(self, obs: torch.Tensor) -> torch.Tensor:
        return self.critic(obs).squeeze(-1)

    def value_loss(self, obs: torch.Tensor, returns: torch.Tensor) -> torch.Tensor:
        """The critic's regression loss towards ``returns``."""
        return (self.value(obs) - returns).pow(2).mean()

    def fit_value_targets(self, returns: torch.Tensor) -> None:
        """See an update's value targets before it starts (a critic normalizing its targets
        folds them into its statistics)."""


class OnPolicyLearner(Learner):
    """An on-policy algorithm on a batched core: subclasses set ``self.optimizers`` (name →
    optimizer, saved in checkpoints) in ``__init__`` and implement :meth:`update`."""

    hyperparameters: ClassVar[type[BaseModel]]

    def __init__(self, config: TrainConfig, core: BatchedEnv | None = None) -> None:
        """``core``: learn on this env (one player's side of a game) instead of the config's."""
        self.config = config
        self.hp = self.hyperparameters.model_validate(config.algorithm.hyperparameters)
        self.core = core or make_training_core(config)
        #: the critic's own view of the simulations, when it is privileged
        self.privileged = (
            PrivilegedView(self.core, where="algorithm.hyperparameters.critic_observations")
            if self.privileged_critic()
            else None
        )
        torch.manual_seed(config.seed)
        self.agent = self.make_agent(config)
        self.optimizers: dict[str, torch.optim.Optimizer] = {}
        settings = config.normalize

        def normalizer(size: int) -> RunningNormalizer | None:
            if not settings.observations:
                return None
            return RunningNormalizer(size, clip=settings.clip, epsilon=settings.epsilon)

        self.normalizer = normalizer(self.core.obs_dim)
        view = self.privileged
        self.critic_normalizer = None if view is None else normalizer(view.dim)
        self.episodes = EpisodeTracker(self.core.num_envs, self.core.task.reward_names)
        #: simulations stepped per control step (fewer than rows when rows are a team's agents)
        self.simulations = getattr(self.core, "num_simulations", self.core.num_envs)
        self.num_timesteps = 0
        self.obs = self.core.reset()  # raw observations of the running episodes
        if self.normalizer is not None:
            self.normalizer.update(self.obs)
        self.critic_obs = None if self.privileged is None else self.privileged.observe()
        if self.critic_normalizer is not None:
            self.critic_normalizer.update(self.critic_obs)

    def privileged_critic(self) -> bool:
        """Whether the critic sees the simulations' true state (see ``envs.privileged``)."""
        return False

    def make_agent(self, config: TrainConfig) -> Agent:
        """The networks to train (the Gaussian agent on the core's observations)."""
        critic_dim = None if self.privileged is None else self.privileged.dim
        return Agent(self.core.obs_dim, self.core.action_dim, config, critic_dim)

    def policy_input(self, raw: np.ndarray) -> torch.Tensor:
        """Raw observations as the networks take them (normalized with the running stats)."""
        stats = None if self.normalizer is None else self.normalizer.statistics()
        return torch.as_tensor(network_input(raw, stats))

    def critic_input(self, raw: np.ndarray) -> torch.Tensor:
        """The privileged critic's raw observations as it takes them."""
        stats = None if self.critic_normalizer is None else self.critic_normalizer.statistics()
        return torch.as_tensor(network_input(raw, stats))

    def learn(self, total_steps: int, hooks: RunHooks) -> None:
        while self.num_timesteps < total_steps:
            hooks.rollout_start(self)
            rollout = self.collect(self.hp.n_steps, hooks)
            hooks.rollout_end(self)
            self.update(rollout, hooks, progress=self.num_timesteps / total_steps)

    def update(self, rollout: Rollout, hooks: RunHooks, *, progress: float) -> None:
        """Improve the agent from one rollout (``progress``: fraction of the budget done)."""
        raise NotImplementedError

    def collect(self, n_steps: int, hooks: RunHooks) -> Rollout:
        """``n_steps`` control steps of every simulation with the stochastic policy."""
        core, agent, gamma, view = self.core, self.agent, self.hp.gamma, self.privileged
        steps: list[tuple[torch.Tensor, ...]] = []
        for _ in range(n_steps):
            obs = self.policy_input(self.obs)
            critic = obs if view is None else self.critic_input(self.critic_obs)
            with torch.no_grad():
                distribution = agent.distribution(obs)
                action = distribution.sample()
                log_prob = distribution.log_prob(action).sum(-1)
                value = agent.value(critic)
            next_obs, env_reward, terminated, truncated, info = core.step(
                action.clamp(-1.0, 1.0).numpy()
            )
            reward = env_reward.copy()
            timeout = truncated & ~terminated  # the time limit is not the task's: bootstrap
            if timeout.any():
                with torch.no_grad():
                    reward[timeout] += gamma * agent.value(self.final_input(info, timeout)).numpy()
            done = terminated | truncated
            finished = self.episodes.update(env_reward, done, info)
            if finished:
                hooks.episodes_done(self, finished)
            reward_t = torch.as_tensor(reward, dtype=torch.float32)
            raw = torch.as_tensor(self.obs)
            step = (raw, obs, action, log_prob, reward_t, torch.as_tensor(done), value)
            steps.append(step if view is None else (*step, critic))
            self.obs = next_obs
            if self.normalizer is not None:
                self.normalizer.update(next_obs)
            if view is not None:
                self.critic_obs = view.observe()
                if self.critic_normalizer is not None:
                    self.critic_normalizer.update(self.critic_obs)
            self.num_timesteps += self.simulations
        return Rollout(*(torch.stack(column) for column in zip(*steps, strict=True)))

    def final_input(self, info: dict[str, Any], ended: np.ndarray) -> torch.Tensor:
        """The critic's input for the last state of the episodes ``ended`` in this step."""
        if self.privileged is None:
            return self.policy_input(info["final_obs"][ended])
        return self.critic_input(self.privileged.final[ended])

    def last_value(self) -> torch.Tensor:
        """The critic's value of the observations after the rollout (GAE's bootstrap)."""
        with torch.no_grad():
            if self.privileged is not None:
                return self.agent.value(self.critic_input(self.critic_obs))
            return self.agent.value(self.policy_input(self.obs))

    def act(self, obs: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            mean = self.agent.actor(self.policy_input(np.asarray(obs)))
        return np.clip(mean.numpy(), -1.0, 1.0)

    # -- one player of a game (rarl) -----------------------------------------------------------
    def sample(self, obs: np.ndarray) -> np.ndarray:
        """Stochastic actions in [-1, 1] for raw observations, as in its rollouts."""
        with torch.no_grad():
            action = self.agent.distribution(self.policy_input(np.asarray(obs))).sample()
        return action.clamp(-1.0, 1.0).numpy()

    def observe(self, obs: np.ndarray, episode_starts: np.ndarray) -> None:
        """Continue from these raw observations (the game moved on while others played)."""
        self.obs = np.asarray(obs, dtype=np.float32).copy()

    def play_iteration(self, hooks: RunHooks, progress: float) -> None:
        """One iteration, a rollout and an update, as one player of a game."""
        self.update(self.collect(self.hp.n_steps, hooks), hooks, progress=progress)

    # -- checkpoints ---------------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        saved = {name: opt.state_dict() for name, opt in self.optimizers.items()}
        torch.save({"agent": self.agent.state_dict(), **saved}, folder / "model.pt")

    def normalizer_state(self) -> dict[str, Any] | None:
        return None if self.normalizer is None else self.normalizer.state_dict()

    def state(self) -> dict[str, Any]:
        state = {
            "env": self.core.state_dict(),
            "episodes": self.episodes.state_dict(),
            "obs": self.obs.tolist(),
            "num_timesteps": self.num_timesteps,
        }
        if self.privileged is not None:
            state["critic_obs"] = self.critic_obs.tolist()
        if self.critic_normalizer is not None:
            state["critic_normalizer"] = self.critic_normalizer.state_dict()
        return state

    def load(self, folder: Path, state: dict[str, Any], normalizer: dict | None) -> None:
        """Put a verified checkpoint in place (weights, optimizers, env, statistics)."""
        saved = torch.load(folder / "model.pt", weights_only=True)
        self.agent.load_state_dict(saved["agent"])
        for name, optimizer in self.optimizers.items():
            optimizer.load_state_dict(saved[name])
        if self.normalizer is not None and normalizer is not None:
            self.normalizer.load_state_dict(normalizer)
        learner = state["learner"]
        self.core.load_state_dict(learner["env"])
        self.episodes.load_state_dict(learner["episodes"])
        self.obs = np.asarray(learner["obs"], dtype=np.float32)
        self.num_timesteps = int(learner["num_timesteps"])
        if self.privileged is not None:
            self.critic_obs = np.asarray(learner["critic_obs"], dtype=np.float32)
        if self.critic_normalizer is not None:
            self.critic_normalizer.load_state_dict(learner["critic_normalizer"])


class OnPolicyAlgorithm(LearnerEntry):
    """A registry entry for an :class:`OnPolicyLearner` subclass (set ``learner``)."""

    learner: ClassVar[type[OnPolicyLearner]]
    capabilities = Capabilities(on_policy=True, state_independent_log_std=True, player=True)

    def build_player(self, config: TrainConfig, core: Any) -> OnPolicyLearner:
        return self.learner(config, core)

    def restore_player(
        self, config: TrainConfig, checkpoint: Checkpoint, core: Any
    ) -> OnPolicyLearner:
        learner = self.learner(config, core)
        learner.load(*checkpoint)
        return learner

    def load_policy(self, config: TrainConfig, checkpoint: Checkpoint) -> TrainedPolicy:
        """The actor of ``folder``'s ``model.pt`` (its sizes read from the weights)."""
        folder, state, normalizer = checkpoint
        weights = torch.load(folder / "model.pt", weights_only=True)["agent"]
        actor, critic = (
            next(key for key in weights if key.startswith(f"{net}.") and key.endswith("weight"))
            for net in ("actor", "critic")
        )
        obs_dim, act_dim = weights[actor].shape[1], weights["log_std"].shape[0]
        agent = Agent(obs_dim, act_dim, config, critic_dim=weights[critic].shape[1])
        agent.load_state_dict(weights)
        return actor_policy(
            agent.actor, normalizer, config=config, algorithm=self.name, folder=folder, state=state
        )
