"""``gymnasium.vector.VectorEnv`` adapter over the batched core (same-step autoreset)."""

from __future__ import annotations

from typing import Any

import mujoco
import numpy as np
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from robodrl.envs.core import BatchedEnv
from robodrl.envs.spaces import action_space, observation_space


class RobodrlVectorEnv(VectorEnv):
    """``num_envs`` simulations in one ``mujoco.batch.Batch``; no subprocesses.

    Finished simulations are reset in the same step; their last observation is in
    ``info["final_obs"]`` (an object array, ``None`` for the others, mask ``_final_obs``).
    ``reset(options={"reset_mask": mask})`` resets only the masked simulations.
    """

    metadata: dict[str, Any] = {"autoreset_mode": AutoresetMode.SAME_STEP}  # noqa: RUF012

    def __init__(self, core: BatchedEnv) -> None:
        self.core = core
        self.num_envs = core.num_envs
        self.single_observation_space = observation_space(core)
        self.single_action_space = action_space(core)
        self.observation_space = batch_space(self.single_observation_space, self.num_envs)
        self.action_space = batch_space(self.single_action_space, self.num_envs)
        self.metadata = {
            "autoreset_mode": AutoresetMode.SAME_STEP,
            "render_fps": round(1.0 / core.control_dt),
        }

    # what robodrl's vector env exposes beyond Gymnasium's interface
    @property
    def model(self) -> mujoco.MjModel:
        """The nominal ``MjModel``."""
        return self.core.model

    @property
    def frame_skip(self) -> int:
        """Physics steps per control step."""
        return self.core.frame_skip

    @property
    def control_dt(self) -> float:
        """Seconds per control step."""
        return self.core.control_dt

    @property
    def obs_layout(self) -> dict[str, slice]:
        """Observation layout: name → slice."""
        return self.core.obs_layout

    def get_model(self, i: int) -> mujoco.MjModel:
        """Simulation ``i``'s model with its per-simulation fields."""
        return self.core.get_model(i)

    def reset(
        self, *, seed: int | list[int] | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        mask = (options or {}).get("reset_mask")
        ids = None if mask is None else np.flatnonzero(np.asarray(mask, dtype=bool))
        obs = self.core.reset(ids, seed=seed)
        info = self.core.reset_info()
        if info:
            info["_dr"] = np.ones(self.num_envs, dtype=bool)
        return obs, info

    def step(self, actions: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict]:
        obs, reward, terminated, truncated, core_info = self.core.step(actions)
        everyone = np.ones(self.num_envs, dtype=bool)
        info: dict[str, Any] = {}
        for key, value in core_info.items():
            if key == "final_obs":
                done = terminated | truncated
                final = np.full(self.num_envs, None, dtype=object)
                for i in np.flatnonzero(done):
                    final[i] = value[i]
                info["final_obs"], info["_final_obs"] = final, done
            else:
                info[key], info[f"_{key}"] = value, everyone
        return obs, reward, terminated, truncated, info
