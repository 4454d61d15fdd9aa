"""A batch equals single environments bit for bit; seeds fix rollouts."""

from __future__ import annotations

import numpy as np
import pytest

import robodrl
from tests.conftest import action_sequence

NUM_ENVS = 3
NUM_STEPS = 60


def _rollout(core, actions: np.ndarray) -> dict[str, np.ndarray]:
    """Observations, rewards and dones of a core driven by ``actions``."""
    obs = [core.reset()]
    rewards, dones = [], []
    for action in actions:
        o, r, terminated, truncated, _ = core.step(action)
        obs.append(o)
        rewards.append(r)
        dones.append(terminated | truncated)
    return {"obs": np.array(obs), "reward": np.array(rewards), "done": np.array(dones)}


@pytest.mark.parametrize("num_threads", [1, 2])
def test_batch_equals_single_envs(env_id: str, num_threads: int) -> None:
    seed = 7
    probe = robodrl.make_core(env_id, 1, seed=0)
    # short episodes so that same-step resets happen inside the comparison
    kwargs = {"episode_seconds": 25 * probe.control_dt}
    actions = action_sequence(NUM_STEPS, NUM_ENVS, probe.action_dim)

    batch = robodrl.make_core(env_id, NUM_ENVS, num_threads=num_threads, seed=seed, **kwargs)
    batched = _rollout(batch, actions)
    for i in range(NUM_ENVS):
        single = robodrl.make_core(env_id, 1, num_threads=1, seed=seed + i, **kwargs)
        alone = _rollout(single, actions[:, i : i + 1])
        for key in ("obs", "reward", "done"):
            np.testing.assert_array_equal(batched[key][:, i], alone[key][:, 0], err_msg=key)
    assert batched["done"].any(), "the comparison should cover an autoreset"


def test_same_seed_same_rollout(env_id: str) -> None:
    probe = robodrl.make_core(env_id, 1, seed=0)
    actions = action_sequence(30, 2, probe.action_dim)
    first = _rollout(robodrl.make_core(env_id, 2, seed=11), actions)
    second = _rollout(robodrl.make_core(env_id, 2, seed=11), actions)
    for key in first:
        np.testing.assert_array_equal(first[key], second[key])


def test_different_seeds_different_initial_states(env_id: str) -> None:
    a = robodrl.make_core(env_id, 4, seed=1).reset()
    b = robodrl.make_core(env_id, 4, seed=100).reset()
    assert not np.array_equal(a, b)
    # simulations within one batch start apart too
    assert len({row.tobytes() for row in a}) == 4


def test_zero_reset_noise_is_deterministic() -> None:
    a = robodrl.make_core("Cheetah", 2, seed=1, reset_noise_scale=0.0).reset()
    b = robodrl.make_core("Cheetah", 2, seed=2, reset_noise_scale=0.0).reset()
    np.testing.assert_array_equal(a, b)


def test_gymnasium_env_reset_seed_matches_core() -> None:
    import gymnasium

    env = gymnasium.make("robodrl/Hopper-v0")
    obs, _ = env.reset(seed=5)
    core_obs = robodrl.make_core("Hopper", 1, seed=0).reset(seed=5)
    np.testing.assert_array_equal(obs, core_obs[0])
