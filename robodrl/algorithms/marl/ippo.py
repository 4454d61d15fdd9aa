"""IPPO: independent PPO with parameter sharing, for the agents of a multi-agent team.

One Gaussian policy and one value network, shared by every agent: the team's agents become rows
of one batched core (:mod:`robodrl.envs.multi.rows`: each row the agent's own observation,
padded, with a one-hot agent id) and lean PPO's update (:mod:`robodrl.algorithms.ppo`) learns on
them unchanged. Each agent acts on its own observation and its critic sees only that observation
too (independent learners; a critic on the global state is MAPPO). Every agent receives the team
reward. ``total_steps`` counts control steps of the simulations, as for single-agent runs.

The trained team drives the whole robot: its policy maps the robot's single-agent observation to
each agent's input and assembles their actions, so evaluation, sweeps and render use the robot's
env and presets like any single-agent policy.

References: de Witt et al., "Is independent learning all you need in the StarCraft multi-agent
challenge?" (2020); Yu et al., "The surprising effectiveness of PPO in cooperative multi-agent
games" (2022).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from robodrl.algorithms.marl.members import team_policy
from robodrl.algorithms.onpolicy import Agent
from robodrl.algorithms.ppo import LeanPPOAlgorithm, PPOLearner
from robodrl.algorithms.registry import Capabilities, Checkpoint
from robodrl.envs.episodes import EpisodeTracker
from robodrl.envs.multi.rows import AgentRows
from robodrl.make import make_team
from robodrl.policy import TrainedPolicy

if TYPE_CHECKING:
    from robodrl.config import TrainConfig


def team_rows(
    config: TrainConfig, num_envs: int, seed: int, *, with_state: bool, autoreset: bool = True
) -> AgentRows:
    """The config's team as rows (:class:`AgentRows`) of ``num_envs`` simulations."""
    env = config.env
    team = make_team(
        env.id,
        num_envs,
        num_threads=env.num_threads,
        seed=seed,
        randomization=env.randomization,
        perturbations=env.perturbations,
        autoreset=autoreset,
        curriculum=env.curriculum if autoreset else None,  # without autoreset: a policy's probe
        **env.task,
    )
    return AgentRows(team, with_state=with_state)


class TeamEpisodes(EpisodeTracker):
    """Episodes of the rows, reported once per simulation (its first agent's row)."""

    def __init__(self, rows: AgentRows) -> None:
        super().__init__(rows.num_envs, rows.task.reward_names)
        self.num_agents = rows.num_agents

    def update(self, reward: np.ndarray, done: np.ndarray, info: dict) -> list[dict]:
        finished = super().update(reward, done, info)
        first = [e for e in finished if e["env"] % self.num_agents == 0]
        return [{**e, "env": e["env"] // self.num_agents} for e in first]


class IPPOLearner(PPOLearner):
    """Lean PPO over the rows of a team; acts on the robot's observations for evaluation."""

    #: whether rows carry the global state (for a centralized critic)
    with_state = False

    def __init__(self, config: TrainConfig, core: Any = None) -> None:
        self.rows = core or team_rows(
            config, config.env.num_envs, config.seed, with_state=self.with_state
        )
        super().__init__(config, self.rows)
        self.episodes = TeamEpisodes(self.rows)

    @staticmethod
    def build_agent(rows: AgentRows, config: TrainConfig) -> Agent:
        """The shared networks: actor and critic on each agent's row."""
        return Agent(rows.obs_dim, rows.action_dim, config)

    def make_agent(self, config: TrainConfig) -> Agent:
        return self.build_agent(self.rows, config)

    def act(self, obs: np.ndarray) -> np.ndarray:
        """The robot's deterministic action for its single-agent observations."""
        return self.rows.robot_action(super().act(self.rows.rows(np.asarray(obs))))


class IPPOAlgorithm(LeanPPOAlgorithm):
    """The registry entry of ``ippo``."""

    name = "ippo"
    description = "independent PPO with one network shared by a team's agents (robodrl)"
    learner = IPPOLearner
    capabilities = Capabilities(on_policy=True, multi_agent=True, state_independent_log_std=True)

    def check_config(self, config: TrainConfig) -> None:
        hyperparameters = config.algorithm.hyperparameters
        if hyperparameters.get("symmetry_coef", 0) > 0:
            raise ValueError(
                f"algorithm.hyperparameters.symmetry_coef: {self.name} has no mirror loss; "
                "set it to 0"
            )
        if hyperparameters.get("critic_observations", "policy") != "policy":
            raise ValueError(
                f"algorithm.hyperparameters.critic_observations: {self.name}'s critic sees the "
                "team's rows (mappo: the global state); set it to policy"
            )

    def load_policy(self, config: TrainConfig, checkpoint: Checkpoint) -> TrainedPolicy:
        """The team's deterministic policy on the robot (rows in, the robot's action out)."""
        folder, state, normalizer = checkpoint
        rows = team_rows(config, 1, 0, with_state=self.learner.with_state, autoreset=False)
        weights = torch.load(folder / "model.pt", weights_only=True)["agent"]
        agent = self.learner.build_agent(rows, config)
        agent.load_state_dict(weights)
        return team_policy(
            config,
            rows,
            agent.actor,
            normalizer,
            normalized="rows",
            algorithm=self.name,
            folder=folder,
            steps=int(state["num_timesteps"]),
        )


IPPO = IPPOAlgorithm()
