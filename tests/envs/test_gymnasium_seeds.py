"""Episode e of seed s, wherever robodrl states a seed, is what ``gymnasium.make(id)
.reset(seed=s + e)`` gives: a core or vector env built with ``seed=s`` and reset, evaluation
and sweeps, bit for bit with the same actions, on every task."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

import robodrl
from robodrl.make import make_core


@pytest.mark.parametrize("env_id", robodrl.env_ids())
def test_a_seeded_batch_is_gymnasium_s_seeded_episodes(env_id: str) -> None:
    seed, n, steps = 10_000, 3, 5
    core = make_core(env_id, n, seed=seed, autoreset=False)
    vector = robodrl.make_vec(env_id, n, seed=seed)
    batch_first = core.reset()
    np.testing.assert_array_equal(vector.reset()[0], batch_first)
    rng = np.random.default_rng(0)
    actions = rng.uniform(-1, 1, (steps, n, core.action_dim))
    batch = [batch_first] + [core.step(a)[0] for a in actions]
    for e in range(n):
        env = gym.make(env_id)
        obs, _ = env.reset(seed=seed + e)
        single = [obs] + [env.step(a[e])[0] for a in actions]
        np.testing.assert_array_equal(np.array(single), np.array(batch)[:, e], err_msg=f"{e}")


def test_a_second_reset_continues_the_stream() -> None:
    core = make_core("robodrl/Pendulum-v0", 2, seed=5, autoreset=False)
    first, second = core.reset(), core.reset()
    assert not np.array_equal(first, second)  # new episodes, not the seed's first again
    np.testing.assert_array_equal(core.reset(seed=5), first)


def test_a_step_before_any_reset_continues_the_streams() -> None:
    """Stepping a fresh core (no reset) goes on from its first episodes: a later reset draws
    new ones, never the first again."""
    core = make_core("robodrl/Pendulum-v0", 2, seed=5, autoreset=False)
    first = core.last_obs
    core.step(np.zeros((2, 1)))
    assert not np.array_equal(core.reset(), first)
