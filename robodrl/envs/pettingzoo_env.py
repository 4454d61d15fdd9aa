"""A PettingZoo ``ParallelEnv`` view of one simulation of a batched multi-agent env: a team
(``robodrl.make_parallel``) or protagonist vs adversary (``robodrl.make_adversarial``)."""

from __future__ import annotations

import functools
from typing import Any, ClassVar

import numpy as np
from gymnasium import spaces
from pettingzoo import ParallelEnv

from robodrl.envs.frames import FrameRenderer, check_render_mode
from robodrl.envs.spaces import agent_actions
from robodrl.errors import InvalidActionError, TaskArgumentError


class BatchedParallelEnv(ParallelEnv):
    """The agents of ``game`` (a ``TeamEnv`` or ``TwoPlayerEnv`` of one simulation without
    autoreset) as a PettingZoo parallel env; all agents finish together."""

    metadata: ClassVar[dict[str, Any]] = {"name": "robodrl_v0", "render_modes": ["rgb_array"]}

    def __init__(
        self,
        game: Any,
        env_id: str,
        *,
        render_mode: str | None = None,
        render_width: int = 480,
        render_height: int = 360,
    ) -> None:
        if game.num_envs != 1 or game.core.autoreset:
            raise TaskArgumentError(
                f"{type(self).__name__} takes one simulation without autoreset "
                "(use robodrl.make_parallel or robodrl.make_adversarial)"
            )
        check_render_mode(render_mode)
        self.game = game
        self.env_id = env_id
        self.metadata = {
            "name": env_id.replace("/", "_"),
            "render_modes": ["rgb_array"],
            "render_fps": round(1.0 / game.core.control_dt),
        }
        self.possible_agents = list(game.agents)
        self.agents: list[str] = []
        self.render_mode = render_mode
        self._frames = FrameRenderer(game.core, render_width, render_height)

    @functools.cache  # noqa: B019 (one space object per agent, as PettingZoo asks)
    def observation_space(self, agent: str) -> spaces.Box:
        dim = self.game.obs_dims[self._known(agent)]
        return spaces.Box(-np.inf, np.inf, (dim,), np.float32)

    @functools.cache  # noqa: B019
    def action_space(self, agent: str) -> spaces.Box:
        return spaces.Box(-1.0, 1.0, (self.game.action_dims[self._known(agent)],), np.float32)

    @property
    def state_space(self) -> spaces.Box:
        """The global state's space (a team: the robot's single-agent observation; two
        players: that and the true ``qpos`` and ``qvel``)."""
        return spaces.Box(-np.inf, np.inf, (self.game.state_dim,), np.float32)

    def state(self) -> np.ndarray:
        """The global state, for centralized critics."""
        return self.game.state()[0]

    def render(self) -> np.ndarray | None:
        """The current frame, ``(height, width, 3)`` uint8 (``render_mode="rgb_array"``)."""
        return self._frames.render(self.render_mode)

    def _known(self, agent: str) -> str:
        if agent not in self.possible_agents:
            raise KeyError(f"unknown agent {agent!r}; agents: {self.possible_agents}")
        return agent

    def reset(
        self, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, np.ndarray], dict[str, dict]]:
        observations, _ = self.game.reset(seed=seed)
        self.agents = list(self.possible_agents)
        return {a: observations[a][0] for a in self.agents}, {a: {} for a in self.agents}

    def step(self, actions: dict[str, Any]) -> tuple[dict, dict, dict, dict, dict]:
        if not self.agents:
            raise InvalidActionError("the episode is over; call reset() first")
        shapes = {a: self.action_space(a).shape for a in self.possible_agents}
        act = {a: action[None] for a, action in agent_actions(actions, shapes).items()}
        obs, rewards, terminated, truncated, info = self.game.step_agents(act)
        terms = {k: float(v[0]) for k, v in info.items() if k.startswith("reward_")}
        agents = self.possible_agents
        if bool(terminated[0] or truncated[0]):
            self.agents = []
        return (
            {a: obs[a][0] for a in agents},
            {a: float(rewards[a][0]) for a in agents},
            {a: bool(terminated[0]) for a in agents},
            {a: bool(truncated[0]) for a in agents},
            {a: dict(terms) for a in agents},
        )

    def close(self) -> None:
        """Release the renderer (the batch goes with the env)."""
        self._frames.close()
