"""The two-player (protagonist vs adversary) batched env of Robust Adversarial RL.

Both players act on the same simulations of one batched core: the adversary's action becomes
bounded forces on the configured bodies (:mod:`robodrl.robustness.adversary`), the
protagonist's drives the actuators, and one call steps the physics. The game is zero-sum: the
adversary's reward is minus the protagonist's. Domain randomization and scripted
perturbations act underneath as in the single-agent env; with ``max_force: 0`` the two-player
env is the single-agent env bit for bit.

The adversary observes what the protagonist observes, or with ``observation: privileged``
also the true ``qpos`` and ``qvel`` of the simulation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from robodrl.envs.core import BatchedEnv, SeedLike
from robodrl.robustness.adversary import Adversary, AdversarySpec

PROTAGONIST, ADVERSARY = "protagonist", "adversary"
PLAYERS = (PROTAGONIST, ADVERSARY)


class TwoPlayerEnv:
    """A protagonist and an adversary on ``core``'s simulations, stepped together."""

    def __init__(self, core: BatchedEnv, spec: AdversarySpec) -> None:
        self.core = core
        self.num_envs = core.num_envs
        self.agents = list(PLAYERS)
        self.adversary = Adversary(spec, core.batch, core.model)
        self.privileged = spec.observation == "privileged"
        self._qpos = core.batch.bind("qpos")
        self._qvel = core.batch.bind("qvel")
        extra = core.model.nq + core.model.nv if self.privileged else 0
        self.obs_dims = {PROTAGONIST: core.obs_dim, ADVERSARY: core.obs_dim + extra}
        #: the global state: the protagonist's observation and the true qpos and qvel
        self.state_dim = core.obs_dim + core.model.nq + core.model.nv
        self.action_dims = {PROTAGONIST: core.action_dim, ADVERSARY: self.adversary.action_dim}
        self._final_state: np.ndarray | None = None
        core.on_episode_end = self._episode_end

    def _state(self) -> np.ndarray:
        """The privileged part of the adversary's observation: true qpos and qvel."""
        return np.concatenate([self._qpos, self._qvel], axis=1).astype(np.float32)

    def state(self) -> np.ndarray:
        """Every simulation's global state ``(num_envs, state_dim)`` (centralized critics)."""
        return np.concatenate([self.core.last_obs, self._state()], axis=1)

    def _episode_end(self, ids: np.ndarray) -> None:
        if self.privileged:
            self._final_state = self._state()[ids]
        self.adversary.reset(ids)  # the reset about to happen clears their forces

    def adversary_obs(self, obs: np.ndarray) -> np.ndarray:
        """The adversary's observations given the protagonist's."""
        return np.concatenate([obs, self._state()], axis=1) if self.privileged else obs.copy()

    def reset(
        self, ids: np.ndarray | None = None, *, seed: SeedLike = None
    ) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """Reset simulations ``ids`` (all by default); every simulation's observations per
        player and the reset info (as ``make_vec``'s: the randomized values under ``dr``)."""
        chosen = np.arange(self.num_envs) if ids is None else np.asarray(ids, dtype=np.int64)
        self.adversary.reset(chosen)
        obs = self.core.reset(None if ids is None else chosen, seed=seed)
        return {PROTAGONIST: obs, ADVERSARY: self.adversary_obs(obs)}, self.core.reset_info()

    def step(
        self, protagonist_action: Any, adversary_action: Any
    ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], np.ndarray, np.ndarray, dict]:
        """One control step of both players: observations and rewards per player, then the
        shared terminated / truncated flags and the core's info. With autoreset, a finished
        episode's last observations are in ``info["final_obs"]`` (protagonist) and
        ``info["final_obs_adversary"]``."""
        action = self.adversary.check_action(adversary_action, self.num_envs)
        self.adversary.apply(action)
        obs, reward, terminated, truncated, info = self.core.step(protagonist_action)
        if "final_obs" in info:
            final = info["final_obs"]
            info["final_obs_adversary"] = final.copy()
            if self.privileged:
                done = np.flatnonzero(terminated | truncated)
                extra = np.zeros((self.num_envs, self.obs_dims[ADVERSARY] - final.shape[1]))
                extra[done] = self._final_state
                info["final_obs_adversary"] = np.concatenate([final, extra], axis=1).astype(
                    np.float32
                )
        observations = {PROTAGONIST: obs, ADVERSARY: self.adversary_obs(obs)}
        return observations, {PROTAGONIST: reward, ADVERSARY: -reward}, terminated, truncated, info

    def step_agents(self, actions: dict[str, Any]) -> tuple:
        """:meth:`step` with one action per player in a dict (the multi-agent interface)."""
        return self.step(actions[PROTAGONIST], actions[ADVERSARY])

    def state_dict(self) -> dict[str, Any]:
        """The core's state and the adversary's forces, to continue exactly."""
        return {"core": self.core.state_dict(), "adversary": self.adversary.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.core.load_state_dict(state["core"])
        self.adversary.load_state_dict(state["adversary"])


class AgainstAdversary:
    """The protagonist's side of a game against a fixed adversary policy, shaped like a core
    built without autoreset (for ``envs.episodes.run_episodes``, evaluation and sweeps)."""

    def __init__(self, game: TwoPlayerEnv, act: Callable[[np.ndarray], np.ndarray]) -> None:
        if game.core.autoreset:
            raise ValueError("AgainstAdversary needs a game whose core has autoreset=False")
        self.game, self.act = game, act
        self.core = game.core
        self.num_envs, self.autoreset, self.task = game.num_envs, False, game.core.task
        self.randomizer = game.core.randomizer
        self.obs_dim, self.action_dim = game.obs_dims[PROTAGONIST], game.action_dims[PROTAGONIST]
        self._adversary_obs: np.ndarray | None = None

    def reset(self) -> np.ndarray:
        obs, _ = self.game.reset()
        self._adversary_obs = obs[ADVERSARY]
        return obs[PROTAGONIST]

    def step(self, action: np.ndarray) -> tuple:
        obs, rewards, terminated, truncated, info = self.game.step(
            action, self.act(self._adversary_obs)
        )
        self._adversary_obs = obs[ADVERSARY]
        return obs[PROTAGONIST], rewards[PROTAGONIST], terminated, truncated, info
