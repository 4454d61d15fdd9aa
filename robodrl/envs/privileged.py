"""What an asymmetric critic sees: the true state behind a batched env's observations.

A policy's observations are what a robot's sensors deliver, and under perturbations they are
noisy, biased and late. A critic is used only in training, so it may see more (Pinto et al.,
"Asymmetric actor critic for image-based robot learning", 2018; the privileged critics of the
legged-robot literature): the observation without noise, bias or latency, the task's own
privileged quantities (:meth:`~robodrl.envs.task.Task.privileged_observation`), and every
randomized model parameter of the simulation's episode (friction, payload, link masses, gains,
motor strength). A better informed critic gives the policy less noisy advantages; the policy,
and so what is exported, still sees only the observation.
"""

from __future__ import annotations

import numpy as np

from robodrl.envs.core import BatchedEnv
from robodrl.errors import ConfigError


class PrivilegedView:
    """The critic's observations of ``core``: :meth:`observe` for the simulations as they are
    now; after a step that ended episodes, :attr:`final` holds every simulation's as it was
    before autoreset started the new ones (the time-limit bootstrap's input)."""

    def __init__(self, core: BatchedEnv, *, where: str) -> None:
        if not isinstance(core, BatchedEnv):
            raise ConfigError(
                f"{where}: privileged needs a single robot's batched env, and this run trains "
                f"on {type(core).__name__}; use policy"
            )
        self.core = core
        self.final: np.ndarray | None = None
        earlier = core.on_episode_end

        def capture(ids: np.ndarray) -> None:
            self.final = self.observe()
            if earlier is not None:
                earlier(ids)

        core.on_episode_end = capture
        self.dim = self.observe().shape[1]

    def observe(self) -> np.ndarray:
        """``(num_envs, dim)`` float32: the clean observation, the task's privileged
        quantities, then each randomized parameter's values this episode (once for a value
        its elements share)."""
        core, n = self.core, self.core.num_envs
        parts = [core.task.observe()]
        extra = core.task.privileged_observation()
        if extra is not None:
            parts.append(extra)
        randomizer = core.randomizer
        for param in [] if randomizer is None else randomizer.params:
            values = np.reshape(randomizer.values[param.label], (n, len(param.elements), -1))
            # a value shared by many elements (one friction for every geom) is one entry
            parts.append((values[:, :1] if param.spec.shared else values).reshape(n, -1))
        rows = np.concatenate(parts, axis=1).astype(np.float32)
        # an unstable simulation's state is not finite; the core ends its episode
        return np.nan_to_num(rows, nan=0.0, posinf=0.0, neginf=0.0)
