"""``normalize.rewards``: SB3 learners see rewards divided by the running std of the discounted
return; evaluation, episode logs and the exported policy keep the task's own scale."""

from __future__ import annotations

import numpy as np
import pytest

from robodrl.algorithms.registry import get_algorithm
from robodrl.errors import ConfigError
from robodrl.resolve import validate_config
from tests.conftest import RecordingHooks

PENDULUM = {"id": "Pendulum", "num_envs": 4, "task": {"episode_seconds": 2.0}}


def _config(name: str, hyperparameters: dict, **normalize) -> object:
    return validate_config(
        {
            "env": PENDULUM,
            "algorithm": {"name": name, "hyperparameters": hyperparameters},
            "normalize": normalize,
            "total_steps": 512,
        }
    )


def test_ppo_learns_from_scaled_rewards_and_logs_the_tasks() -> None:
    config = _config("ppo", {"n_steps": 64, "batch_size": 64, "gamma": 0.9}, rewards=True)
    learner = get_algorithm("ppo").build(config)
    scaler = learner.normalizer
    assert scaler.norm_reward and scaler.gamma == 0.9  # the algorithm's discount
    hooks = RecordingHooks()
    learner.learn(512, hooks)
    episodes = hooks.episodes
    seen = learner.model.rollout_buffer.rewards  # the last rollout, as PPO learned from it
    raw = scaler.get_original_reward()
    assert scaler.ret_rms.count > 1 and np.abs(seen).max() <= config.normalize.clip
    # the last step's rewards, as PPO stored them, are the task's divided by the return's std
    scale = np.sqrt(scaler.ret_rms.var + scaler.epsilon)
    np.testing.assert_allclose(seen[-1], raw / scale, rtol=1e-6)
    assert scale > 2  # Pendulum's costs run to ~16 a step: the scale is far from 1
    # the episode log holds the task's returns (2-s episodes, at most ~16.3 a step)
    assert episodes and all(-17 * 40 <= e["return"] < 0 for e in episodes)
    assert min(e["return"] for e in episodes) < -200  # unscaled


def test_observations_off_and_rewards_on_leaves_the_policy_unnormalized() -> None:
    config = _config("ppo", {"n_steps": 64, "batch_size": 64}, observations=False, rewards=True)
    learner = get_algorithm("ppo").build(config)
    assert learner.normalizer_state() is None  # the policy takes raw observations
    assert learner.state()["reward_scale"]["count"] == learner.normalizer.ret_rms.count


@pytest.mark.parametrize("name", ["lean_ppo", "vpg"])
def test_algorithms_without_reward_scaling_refuse_it(name: str) -> None:
    with pytest.raises(ConfigError, match=r"normalize\.rewards: only .*ppo.*sac"):
        _config(name, {}, rewards=True)
