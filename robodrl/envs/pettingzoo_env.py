"""A PettingZoo ``ParallelEnv`` view of the two-player env: agents ``protagonist`` and
``adversary`` acting on one simulation (``robodrl.make_adversarial``)."""

from __future__ import annotations

import functools
from typing import Any, ClassVar

import numpy as np
from gymnasium import spaces
from pettingzoo import ParallelEnv

from robodrl.envs.two_player import ADVERSARY, PLAYERS, PROTAGONIST, TwoPlayerEnv
from robodrl.errors import InvalidActionError, TaskArgumentError


class AdversarialParallelEnv(ParallelEnv):
    """Protagonist vs adversary on one simulation; both finish together (zero-sum rewards)."""

    metadata: ClassVar[dict[str, Any]] = {"name": "robodrl_adversarial_v0", "render_modes": []}

    def __init__(self, game: TwoPlayerEnv, env_id: str) -> None:
        if game.num_envs != 1 or game.core.autoreset:
            raise TaskArgumentError(
                "AdversarialParallelEnv takes one simulation without autoreset "
                "(use robodrl.make_adversarial)"
            )
        self.game = game
        self.env_id = env_id
        self.possible_agents = list(PLAYERS)
        self.agents: list[str] = []
        self.render_mode = None

    @functools.cache  # noqa: B019 (one space object per agent, as PettingZoo asks)
    def observation_space(self, agent: str) -> spaces.Box:
        dim = self.game.obs_dims[self._known(agent)]
        return spaces.Box(-np.inf, np.inf, (dim,), np.float32)

    @functools.cache  # noqa: B019
    def action_space(self, agent: str) -> spaces.Box:
        return spaces.Box(-1.0, 1.0, (self.game.action_dims[self._known(agent)],), np.float32)

    def _known(self, agent: str) -> str:
        if agent not in PLAYERS:
            raise KeyError(f"unknown agent {agent!r}; agents: {list(PLAYERS)}")
        return agent

    def reset(
        self, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, np.ndarray], dict[str, dict]]:
        observations = self.game.reset(seed=seed)
        self.agents = list(self.possible_agents)
        return {a: observations[a][0] for a in PLAYERS}, {a: {} for a in PLAYERS}

    def _action(self, actions: dict[str, Any], agent: str) -> np.ndarray:
        if agent not in actions:
            raise InvalidActionError(
                f"no action for agent {agent!r}; step takes one per live agent: {self.agents}"
            )
        shape = self.action_space(agent).shape
        try:
            action = np.asarray(actions[agent], dtype=np.float64)
        except (TypeError, ValueError) as err:
            raise InvalidActionError(f"action of agent {agent!r}: {err}") from None
        if action.shape != shape:
            raise InvalidActionError(
                f"action of agent {agent!r} has shape {action.shape}; expected {shape}"
            )
        return action[None]

    def step(self, actions: dict[str, Any]) -> tuple[dict, dict, dict, dict, dict]:
        if not self.agents:
            raise InvalidActionError("the episode is over; call reset() first")
        unknown = sorted(set(actions) - set(PLAYERS))
        if unknown:
            raise InvalidActionError(f"unknown agents {unknown}; agents: {list(PLAYERS)}")
        act = {agent: self._action(actions, agent) for agent in PLAYERS}
        obs, rewards, terminated, truncated, info = self.game.step(act[PROTAGONIST], act[ADVERSARY])
        terms = {k: float(v[0]) for k, v in info.items() if k.startswith("reward_")}
        if bool(terminated[0] or truncated[0]):
            self.agents = []
        return (
            {a: obs[a][0] for a in PLAYERS},
            {a: float(rewards[a][0]) for a in PLAYERS},
            {a: bool(terminated[0]) for a in PLAYERS},
            {a: bool(truncated[0]) for a in PLAYERS},
            {a: dict(terms) for a in PLAYERS},
        )

    def close(self) -> None:
        """Nothing to release (the batch goes with the env)."""
