"""``gymnasium.Env`` adapter: one simulation of the batched core (``gymnasium.make`` target)."""

from __future__ import annotations

from typing import Any

import gymnasium
import numpy as np

from robodrl.envs.core import InvalidActionMode
from robodrl.envs.frames import FrameRenderer, check_render_mode
from robodrl.envs.spaces import action_space, observation_space
from robodrl.errors import InvalidActionError
from robodrl.make import RobustnessSource, make_core


class RobodrlEnv(gymnasium.Env):
    """A single robodrl task as a Gymnasium environment (num_envs = 1, one thread).

    Time limits are applied by the core (``truncated``); ``info`` carries each weighted
    reward term as ``reward_<term>``, plus ``sim_unstable`` and ``action_fault``; with domain
    randomization, ``info["dr"]`` holds the episode's randomized values (reset and step).
    ``render_mode="rgb_array"`` makes ``render()`` return a frame (offscreen: ``MUJOCO_GL=egl``).
    """

    metadata: dict[str, Any] = {"render_modes": ["rgb_array"]}  # noqa: RUF012 (Gymnasium's)

    def __init__(
        self,
        env_id: str,
        *,
        invalid_action: InvalidActionMode = "raise",
        randomization: RobustnessSource = None,
        perturbations: RobustnessSource = None,
        render_mode: str | None = None,
        render_width: int = 480,
        render_height: int = 360,
        **task_kwargs: Any,
    ) -> None:
        check_render_mode(render_mode)
        self.core = make_core(
            env_id,
            1,
            num_threads=1,
            invalid_action=invalid_action,
            randomization=randomization,
            perturbations=perturbations,
            autoreset=False,
            **task_kwargs,
        )
        self.env_id = env_id
        self.observation_space = observation_space(self.core)
        self.action_space = action_space(self.core)
        self.metadata = {
            "render_modes": ["rgb_array"],
            "render_fps": round(1.0 / self.core.control_dt),
        }
        self.render_mode = render_mode
        self._frames = FrameRenderer(self.core, render_width, render_height)

    @property
    def model(self):
        """The nominal ``MjModel``."""
        return self.core.model

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        super().reset(seed=seed)
        obs = self.core.reset(seed=seed)[0]
        return obs, {key: _first(value) for key, value in self.core.reset_info().items()}

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        act = np.asarray(action)
        if act.shape != self.action_space.shape:
            raise InvalidActionError(
                f"action has shape {act.shape}; expected {self.action_space.shape} "
                f"(one entry each for {self.core.actuator_names})"
            )
        obs, reward, terminated, truncated, info = self.core.step(act[None])
        info = {key: _first(value) for key, value in info.items()}
        return obs[0], reward[0].item(), terminated[0].item(), truncated[0].item(), info

    def render(self) -> np.ndarray | None:
        """The current frame as an ``(height, width, 3)`` uint8 array (``rgb_array`` mode)."""
        return self._frames.render(self.render_mode)

    def close(self) -> None:
        self._frames.close()


def _first(value: Any) -> Any:
    """Simulation 0's entry of a batched info value (dicts of arrays included)."""
    if isinstance(value, dict):
        return {key: np.array(v[0]) for key, v in value.items()}
    return value[0].item()
