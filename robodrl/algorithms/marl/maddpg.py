"""MADDPG: deterministic decentralized actors, a centralized critic, learned off-policy.

One deterministic actor is shared by the team's agents (each agent's row: its own observation,
padded, and its one-hot id; tanh on the output), and the critic Q(s, a) sees the global state
(the robot's observation) and every agent's action. Robodrl's teams are cooperative with one
team reward, so MADDPG's per-agent critics Q_i(s, a_1..a_N) are all the same function: one
critic serves every agent, and each agent's policy gradient flows through its own actions in
``a``. With ``twin_critics`` the critic update is TD3's (two critics, the minimum in the target,
target policy smoothing, the actors updated every ``policy_delay`` critic updates).

Each control step of the simulations adds one transition per simulation to the replay buffer
(:mod:`robodrl.algorithms.buffer`); after ``learning_starts`` env steps of uniformly random
actions, the actors explore with Gaussian noise and ``gradient_steps`` updates follow each
control step. Observations are normalized with running statistics of the robot's observation,
applied when a batch is sampled. References: Lowe et al., "Multi-agent actor-critic for mixed
cooperative-competitive environments" (2017); Fujimoto et al. (2018) for TD3.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import numpy as np
import torch
from pydantic import Field
from torch import nn

from robodrl.algorithms.buffer import ReplayBuffer
from robodrl.algorithms.marl.ippo import team_rows
from robodrl.algorithms.marl.members import team_policy
from robodrl.algorithms.networks import mlp
from robodrl.algorithms.normalizer import RunningNormalizer
from robodrl.algorithms.registry import Capabilities, Checkpoint, Learner, LearnerEntry, RunHooks
from robodrl.envs.episodes import EpisodeTracker
from robodrl.policy import TrainedPolicy, network_input
from robodrl.schema import Probability, Strict

if TYPE_CHECKING:
    from robodrl.config import TrainConfig


class MADDPGHyperparameters(Strict):
    """``algorithm.hyperparameters`` of ``maddpg`` (names as in SB3's DDPG / TD3)."""

    learning_rate: Annotated[float, Field(gt=0)] = 1e-3
    """Adam step size of the actor and the critic."""
    buffer_size: Annotated[int, Field(ge=1)] = 1_000_000
    """Transitions kept (one per simulation and control step)."""
    learning_starts: Annotated[int, Field(ge=0)] = 10_000
    """Env steps of uniformly random actions before learning starts."""
    batch_size: Annotated[int, Field(ge=1)] = 256
    """Transitions per update."""
    gamma: Probability = 0.99
    """Discount factor."""
    tau: Probability = 0.005
    """Polyak step of the target networks."""
    exploration_noise: Annotated[float, Field(ge=0)] = 0.1
    """Std of the Gaussian noise on the actors' actions (action units, [-1, 1])."""
    gradient_steps: Annotated[int, Field(ge=1)] = 1
    """Updates after each control step of all simulations."""
    twin_critics: bool = False
    """TD3's critic: two critics, target smoothing, delayed actor updates."""
    policy_delay: Annotated[int, Field(ge=1)] = 2
    """With twin critics: critic updates per actor update."""
    target_noise: Annotated[float, Field(ge=0)] = 0.2
    """With twin critics: std of the target policy's smoothing noise."""
    noise_clip: Annotated[float, Field(ge=0)] = 0.5
    """With twin critics: clip of that noise."""


class MADDPGLearner(Learner):
    """MADDPG on a team's batched core, as the run machinery drives it."""

    hyperparameters = MADDPGHyperparameters

    def __init__(self, config: TrainConfig) -> None:
        self.config = config
        hp = self.hp = MADDPGHyperparameters.model_validate(config.algorithm.hyperparameters)
        self.rows = team_rows(config, config.env.num_envs, config.seed, with_state=False)
        self.core = self.rows  # what the run machinery reads (reward names, randomizer)
        robot = self.robot = self.rows.team.core  # stepped with the team's joint action
        torch.manual_seed(config.seed)
        self.actor, self.critics = build_networks(self.rows, config, twin=hp.twin_critics)
        self.actor_target = copy.deepcopy(self.actor)
        self.critic_targets = copy.deepcopy(self.critics)
        self.optimizers = {
            "actor_optimizer": torch.optim.Adam(self.actor.parameters(), lr=hp.learning_rate),
            "critic_optimizer": torch.optim.Adam(self.critics.parameters(), lr=hp.learning_rate),
        }
        self.buffer = ReplayBuffer(hp.buffer_size, robot.obs_dim, robot.action_dim)
        settings = config.normalize
        self.normalizer = (
            RunningNormalizer(robot.obs_dim, clip=settings.clip, epsilon=settings.epsilon)
            if settings.observations
            else None
        )
        self.episodes = EpisodeTracker(robot.num_envs, robot.task.reward_names)
        # each agent's actuators in the robot's action: the actor's outputs, agent by agent
        owned = np.concatenate([layout.actuators for layout in self.rows.team.layouts.values()])
        self.to_robot = torch.as_tensor(np.argsort(owned))
        self.num_timesteps, self.updates = 0, 0
        self.obs = robot.reset()  # raw observations of the running episodes
        if self.normalizer is not None:
            self.normalizer.update(self.obs)

    def state_input(self, raw: np.ndarray) -> np.ndarray:
        """Raw robot observations as the networks take them (normalized)."""
        stats = None if self.normalizer is None else self.normalizer.statistics()
        return network_input(raw, stats)

    def team_action(self, actor: nn.Module, state: np.ndarray) -> torch.Tensor:
        """The robot's action from every agent's actor output (normalized states in)."""
        rows = self.rows
        out = actor(torch.as_tensor(rows.rows(state)))
        per_agent = out.reshape(len(state), rows.num_agents, rows.action_dim)
        sizes = rows.team.action_dims.values()
        parts = [per_agent[:, i, :size] for i, size in enumerate(sizes)]
        return torch.cat(parts, dim=1)[:, self.to_robot]

    def learn(self, total_steps: int, hooks: RunHooks) -> None:
        hp, robot = self.hp, self.robot
        while self.num_timesteps < total_steps:
            hooks.rollout_start(self)
            # act: uniform random actions at first, then the actors plus Gaussian noise
            shape = (robot.num_envs, robot.action_dim)
            if self.num_timesteps < hp.learning_starts:
                action = torch.rand(shape) * 2.0 - 1.0
            else:
                with torch.no_grad():
                    action = self.team_action(self.actor, self.state_input(self.obs))
                action = (action + hp.exploration_noise * torch.randn(shape)).clamp(-1.0, 1.0)
            action = action.numpy()
            next_obs, reward, terminated, truncated, info = robot.step(action)

            # store: a finished episode's transition lands on its last observation
            done = terminated | truncated
            landing = next_obs.copy()
            if done.any():
                landing[done] = info["final_obs"][done]
            self.buffer.add(self.obs, action, reward, landing, terminated)
            finished = self.episodes.update(reward, done, info)
            if finished:
                hooks.episodes_done(self, finished)
            self.obs = next_obs
            if self.normalizer is not None:
                self.normalizer.update(next_obs)
            self.num_timesteps += robot.num_envs
            hooks.rollout_end(self)

            if self.num_timesteps >= hp.learning_starts:
                for _ in range(hp.gradient_steps):
                    self.update(hooks)

    def update(self, hooks: RunHooks) -> None:
        """One critic step towards the TD target; the actors' step (delayed with twins)."""
        hp = self.hp
        obs, actions, rewards, next_obs, terminated = self.buffer.sample(hp.batch_size)
        state, next_state = self.state_input(obs), self.state_input(next_obs)
        state_t, next_state_t = torch.as_tensor(state), torch.as_tensor(next_state)
        actions_t = torch.as_tensor(actions)

        # the critic's target: r + gamma (1 - terminated) min_j Q'_j(s', mu'(s'))
        with torch.no_grad():
            next_action = self.team_action(self.actor_target, next_state)
            if hp.twin_critics:
                noise = torch.randn_like(next_action) * hp.target_noise
                next_action = (next_action + noise.clamp(-hp.noise_clip, hp.noise_clip)).clamp(
                    -1.0, 1.0
                )
            next_input = torch.cat([next_state_t, next_action], dim=1)
            next_q = torch.stack([q(next_input) for q in self.critic_targets]).min(0).values
            target = (
                torch.as_tensor(rewards)[:, None]
                + hp.gamma * (1.0 - torch.as_tensor(terminated)[:, None]) * next_q
            )
        taken = torch.cat([state_t, actions_t], dim=1)
        critic_loss = sum((q(taken) - target).pow(2).mean() for q in self.critics)
        self._step("critic_optimizer", critic_loss)
        self.updates += 1
        hooks.record("train/critic_loss", critic_loss.item())

        # the actors: ascend Q(s, μ(s)) through every agent's actions; then the targets
        if hp.twin_critics and self.updates % hp.policy_delay:
            return
        chosen = torch.cat([state_t, self.team_action(self.actor, state)], dim=1)
        actor_loss = -self.critics[0](chosen).mean()
        self._step("actor_optimizer", actor_loss)
        with torch.no_grad():
            for net, target_net in ((self.actor, self.actor_target),
                                    (self.critics, self.critic_targets)):  # fmt: skip
                for param, target_param in zip(
                    net.parameters(), target_net.parameters(), strict=True
                ):
                    target_param.lerp_(param, hp.tau)
        hooks.record("train/actor_loss", actor_loss.item())

    def _step(self, name: str, loss: torch.Tensor) -> None:
        optimizer = self.optimizers[name]
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    def act(self, obs: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return self.team_action(self.actor, self.state_input(np.asarray(obs))).numpy()

    # -- checkpoints ---------------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        networks = {
            "actor": self.actor.state_dict(),
            "critics": self.critics.state_dict(),
            "actor_target": self.actor_target.state_dict(),
            "critic_targets": self.critic_targets.state_dict(),
        }
        optimizers = {name: opt.state_dict() for name, opt in self.optimizers.items()}
        torch.save({**networks, **optimizers}, folder / "model.pt")
        self.buffer.save(folder / "replay_buffer.npz")

    def normalizer_state(self) -> dict[str, Any] | None:
        return None if self.normalizer is None else self.normalizer.state_dict()

    def state(self) -> dict[str, Any]:
        return {
            "env": self.rows.state_dict(),
            "episodes": self.episodes.state_dict(),
            "obs": self.obs.tolist(),
            "num_timesteps": self.num_timesteps,
            "updates": self.updates,
        }

    def load(self, folder: Path, state: dict[str, Any], normalizer: dict | None) -> None:
        """Put a verified checkpoint in place (networks, optimizers, buffer, env, statistics)."""
        saved = torch.load(folder / "model.pt", weights_only=True)
        for name in ("actor", "critics", "actor_target", "critic_targets"):
            getattr(self, name).load_state_dict(saved[name])
        for name, optimizer in self.optimizers.items():
            optimizer.load_state_dict(saved[name])
        self.buffer.load(folder / "replay_buffer.npz")
        if self.normalizer is not None and normalizer is not None:
            self.normalizer.load_state_dict(normalizer)
        learner = state["learner"]
        self.rows.load_state_dict(learner["env"])
        self.episodes.load_state_dict(learner["episodes"])
        self.obs = np.asarray(learner["obs"], dtype=np.float32)
        self.num_timesteps, self.updates = int(learner["num_timesteps"]), int(learner["updates"])


def build_networks(rows, config: TrainConfig, *, twin: bool) -> tuple[nn.Sequential, nn.ModuleList]:
    """The shared deterministic actor (tanh output) and the centralized critic(s)."""
    hidden, activation = config.policy.net_arch, config.policy.activation
    pi, qf = (hidden["pi"], hidden["qf"]) if isinstance(hidden, dict) else (hidden, hidden)
    actor = nn.Sequential(
        mlp([rows.obs_dim, *pi, rows.action_dim], activation, output_gain=0.01), nn.Tanh()
    )
    critic_in = rows.team.state_dim + rows.core.action_dim
    critics = nn.ModuleList(mlp([critic_in, *qf, 1], activation) for _ in range(1 + int(twin)))
    return actor, critics


class MADDPGAlgorithm(LearnerEntry):
    """The registry entry of ``maddpg``."""

    name = "maddpg"
    description = "MADDPG: shared deterministic actors, a centralized critic (robodrl)"
    capabilities = Capabilities(off_policy=True, multi_agent=True)
    learner = MADDPGLearner

    def load_policy(self, config: TrainConfig, checkpoint: Checkpoint) -> TrainedPolicy:
        """The team's deterministic policy on the robot, and one network per agent."""
        folder, state, normalizer = checkpoint
        rows = team_rows(config, 1, 0, with_state=False, autoreset=False)
        actor, _ = build_networks(rows, config, twin=False)
        actor.load_state_dict(torch.load(folder / "model.pt", weights_only=True)["actor"])
        return team_policy(
            config,
            rows,
            actor,
            normalizer,
            normalized="state",
            algorithm=self.name,
            folder=folder,
            steps=int(state["num_timesteps"]),
        )


MADDPG = MADDPGAlgorithm()
