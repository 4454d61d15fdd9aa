"""The batched multi-agent core: every agent of every simulation on one ``BatchedEnv``.

The agents' actions are assembled into the robot's action (each agent writes its own
actuators) and one call steps all simulations; observations are slices of the single-agent
observation, so randomization, perturbations (observation noise, latency, pushes), autoreset,
instability handling and checkpoint state are the single-agent core's, unchanged. Joint
actions give exactly what the single-agent env gives.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from robodrl.envs.core import BatchedEnv, SeedLike
from robodrl.envs.multi.team import AgentLayout, MultiAgentTask
from robodrl.envs.spaces import agent_actions
from robodrl.errors import InvalidActionError


class TeamEnv:
    """``team``'s agents on ``core``'s simulations, stepped together."""

    def __init__(self, core: BatchedEnv, team: MultiAgentTask) -> None:
        team.bind(core.model)
        self.core, self.team = core, team
        self.num_envs = core.num_envs
        self.agents: list[str] = team.agents
        self.layouts: dict[str, AgentLayout] = team.layouts
        self.obs_dims = {a: layout.obs_dim for a, layout in self.layouts.items()}
        self.action_dims = {a: layout.action_dim for a, layout in self.layouts.items()}
        self.state_dim = core.obs_dim
        self._state = core.last_obs

    def observations(self, obs: np.ndarray) -> dict[str, np.ndarray]:
        """Each agent's observations, given the single-agent observations ``obs``."""
        return {a: obs[:, layout.obs_index] for a, layout in self.layouts.items()}

    def state(self) -> np.ndarray:
        """The global state for centralized critics: the single-agent observation,
        ``(num_envs, state_dim)``."""
        return self._state.copy()

    def reset(
        self, ids: np.ndarray | None = None, *, seed: SeedLike = None
    ) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """Reset simulations ``ids`` (all by default); every agent's observations and the reset
        info (as ``make_vec``'s: the randomized values under ``dr``)."""
        self._state = self.core.reset(ids, seed=seed)
        return self.observations(self._state), self.core.reset_info()

    def joint_action(self, actions: Mapping[str, Any]) -> np.ndarray:
        """The robot's action ``(num_envs, nu)`` from one action per agent; an error names
        the agent (and the simulation, entry and actuator of a non-finite value)."""
        shapes = {a: (self.num_envs, layout.action_dim) for a, layout in self.layouts.items()}
        hints = {
            a: f"one entry per actuator: {list(layout.actuator_names)}"
            for a, layout in self.layouts.items()
        }
        found = agent_actions(actions, shapes, hints)
        joint = np.empty((self.num_envs, self.core.action_dim))
        for agent, layout in self.layouts.items():
            action = found[agent]
            if self.core.invalid_action == "raise" and not np.isfinite(action).all():
                env, entry = np.argwhere(~np.isfinite(action))[0]
                raise InvalidActionError(
                    f"action of agent {agent!r} [{env}, {entry}] = {action[env, entry]} is not "
                    f"finite (env {env}, actuator {layout.actuator_names[entry]!r})"
                )
            joint[:, layout.actuators] = action
        return joint

    def step(
        self, actions: Mapping[str, Any]
    ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], np.ndarray, np.ndarray, dict]:
        """One control step of every agent: observations and rewards per agent (the team
        reward, the same for each), then the shared terminated / truncated flags and the
        core's info. With autoreset, a finished episode's last observations are in
        ``info["final_obs_agents"]`` (per agent) and ``info["final_state"]``."""
        obs, reward, terminated, truncated, info = self.core.step(self.joint_action(actions))
        if "final_obs" in info:
            info["final_state"] = info.pop("final_obs")
            info["final_obs_agents"] = self.observations(info["final_state"])
        self._state = obs
        rewards = {agent: reward for agent in self.agents}
        return self.observations(obs), rewards, terminated, truncated, info

    step_agents = step  # the interface the PettingZoo adapter drives

    def state_dict(self) -> dict[str, Any]:
        """The core's state, to continue exactly."""
        return {"core": self.core.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.core.load_state_dict(state["core"])
        self._state = self.core.last_obs
