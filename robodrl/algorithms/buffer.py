"""A replay buffer for robodrl's own off-policy algorithms on a batched env.

Each control step adds one transition per simulation. Observations are kept raw (the learner
normalizes them with its current statistics when it samples, as SB3 does with ``VecNormalize``);
the oldest transitions are overwritten once ``capacity`` is reached. Sampling draws from
torch's global generator, which checkpoints save, so a resumed run samples the same batches.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

FIELDS = ("obs", "actions", "rewards", "next_obs", "terminated")


class ReplayBuffer:
    """Transitions ``(obs, action, reward, next_obs, terminated)`` of a batched env."""

    def __init__(self, capacity: int, obs_dim: int, act_dim: int) -> None:
        self.capacity = int(capacity)
        self.obs = np.zeros((capacity, obs_dim), dtype=np.float32)
        self.actions = np.zeros((capacity, act_dim), dtype=np.float32)
        self.rewards = np.zeros(capacity, dtype=np.float32)
        self.next_obs = np.zeros((capacity, obs_dim), dtype=np.float32)
        self.terminated = np.zeros(capacity, dtype=np.float32)
        self.size = 0
        self.position = 0

    def add(self, obs, actions, rewards, next_obs, terminated) -> None:
        """One transition per simulation (arrays with one row each)."""
        rows = np.arange(self.position, self.position + len(obs)) % self.capacity
        for name, values in zip(FIELDS, (obs, actions, rewards, next_obs, terminated), strict=True):
            getattr(self, name)[rows] = values
        self.position = int((self.position + len(obs)) % self.capacity)
        self.size = min(self.size + len(obs), self.capacity)

    def sample(self, batch_size: int) -> tuple[np.ndarray, ...]:
        """``batch_size`` transitions drawn uniformly (with replacement)."""
        index = torch.randint(0, self.size, (batch_size,)).numpy()
        return tuple(getattr(self, name)[index] for name in FIELDS)

    def save(self, path: Path) -> None:
        """Write the stored transitions (``.npz``)."""
        with path.open("wb") as handle:
            np.savez(
                handle,
                size=self.size,
                position=self.position,
                **{name: getattr(self, name)[: self.size] for name in FIELDS},
            )

    def load(self, path: Path) -> None:
        """Restore :meth:`save` into a buffer of the same capacity and sizes."""
        with np.load(path) as saved:
            self.size, self.position = int(saved["size"]), int(saved["position"])
            for name in FIELDS:
                getattr(self, name)[: self.size] = saved[name]
