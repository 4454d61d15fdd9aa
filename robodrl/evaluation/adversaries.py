"""The adversary a sweep's ``adversary_force_scale`` axis pits policies against: the trained
adversaries of a ``rarl`` run, or uniformly random forces under the task's default adversary
(the baseline: the same bodies and caps, no learning)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from robodrl.envs.two_player import ADVERSARY, TwoPlayerEnv
from robodrl.errors import ConfigError
from robodrl.robustness.adversary import AdversarySpec, load_adversary

RANDOM = "random"
Act = Callable[[np.ndarray], np.ndarray]


def load_sweep_adversary(
    source: str, env_id: str, *, trust: bool = False
) -> tuple[AdversarySpec, Callable[[TwoPlayerEnv, int], Act]]:
    """Where ``source`` pushes and, for a game and a seed, its forces. ``source``: a rarl run
    directory or ``random``; a run must have been trained on ``env_id``."""
    if source == RANDOM:
        return load_adversary("default", env_id), _random_forces
    from robodrl.runs.loading import load_run_adversaries

    if not Path(source).is_dir():
        raise ConfigError(
            f"--adversary {source}: not a run directory; give a run trained with algorithm "
            f"rarl, or {RANDOM!r}"
        )
    trained_on, spec, act = load_run_adversaries(source, trust=trust)
    if trained_on != env_id:
        raise ConfigError(
            f"--adversary {source}: its adversaries were trained on {trained_on}; the "
            f"policies are for {env_id}"
        )
    return spec, lambda game, seed: act


def _random_forces(game: TwoPlayerEnv, seed: int) -> Act:
    """Uniform random actions in [-1, 1] (forces up to the caps) every step, seeded."""
    rng = np.random.default_rng([seed, 11])
    dim = game.action_dims[ADVERSARY]
    return lambda obs: rng.uniform(-1.0, 1.0, (len(obs), dim))
