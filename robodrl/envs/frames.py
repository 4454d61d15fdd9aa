"""Offscreen frames of one simulation of a batched core: what ``render()`` returns for the
Gymnasium env and the PettingZoo envs (``render_mode="rgb_array"``, ``MUJOCO_GL=egl``)."""

from __future__ import annotations

import gymnasium
import mujoco
import numpy as np

from robodrl.envs.core import BatchedEnv
from robodrl.errors import TaskArgumentError

RENDER_MODES = (None, "rgb_array")


def check_render_mode(render_mode: str | None) -> None:
    """Refuse a render mode robodrl's envs do not draw."""
    if render_mode not in RENDER_MODES:
        raise TaskArgumentError(
            f"render_mode={render_mode!r} is not supported; use 'rgb_array' or None"
        )


class FrameRenderer:
    """Frames of simulation 0 of ``core``, from its first camera (else the free camera)."""

    def __init__(self, core: BatchedEnv, width: int = 480, height: int = 360) -> None:
        self.core, self.size = core, (height, width)
        self._renderer: mujoco.Renderer | None = None

    def render(self, render_mode: str | None) -> np.ndarray | None:
        """An env's ``render()``: the frame in ``rgb_array`` mode, else None with a warning."""
        if render_mode is None:
            gymnasium.logger.warn(
                "render() without render_mode: make the env with render_mode='rgb_array'"
            )
            return None
        return self.frame()

    def frame(self) -> np.ndarray:
        """The current frame as an ``(height, width, 3)`` uint8 array."""
        model = self.core.model
        if self._renderer is None:
            try:
                self._renderer = mujoco.Renderer(model, *self.size)
            except Exception as err:  # MuJoCo raises FatalError without a GL context
                raise TaskArgumentError(
                    f"cannot render offscreen ({err}); set MUJOCO_GL=egl before MuJoCo is "
                    "imported and install Debian's libegl1 libegl-mesa0 libgl1-mesa-dri"
                ) from None
        data = self.core.get_data(0)
        mujoco.mj_forward(model, data)
        self._renderer.update_scene(data, camera=0 if model.ncam else -1)
        return self._renderer.render()

    def close(self) -> None:
        if self._renderer is not None:
            self._renderer.close()
            self._renderer = None
