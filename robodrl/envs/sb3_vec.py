"""Stable-Baselines3 ``VecEnv`` adapter over the batched core (no subprocesses)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import gymnasium
import numpy as np
from stable_baselines3.common.vec_env.base_vec_env import VecEnv, VecEnvIndices

from robodrl.envs.core import BatchedEnv
from robodrl.envs.episodes import EpisodeTracker
from robodrl.envs.spaces import action_space, observation_space


class RobodrlVecEnv(VecEnv):
    """SB3 view of the batched core: same-step autoreset, with ``terminal_observation`` and
    ``TimeLimit.truncated`` in the finished environments' infos, as SB3 expects. A finished
    episode's info also holds ``episode`` (``r`` return, ``l`` length, ``t`` 0.0, as SB3's
    Monitor writes it) and ``episode_terms`` (the return of each reward term)."""

    def __init__(self, core: BatchedEnv) -> None:
        self.core = core
        self.render_mode = None
        super().__init__(core.num_envs, observation_space(core), action_space(core))
        self._actions: np.ndarray | None = None
        self.episodes = EpisodeTracker(core.num_envs, core.task.reward_names)

    def reset(self) -> np.ndarray:
        if any(seed is not None for seed in self._seeds):
            self.core.seed([0 if s is None else s for s in self._seeds])
        obs = self.core.reset()
        self.episodes.reset()
        self._reset_seeds()
        self._reset_options()
        return obs

    def step_async(self, actions: np.ndarray) -> None:
        self._actions = actions

    def step_wait(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[dict[str, Any]]]:
        obs, reward, terminated, truncated, info = self.core.step(self._actions)
        dones = terminated | truncated
        infos: list[dict[str, Any]] = [{} for _ in range(self.num_envs)]
        for episode in self.episodes.update(reward, dones, info):
            i = episode["env"]
            infos[i]["terminal_observation"] = info["final_obs"][i]
            infos[i]["TimeLimit.truncated"] = bool(truncated[i] and not terminated[i])
            infos[i]["episode"] = {"r": episode["return"], "l": episode["length"], "t": 0.0}
            infos[i]["episode_terms"] = episode["terms"]
        for key in ("sim_unstable", "action_fault"):
            for i in np.flatnonzero(info[key]):
                infos[i][key] = True
        return obs, reward.astype(np.float32), dones, infos

    def state_dict(self) -> dict[str, Any]:
        """The core's state plus the running episode statistics."""
        return {"core": self.core.state_dict(), **self.episodes.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict`."""
        self.core.load_state_dict(state["core"])
        self.episodes.load_state_dict(state)

    def close(self) -> None:
        """Nothing to release: the simulations live in this process."""

    def _indices(self, indices: VecEnvIndices) -> Sequence[int]:
        return list(self._get_indices(indices))

    def get_attr(self, attr_name: str, indices: VecEnvIndices = None) -> list[Any]:
        value = getattr(self.core, attr_name, None) if attr_name != "render_mode" else None
        if value is None and attr_name != "render_mode" and not hasattr(self.core, attr_name):
            raise AttributeError(f"robodrl env has no attribute {attr_name!r}")
        return [value for _ in self._indices(indices)]

    def set_attr(self, attr_name: str, value: Any, indices: VecEnvIndices = None) -> None:
        raise AttributeError(
            f"cannot set {attr_name!r} per environment: robodrl simulations share one core"
        )

    def env_method(
        self, method_name: str, *method_args, indices: VecEnvIndices = None, **method_kwargs
    ) -> list[Any]:
        method = getattr(self.core, method_name)
        return [method(*method_args, **method_kwargs) for _ in self._indices(indices)]

    def env_is_wrapped(
        self, wrapper_class: type[gymnasium.Wrapper], indices: VecEnvIndices = None
    ) -> list[bool]:
        return [False for _ in self._indices(indices)]
