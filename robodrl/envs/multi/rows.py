"""A team as one batched core of rows, for learning with parameter sharing.

Row ``s * n + i`` is agent ``i`` of simulation ``s`` (``n`` agents). A row's observation is
the agent's observation, zero-padded to the largest agent's, followed by a one-hot agent id;
its action is the agent's action, padded to the largest agent's (the padding is ignored). With
``with_state``, each row ends with the team's global state (for a centralized critic). Every
row gets the team reward and its simulation's episode flags. Shaped like a batched core, so
robodrl's on-policy learners train one network shared by all agents (IPPO) unchanged.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from robodrl.envs.multi.core import TeamEnv

#: info entries that are one value per simulation, repeated for each of its rows
_PER_SIMULATION = ("sim_unstable", "action_fault", "is_success")


class AgentRows:
    """``team``'s agents as rows of one batched core."""

    def __init__(self, team: TeamEnv, *, with_state: bool = False) -> None:
        self.team = team
        self.with_state = with_state
        self.core = team.core
        self.task = team.core.task
        self.randomizer = team.core.randomizer
        self.autoreset = team.core.autoreset
        self.agents = team.agents
        self.num_agents = len(self.agents)
        self.num_simulations = team.num_envs
        self.num_envs = team.num_envs * self.num_agents
        self.agent_obs_dim = max(team.obs_dims.values())
        #: the columns of a row: the agent's observation, its id, then the global state
        self.id_start = self.agent_obs_dim
        self.state_start = self.agent_obs_dim + self.num_agents
        self.obs_dim = self.state_start + (team.state_dim if with_state else 0)
        self.action_dim = max(team.action_dims.values())

    def rows(self, state: np.ndarray) -> np.ndarray:
        """Every agent's row ``(num_simulations * num_agents, obs_dim)`` from single-agent
        observations ``state`` ``(num_simulations, state_dim)``."""
        shared = state if self.with_state else None
        rows = [
            self.agent_rows(i, state[:, layout.obs_index], shared)
            for i, layout in enumerate(self.team.layouts.values())
        ]
        return np.stack(rows, axis=1).reshape(len(state) * self.num_agents, self.obs_dim)

    def agent_rows(
        self, index: int, obs: np.ndarray, state: np.ndarray | None = None
    ) -> np.ndarray:
        """Agent ``index``'s rows ``(len(obs), obs_dim)`` for its own observations ``obs``:
        padded, its one-hot id, and ``state`` where rows carry the global state (else zeros)."""
        rows = np.zeros((len(obs), self.obs_dim), dtype=np.float32)
        rows[:, : obs.shape[1]] = obs
        rows[:, self.id_start + index] = 1.0
        if state is not None:
            rows[:, self.state_start :] = state
        return rows

    def robot_action(self, row_actions: np.ndarray) -> np.ndarray:
        """The robot's action ``(num_simulations, nu)`` from every agent's row action."""
        per_agent = np.asarray(row_actions).reshape(-1, self.num_agents, self.action_dim)
        robot = np.empty((len(per_agent), self.core.action_dim))
        for i, layout in enumerate(self.team.layouts.values()):
            robot[:, layout.actuators] = per_agent[:, i, : layout.action_dim]
        return robot

    def reset(self) -> np.ndarray:
        self.team.reset()
        return self.rows(self.team.state())

    def step(self, row_actions: np.ndarray) -> tuple:
        """One control step from row actions; returns rows as a batched core does."""
        agent_actions = row_actions.reshape(self.num_simulations, self.num_agents, -1)
        actions = {
            agent: agent_actions[:, i, : self.team.action_dims[agent]]
            for i, agent in enumerate(self.agents)
        }
        _, rewards, terminated, truncated, info = self.team.step(actions)
        repeat = self.num_agents
        rows_info: dict[str, Any] = {
            key: np.repeat(value, repeat)
            for key, value in info.items()
            if key.startswith("reward_") or key in _PER_SIMULATION
        }
        if "final_state" in info:
            rows_info["final_obs"] = self.rows(info["final_state"])
        if "dr" in info:
            rows_info["dr"] = info["dr"]
        reward = np.repeat(rewards[self.agents[0]], repeat)
        flags = np.repeat(terminated, repeat), np.repeat(truncated, repeat)
        return self.rows(self.team.state()), reward, *flags, rows_info

    def state_dict(self) -> dict[str, Any]:
        return self.team.state_dict()

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.team.load_state_dict(state)
