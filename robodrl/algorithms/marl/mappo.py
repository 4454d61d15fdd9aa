"""MAPPO: multi-agent PPO with decentralized actors and a centralized critic.

As IPPO (:mod:`robodrl.algorithms.marl.ippo`), one actor is shared by the team's agents and sees
only its own agent's observation and id; unlike IPPO, the critic sees the team's global state
(the robot's whole observation) with the agent's id, so each agent's advantage is judged from
everything the team knows. The critic's targets are normalized with running statistics (value
normalization, Yu et al. 2022): it regresses normalized returns and its values are scaled back
for GAE. Each row of the rows core carries the agent's observation, its id and the global state;
the actor reads the first two, the critic the last two. Lean PPO's update does the rest.

Reference: Yu et al., "The surprising effectiveness of PPO in cooperative multi-agent games"
(NeurIPS 2022).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch import nn

from robodrl.algorithms.marl.ippo import IPPOAlgorithm, IPPOLearner
from robodrl.algorithms.networks import Columns, mlp
from robodrl.algorithms.onpolicy import Agent
from robodrl.envs.multi.rows import AgentRows

if TYPE_CHECKING:
    from robodrl.config import TrainConfig


class CentralAgent(Agent):
    """An actor on the agent's observation and id, a critic on its id and the global state;
    the critic's outputs are normalized values (running mean / variance of the targets)."""

    def __init__(self, rows: AgentRows, config: TrainConfig) -> None:
        super().__init__(rows.state_start, rows.action_dim, config)  # the actor's input
        hidden = config.policy.net_arch
        vf = hidden["vf"] if isinstance(hidden, dict) else hidden
        self.actor = nn.Sequential(Columns(0, rows.state_start), *self.actor)
        critic_dim = rows.obs_dim - rows.id_start
        self.critic = nn.Sequential(
            Columns(rows.id_start, rows.obs_dim),
            mlp([critic_dim, *vf, 1], config.policy.activation, output_gain=1.0),
        )
        self.register_buffer("value_mean", torch.zeros(()))
        self.register_buffer("value_var", torch.ones(()))
        self.register_buffer("value_count", torch.tensor(1e-4))

    def value(self, obs: torch.Tensor) -> torch.Tensor:
        """Values in return units (the critic's normalized output scaled back)."""
        return self.critic(obs).squeeze(-1) * self.value_var.sqrt() + self.value_mean

    def value_loss(self, obs: torch.Tensor, returns: torch.Tensor) -> torch.Tensor:
        target = (returns - self.value_mean) / self.value_var.sqrt()
        return (self.critic(obs).squeeze(-1) - target).pow(2).mean()

    def fit_value_targets(self, returns: torch.Tensor) -> None:
        """Fold an update's targets into the running mean / variance (parallel update)."""
        count = torch.tensor(float(returns.numel()))
        delta = returns.mean() - self.value_mean
        total = self.value_count + count
        m2 = self.value_var * self.value_count + returns.var(unbiased=False) * count
        self.value_mean += delta * count / total
        self.value_var.copy_((m2 + delta**2 * self.value_count * count / total) / total)
        self.value_count.copy_(total)


class MAPPOLearner(IPPOLearner):
    """IPPO's learner with the global state in every row and the centralized critic."""

    with_state = True

    @staticmethod
    def build_agent(rows: AgentRows, config: TrainConfig) -> Agent:
        return CentralAgent(rows, config)


class MAPPOAlgorithm(IPPOAlgorithm):
    """The registry entry of ``mappo``."""

    name = "mappo"
    description = "multi-agent PPO: shared decentralized actor, centralized critic (robodrl)"
    learner = MAPPOLearner


MAPPO = MAPPOAlgorithm()
