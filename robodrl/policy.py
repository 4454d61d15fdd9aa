"""The policy layer: raw observations in, actions in [-1, 1] out, whoever made the policy.

Evaluation, sweeps, render and export depend on this module, never on how a policy was
trained. A :class:`Policy` says which task it drives and acts; a trained one also carries
what export needs (:class:`ActorNetwork`: the deterministic actor's layers, output squashing
and the observation normalizer) and where it came from. SB3 runs, robodrl's own algorithms
(through the algorithm registry) and exported ONNX files all give one.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Policy(Protocol):
    """Anything that drives a robodrl task: raw observations ``(batch, obs_dim)`` in,
    actions in [-1, 1] ``(batch, act_dim)`` out."""

    env_id: str
    task_arguments: dict[str, Any]
    obs_dim: int
    act_dim: int

    def act(self, obs: np.ndarray) -> np.ndarray:
        """Deterministic actions in [-1, 1] for raw observations."""
        ...


#: rows a policy network sees at a time in :func:`act_in_blocks`
BLOCK = 64


def act_in_blocks(policy: Policy, obs: np.ndarray, act_dim: int) -> np.ndarray:
    """``policy``'s actions for ``obs``, the network always fed blocks of ``BLOCK`` rows (the
    last one padded): float32 matrix products can round differently for different batch
    sizes, and a simulation's actions must not depend on how many others share its batch."""
    actions = np.empty((len(obs), act_dim))
    for start in range(0, len(obs), BLOCK):
        block = obs[start : start + BLOCK]
        rows = len(block)
        if rows < BLOCK:
            block = np.concatenate([block, np.repeat(block[-1:], BLOCK - rows, axis=0)])
        actions[start : start + rows] = policy.act(block)[:rows]
    return actions


def actions_for(policy: Policy, obs: np.ndarray, core: Any) -> np.ndarray:
    """``policy``'s actions for the observations of ``core``'s simulations: a planner (a
    policy with ``needs_state``) plans from ``core``'s state; any other policy acts on the
    observations in fixed blocks (:func:`act_in_blocks`)."""
    if getattr(policy, "needs_state", False):
        return policy.act(obs, core)
    return act_in_blocks(policy, obs, policy.act_dim)


@dataclass(frozen=True)
class Layer:
    """One step of an actor network: ``linear`` (weight, bias) or an activation."""

    kind: str  # linear | tanh | relu | elu
    weight: np.ndarray | None = None
    bias: np.ndarray | None = None
    alpha: float = 1.0


@dataclass(frozen=True)
class ActorNetwork:
    """What export writes: the deterministic actor as layers, whether ``tanh`` squashes its
    output, and the observation normalizer statistics (``None``: raw observations)."""

    layers: list[Layer]
    squash: bool
    normalizer: dict[str, Any] | None


def normalize(obs: np.ndarray, state: dict[str, Any]) -> np.ndarray:
    """Apply saved normalizer statistics to raw observations (float32 out)."""
    mean, var = np.asarray(state["mean"]), np.asarray(state["var"])
    scaled = (obs - mean) / np.sqrt(var + state["epsilon"])
    return np.clip(scaled, -state["clip"], state["clip"]).astype(np.float32)


def network_input(obs: np.ndarray, normalizer: dict[str, Any] | None) -> np.ndarray:
    """What a policy network sees of raw observations: normalized when the policy has a
    normalizer, else the observations as float32."""
    return obs.astype(np.float32) if normalizer is None else normalize(obs, normalizer)


@dataclass(frozen=True)
class TeamMember:
    """One agent of a trained team, as export writes it: which entries of the robot's
    observation it reads (``obs_index``, laid out as ``obs_layout``), which of the robot's
    actuators it drives, its own network, and its action as the training stack computes it
    (the agent's raw observations in, actions in [-1, 1] out)."""

    name: str
    obs_index: np.ndarray
    obs_layout: dict[str, slice]
    actuators: np.ndarray
    network: ActorNetwork
    action: Callable[[np.ndarray], np.ndarray] = field(repr=False)


@dataclass
class TrainedPolicy:
    """A run's policy at one checkpoint: its deterministic action as the training stack
    computes it (``act``), and what export and reports need."""

    env_id: str
    task_arguments: dict[str, Any]
    obs_dim: int
    act_dim: int
    algorithm: str
    training_steps: int
    checkpoint: Path
    network: ActorNetwork | None  # None: this policy cannot be written as one ONNX graph
    action: Callable[[np.ndarray], np.ndarray] = field(repr=False)
    why_not_exportable: str = ""
    #: a team's agents (export writes one file each); None for a single policy
    team: list[TeamMember] | None = None
    #: sha256 of the checkpoint's signed manifest, as verified when the policy was loaded
    checkpoint_sha256: str = ""

    def act(self, obs: np.ndarray) -> np.ndarray:
        """Deterministic actions in [-1, 1] for raw observations."""
        return np.clip(self.action(np.asarray(obs)), -1.0, 1.0)


class OnnxFilePolicy:
    """An exported ``policy.onnx`` through the onboard runtime, as a :class:`Policy`."""

    def __init__(self, path: str | Path) -> None:
        from robodrl.runtime import OnnxPolicy  # numpy + onnxruntime only

        self.runtime = OnnxPolicy(path)
        checked = self.runtime.checked
        self.path = Path(path)
        self.env_id = checked.env_id
        self.task_arguments = checked.task_arguments
        self.obs_dim, self.act_dim = self.runtime.obs_dim, self.runtime.act_dim
        meta = self.runtime.metadata  # the core's float64 ranges, as the file wrote them
        low = np.asarray(json.loads(meta["ctrl_low"]), dtype=np.float64)
        high = np.asarray(json.loads(meta["ctrl_high"]), dtype=np.float64)
        self._mid, self._half = (high + low) / 2, (high - low) / 2

    def act(self, obs: np.ndarray) -> np.ndarray:
        """The file's commands mapped back to actions in [-1, 1]."""
        ctrl = self.runtime.act(np.asarray(obs, dtype=np.float32)).astype(np.float64)
        return np.clip((ctrl - self._mid) / self._half, -1.0, 1.0)


class OnnxTeamPolicy(OnnxFilePolicy):
    """An exported team folder (one file per agent) through the onboard runtime, as a
    :class:`Policy` of the whole robot."""

    def __init__(self, folder: str | Path) -> None:
        from robodrl.runtime import OnnxTeam

        self.runtime = OnnxTeam(folder)
        meta = self.runtime.metadata
        self.path = Path(folder)
        self.env_id = meta["env_id"]
        self.task_arguments = dict(meta.get("task_arguments", {}))
        self.obs_dim, self.act_dim = self.runtime.obs_dim, self.runtime.act_dim
        low = np.asarray(meta["ctrl_low"], dtype=np.float64)
        high = np.asarray(meta["ctrl_high"], dtype=np.float64)
        self._mid, self._half = (high + low) / 2, (high - low) / 2
