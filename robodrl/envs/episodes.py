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
