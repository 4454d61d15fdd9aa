"""Run one episode in every simulation of a core: the loop evaluation, export checks and sweeps
share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from robodrl.envs.core import BatchedEnv


@dataclass
class EpisodeStats:
    """Per simulation: return, length, whether it fell (terminated), went unstable, succeeded
    (``is_success`` at its last step; all False for tasks without success)."""

    returns: np.ndarray
    lengths: np.ndarray
    fell: np.ndarray
    unstable: np.ndarray
    success: np.ndarray


def run_episodes(core: BatchedEnv, act: Callable[[np.ndarray], np.ndarray]) -> EpisodeStats:
    """Reset ``core`` (built with ``autoreset=False``) and step every simulation through one
    episode with ``act(observations) -> actions in [-1, 1]``."""
    if core.autoreset:
        raise ValueError("run_episodes needs a core built with autoreset=False")
    n = core.num_envs
    obs = core.reset()
    returns, lengths = np.zeros(n), np.zeros(n, dtype=np.int64)
    running = np.ones(n, dtype=bool)
    fell, unstable, success = np.zeros(n, bool), np.zeros(n, bool), np.zeros(n, bool)
    while running.any():
        obs, reward, terminated, truncated, info = core.step(act(obs))
        returns += reward * running
        lengths += running
        fell |= terminated & running
        unstable |= info["sim_unstable"] & running
        if "is_success" in info:
            success = np.where(running, info["is_success"], success)
        running &= ~(terminated | truncated)
    return EpisodeStats(returns, lengths, fell, unstable, success)


class EpisodeTracker:
    """Running return, length and reward-term sums of every simulation of an autoresetting
    core; ``update`` returns the episodes that just finished (``env``, ``return``, ``length``,
    ``terms``: the return of each reward term)."""

    def __init__(self, num_envs: int, reward_names: tuple[str, ...]) -> None:
        self.returns = np.zeros(num_envs)
        self.lengths = np.zeros(num_envs, dtype=np.int64)
        self.terms = {name: np.zeros(num_envs) for name in reward_names}

    def update(self, reward: np.ndarray, done: np.ndarray, info: dict) -> list[dict]:
        """Add one step; return the finished episodes and restart their sums."""
        self.returns += reward
        self.lengths += 1
        for name, sums in self.terms.items():
            sums += info[f"reward_{name}"]
        finished = [
            {
                "env": int(i),
                "return": float(self.returns[i]),
                "length": int(self.lengths[i]),
                "terms": {name: float(sums[i]) for name, sums in self.terms.items()},
            }
            for i in np.flatnonzero(done)
        ]
        if finished:
            self.returns[done], self.lengths[done] = 0.0, 0
            for sums in self.terms.values():
                sums[done] = 0.0
        return finished

    def reset(self) -> None:
        """Every simulation starts a new episode."""
        self.returns[:], self.lengths[:] = 0.0, 0
        for sums in self.terms.values():
            sums[:] = 0.0

    def state_dict(self) -> dict:
        """The running sums as plain lists."""
        return {
            "episode_return": self.returns.tolist(),
            "episode_length": self.lengths.tolist(),
            "episode_terms": {k: v.tolist() for k, v in self.terms.items()},
        }

    def load_state_dict(self, state: dict) -> None:
        """Restore :meth:`state_dict`."""
        self.returns[:] = state["episode_return"]
        self.lengths[:] = state["episode_length"]
        for name, values in state["episode_terms"].items():
            self.terms[name][:] = values
