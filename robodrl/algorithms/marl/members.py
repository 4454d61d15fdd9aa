"""A team's shared actor as one network per agent, for export.

The shared actor reads a row: the agent's observation (zero-padded), its one-hot id (and, for
MAPPO, the global state, which the actor drops). For agent ``i`` everything but its own
observation is a constant, so the first layer absorbs it: ``W [n(x), k] + b = W_x n(x) +
(W_k k + b)`` with ``k`` the padding and id as the network sees them. Agent ``i``'s network is
the shared one with that first layer, over its own observation and its own normalizer
statistics: a plain MLP that export writes like any single policy. Its torch reference
(``TeamMember.action``) runs the shared actor on the full row, so the export's parity gate
checks the fold too.

Two ways of normalizing exist: IPPO / MAPPO normalize whole rows (statistics per row column),
MADDPG normalizes the robot's observation before cutting it into rows (statistics per entry of
the robot's observation; the id is not normalized).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import torch
from torch import nn

from robodrl.algorithms.networks import Columns, layers_of
from robodrl.envs.multi.registry import robot_of
from robodrl.envs.multi.rows import AgentRows
from robodrl.policy import ActorNetwork, Layer, TeamMember, TrainedPolicy, network_input

if TYPE_CHECKING:
    from robodrl.config import TrainConfig


@dataclass(frozen=True)
class _Inputs:
    """How agent ``index`` of ``rows`` feeds the shared actor, normalization included."""

    rows: AgentRows
    index: int
    normalizer: dict[str, Any] | None
    normalized: Literal["rows", "state"]

    @property
    def width(self) -> int:
        return self.rows.team.obs_dims[self.rows.agents[self.index]]

    def agent_normalizer(self) -> dict[str, Any] | None:
        """The statistics of the agent's own observation entries."""
        if self.normalizer is None:
            return None
        if self.normalized == "rows":
            entries = np.arange(self.width)
        else:
            entries = self.rows.team.layouts[self.rows.agents[self.index]].obs_index
        mean, var = np.asarray(self.normalizer["mean"]), np.asarray(self.normalizer["var"])
        return {**self.normalizer, "mean": mean[entries].tolist(), "var": var[entries].tolist()}

    def network_row(self, obs: np.ndarray) -> np.ndarray:
        """What the shared actor sees for the agent's raw observations."""
        if self.normalized == "rows":
            return network_input(self.rows.agent_rows(self.index, obs), self.normalizer)
        own = network_input(obs, self.agent_normalizer())
        return self.rows.agent_rows(self.index, own)

    def constants(self) -> np.ndarray:
        """The padding and id as the actor sees them (they follow the agent's observation)."""
        seen = self.network_row(np.zeros((1, self.width)))[0].astype(np.float64)
        return seen[self.width : self.rows.state_start]


def team_members(
    rows: AgentRows,
    actor: nn.Sequential,
    normalizer: dict | None,
    *,
    normalized: Literal["rows", "state"] = "rows",
) -> list[TeamMember]:
    """One :class:`TeamMember` per agent of ``rows``' team, from the shared ``actor``."""
    modules = [m for m in actor if not isinstance(m, Columns)]
    layers = layers_of(modules)
    first = layers[0]
    members = []
    for i, (name, layout) in enumerate(rows.team.layouts.items()):
        inputs = _Inputs(rows, i, normalizer, normalized)
        weight = first.weight.astype(np.float64)
        bias = first.bias.astype(np.float64) + weight[:, inputs.width :] @ inputs.constants()
        own = Layer("linear", weight[:, : inputs.width].astype(np.float32), bias.astype(np.float32))
        network = ActorNetwork([own, *layers[1:]], False, inputs.agent_normalizer())
        members.append(
            TeamMember(
                name=name,
                obs_index=layout.obs_index,
                obs_layout=layout.obs_layout,
                actuators=layout.actuators,
                network=network,
                action=_shared_action(inputs, actor, layout.action_dim),
            )
        )
    return members


def _shared_action(inputs: _Inputs, actor: nn.Sequential, act_dim: int):
    """The agent's action as training computes it: the shared actor on its full row."""

    def action(obs: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            out = actor(torch.as_tensor(inputs.network_row(obs))).numpy()
        return out[:, :act_dim]

    return action


def team_policy(
    config: TrainConfig,
    rows: AgentRows,
    actor: nn.Sequential,
    normalizer: dict | None,
    *,
    normalized: Literal["rows", "state"],
    algorithm: str,
    folder: Path,
    steps: int,
) -> TrainedPolicy:
    """A trained team as a policy of the whole robot: each agent's action from its own entries
    of the robot's observation, written to its own actuators; one network per agent to export."""
    members = team_members(rows, actor, normalizer, normalized=normalized)

    def action(obs: np.ndarray) -> np.ndarray:
        robot = np.empty((len(obs), rows.core.action_dim))
        for member in members:
            robot[:, member.actuators] = member.action(obs[:, member.obs_index])
        return robot

    robot_id, robot_task, _ = robot_of(config.env.id, config.env.task)
    return TrainedPolicy(
        env_id=robot_id,
        task_arguments=robot_task,
        obs_dim=rows.core.obs_dim,
        act_dim=rows.core.action_dim,
        algorithm=algorithm,
        training_steps=steps,
        checkpoint=folder,
        network=None,  # one network per agent: ``team``
        action=action,
        team=members,
    )
