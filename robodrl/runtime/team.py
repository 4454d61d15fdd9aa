"""``OnnxTeam``: an exported team (one ONNX file per agent and ``manifest.json``) on one computer.

Imports only numpy, onnxruntime and the standard library. Each agent is an :class:`OnnxPolicy`
with all of its guards (shape and dtype checks, the safe action for a non-finite observation,
latency); the team reads each agent's entries from the robot's observation and writes each
agent's commands to its actuators, as training did.
"""

from __future__ import annotations

import json
import time
from collections import deque
from pathlib import Path
from typing import Any

import numpy as np

from robodrl.runtime.policy import (
    OnnxPolicy,
    RuntimePolicyError,
    SafeAction,
    check_observation,
    latency_summary,
)

MANIFEST = "manifest.json"


class OnnxTeam:
    """The agents of an exported team folder. ``act(obs)``: the robot's raw float32
    observations ``(obs_dim,)`` or ``(batch, obs_dim)`` in, commands for all its actuators out;
    ``act_agents({agent: obs})``: each agent's own observations in, its commands out."""

    def __init__(
        self, folder: str | Path, *, safe_action: SafeAction = "zero_action", threads: int = 1
    ) -> None:
        self.folder = Path(folder)
        manifest = self._manifest()
        team = manifest["team"]
        self.metadata = {k: v for k, v in manifest.items() if k not in ("team", "files")}
        self.env_id = manifest["env_id"]
        self.obs_dim, self.act_dim = int(manifest["obs_dim"]), int(manifest["act_dim"])
        self.actuator_names = list(manifest["actuator_names"])
        self.agents: dict[str, OnnxPolicy] = {}
        self.obs_index: dict[str, np.ndarray] = {}
        self.actuators: dict[str, np.ndarray] = {}
        for name, agent in team["agents"].items():
            self.agents[name] = OnnxPolicy(
                self.folder / agent["file"], safe_action=safe_action, threads=threads
            )
            self.obs_index[name] = np.asarray(agent["obs_index"], dtype=np.int64)
            self.actuators[name] = np.asarray(agent["actuators"], dtype=np.int64)
        self.latencies_s: deque[float] = deque(maxlen=1000)

    def _manifest(self) -> dict[str, Any]:
        path = self.folder / MANIFEST
        try:
            manifest = json.loads(path.read_text())
        except (OSError, ValueError) as err:
            raise RuntimePolicyError(f"{path}: not a readable team manifest: {err}") from None
        if not isinstance(manifest, dict) or "team" not in manifest:
            raise RuntimePolicyError(
                f"{path}: not an exported team (no 'team' entry); a single policy is one "
                "policy.onnx: use OnnxPolicy"
            )
        return manifest

    @property
    def faults(self) -> int:
        """Agent observations that were not finite (each got its agent's safe action)."""
        return sum(agent.faults for agent in self.agents.values())

    def act(self, obs: np.ndarray) -> np.ndarray:
        """Commands for every actuator of the robot, from its raw observations."""
        batch, single = check_observation(obs, self.obs_dim, self.env_id)
        start = time.perf_counter()
        commands = np.empty((len(batch), self.act_dim), dtype=np.float32)
        for name, agent in self.agents.items():
            own = np.ascontiguousarray(batch[:, self.obs_index[name]])
            commands[:, self.actuators[name]] = agent.act(own)
        self.latencies_s.append(time.perf_counter() - start)
        return commands[0] if single else commands

    def act_guarded(self, obs: np.ndarray) -> tuple[np.ndarray, bool]:
        """One robot observation ``(obs_dim,)`` through each agent's graph as it is, NaN / inf
        included (:meth:`OnnxPolicy.act_guarded`): every actuator's command, and whether any
        agent's fault guard fired."""
        batch, _ = check_observation(obs, self.obs_dim, self.env_id)
        start = time.perf_counter()
        commands, fault = np.empty(self.act_dim, dtype=np.float32), False
        for name, agent in self.agents.items():
            own = np.ascontiguousarray(batch[0, self.obs_index[name]])
            commands[self.actuators[name]], faulted = agent.act_guarded(own)
            fault = fault or faulted
        self.latencies_s.append(time.perf_counter() - start)
        return commands, fault

    def act_agents(self, observations: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Each agent's commands from its own observations; every agent, no other."""
        unknown = sorted(set(observations) - set(self.agents), key=str)
        missing = [name for name in self.agents if name not in observations]
        if unknown or missing:
            raise RuntimePolicyError(
                f"observations for agents {sorted(observations, key=str)}; the team's agents "
                f"are {list(self.agents)} (missing {missing}, unknown {unknown})"
            )
        return {name: agent.act(observations[name]) for name, agent in self.agents.items()}

    def latency_ms(self) -> dict[str, float]:
        """p50 / p99 / max of recent whole-team ``act`` calls, in milliseconds."""
        return latency_summary(self.latencies_s)
