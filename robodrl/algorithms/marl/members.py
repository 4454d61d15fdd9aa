"""A team's shared actor as one network per agent, for export.

The shared actor reads a row: the agent's observation (zero-padded), its one-hot id (and, for
MAPPO, the global state, which the actor drops). For agent ``i`` everything but its own
observation is a constant, so the first layer absorbs it: ``W [n(x), k] + b = W_x n(x) +
(W_k k + b)`` with ``k`` the normalized padding and id. Agent ``i``'s network is the shared one
with that first layer, over its own observation and its own normalizer statistics: a plain MLP
that export writes like any single policy. Its torch reference (``TeamMember.action``) runs the
shared actor on the full row, so the export's parity gate checks the fold too.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from robodrl.algorithms.networks import layers_of
from robodrl.envs.multi.rows import AgentRows
from robodrl.policy import ActorNetwork, Layer, TeamMember, network_input


def _actor_modules(actor: nn.Sequential) -> list[nn.Module]:
    """The actor's layers after any column selection (MAPPO's actor drops the state)."""
    return [m for m in actor if isinstance(m, nn.Linear | nn.Tanh | nn.ReLU | nn.ELU)]


def _row_constants(rows: AgentRows, index: int, normalizer: dict[str, Any] | None) -> np.ndarray:
    """What the actor sees in agent ``index``'s row after its own observation: the padding and
    the id (normalized as the network sees them)."""
    row = np.zeros((1, rows.obs_dim))
    row[0, rows.id_start + index] = 1.0
    seen = network_input(row, normalizer)[0].astype(np.float64)
    width = rows.team.obs_dims[rows.agents[index]]
    return seen[width : rows.state_start]


def _agent_normalizer(normalizer: dict[str, Any] | None, width: int) -> dict[str, Any] | None:
    if normalizer is None:
        return None
    return {
        **normalizer,
        "mean": list(np.asarray(normalizer["mean"])[:width]),
        "var": list(np.asarray(normalizer["var"])[:width]),
    }


def team_members(rows: AgentRows, actor: nn.Sequential, normalizer: dict | None) -> list:
    """One :class:`TeamMember` per agent of ``rows``' team, from the shared ``actor``."""
    layers = layers_of(_actor_modules(actor))
    first = layers[0]
    members = []
    for i, (name, layout) in enumerate(rows.team.layouts.items()):
        width = layout.obs_dim
        weight = first.weight.astype(np.float64)
        constants = _row_constants(rows, i, normalizer)
        bias = first.bias.astype(np.float64) + weight[:, width:] @ constants
        own = Layer("linear", weight[:, :width].astype(np.float32), bias.astype(np.float32))
        network = ActorNetwork(
            [own, *layers[1:]], squash=False, normalizer=_agent_normalizer(normalizer, width)
        )
        members.append(
            TeamMember(
                name=name,
                obs_index=layout.obs_index,
                obs_layout=layout.obs_layout,
                actuators=layout.actuators,
                network=network,
                action=_shared_action(rows, actor, normalizer, i),
            )
        )
    return members


def _shared_action(rows: AgentRows, actor: nn.Sequential, normalizer: dict | None, index: int):
    """Agent ``index``'s action as training computes it: the shared actor on its full row."""
    width = rows.team.obs_dims[rows.agents[index]]
    act_dim = rows.team.action_dims[rows.agents[index]]

    def action(obs: np.ndarray) -> np.ndarray:
        row = np.zeros((len(obs), rows.obs_dim))
        row[:, :width] = obs
        row[:, rows.id_start + index] = 1.0
        with torch.no_grad():
            out = actor(torch.as_tensor(network_input(row, normalizer))).numpy()
        return out[:, :act_dim]

    return action
