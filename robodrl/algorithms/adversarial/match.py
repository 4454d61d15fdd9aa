"""A match: the two-player env and the learners playing it, for alternating training.

Each learner sees its own side of the game through a :class:`PlayerView`, which is shaped like
a batched core (``reset``, ``step``, ``num_envs``, ``obs_dim``, ``action_dim``, ``task``), so
any registered algorithm that can play (``Capabilities.player``) learns on it unchanged.
Stepping one side steps the game with the other side's stochastic policy (``sample``). The
match keeps the game's latest observations and episode starts, and the protagonist's episode
sums whoever plays; a learner about to play is told where the game is (``observe``).

A population of adversaries (RAP, Vinitsky et al., 2020): while the protagonist plays, every
simulation faces one adversary, drawn uniformly per episode from the match's own seeded
generator; while adversary k trains, it plays every simulation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from robodrl.algorithms.registry import Player
from robodrl.envs.episodes import EpisodeTracker
from robodrl.envs.two_player import ADVERSARY, PROTAGONIST, TwoPlayerEnv


def population_act(acts: list[Callable[[np.ndarray], np.ndarray]]) -> Callable:
    """The deterministic forces of a population: simulation i faces adversary i mod k."""

    def act(obs: np.ndarray) -> np.ndarray:
        parts = [one(obs[index :: len(acts)]) for index, one in enumerate(acts)]
        action = np.zeros((len(obs), parts[0].shape[1]))
        for index, part in enumerate(parts):
            action[index :: len(acts)] = part
        return action

    return act


class PlayerView:
    """One player's side of a match, shaped like a batched core for its learner."""

    def __init__(self, match: Match, player: str, index: int = 0) -> None:
        game = match.game
        self.match, self.player, self.index = match, player, index
        self.num_envs = game.num_envs
        self.obs_dim = game.obs_dims[player]
        self.action_dim = game.action_dims[player]
        self.task = game.core.task
        self.randomizer = game.core.randomizer if player == PROTAGONIST else None

    def reset(self) -> np.ndarray:
        """The running episodes' observations (the match resets the game, not a player)."""
        return self.match.obs[self.player].copy()

    def seed(self, seed: Any = None) -> None:
        """Nothing: the match seeds the game, not a player."""

    def step(
        self, action: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict]:
        return self.match.step(self, action)

    def state_dict(self) -> dict[str, Any]:
        return {}  # the match saves the game once, for every player

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Nothing: see :meth:`state_dict`."""


class Match:
    """The game, its protagonist and its adversaries (set after the views are built)."""

    def __init__(self, game: TwoPlayerEnv, adversaries: int, seed: int) -> None:
        self.game = game
        self.obs, _ = game.reset()
        #: which simulations began an episode at the last step (all, after the reset)
        self.episode_starts = np.ones(game.num_envs, dtype=bool)
        self.protagonist: Player | Any = None
        self.adversaries: list[Any] = []
        self.rng = np.random.default_rng([seed, 7])
        self.assignment = self.rng.integers(adversaries, size=game.num_envs)
        #: the protagonist's finished episodes, whoever played (for the run's logs)
        self.finished: list[dict[str, Any]] = []
        self.tracker = EpisodeTracker(game.num_envs, game.core.task.reward_names)

    def views(self, count: int) -> tuple[PlayerView, list[PlayerView]]:
        """The protagonist's view and one per adversary."""
        return PlayerView(self, PROTAGONIST), [PlayerView(self, ADVERSARY, k) for k in range(count)]

    def step(self, view: PlayerView, action: np.ndarray) -> tuple:
        """Step the game with ``view``'s action and everybody else's stochastic policy."""
        obs = self.obs
        if view.player == PROTAGONIST:
            protagonist_action = action
            adversary_action = np.zeros((self.game.num_envs, self.game.action_dims[ADVERSARY]))
            for k, adversary in enumerate(self.adversaries):
                sims = self.assignment == k
                if sims.any():
                    adversary_action[sims] = adversary.sample(obs[ADVERSARY][sims])
        else:
            protagonist_action = self.protagonist.sample(obs[PROTAGONIST])
            adversary_action = action
        obs, rewards, terminated, truncated, info = self.game.step(
            protagonist_action, adversary_action
        )
        done = terminated | truncated
        self.finished += self.tracker.update(rewards[PROTAGONIST], done, info)
        if done.any():
            self.assignment[done] = self.rng.integers(len(self.adversaries), size=int(done.sum()))
        self.obs, self.episode_starts = obs, done
        if view.player == ADVERSARY and "final_obs" in info:
            info = {**info, "final_obs": info["final_obs_adversary"]}
        return obs[view.player].copy(), rewards[view.player], terminated, truncated, info

    def take_finished(self) -> list[dict[str, Any]]:
        finished, self.finished = self.finished, []
        return finished

    def state_dict(self) -> dict[str, Any]:
        return {
            "game": self.game.state_dict(),
            "obs": {player: value.tolist() for player, value in self.obs.items()},
            "episode_starts": self.episode_starts.tolist(),
            "rng": self.rng.bit_generator.state,
            "assignment": self.assignment.tolist(),
            "tracker": self.tracker.state_dict(),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.game.load_state_dict(state["game"])
        self.obs = {p: np.asarray(v, dtype=np.float32) for p, v in state["obs"].items()}
        self.episode_starts = np.asarray(state["episode_starts"], dtype=bool)
        self.rng.bit_generator.state = state["rng"]
        self.assignment = np.asarray(state["assignment"], dtype=np.int64)
        self.tracker.load_state_dict(state["tracker"])
