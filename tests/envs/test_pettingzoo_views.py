"""Every PettingZoo env robodrl makes draws frames (``render_mode="rgb_array"``) and gives its
global state; a team or two-player env is as complete a view as the single-agent one."""

from __future__ import annotations

import numpy as np
import pytest
from pettingzoo.test import parallel_api_test

import robodrl
from robodrl.errors import TaskArgumentError

VIEWS = [
    ("team", "robodrl/CheetahTeam-v0"),
    ("team", "robodrl/TwoArmPush-v0"),
    ("adversarial", "Hopper"),
]


def _make(kind: str, env_id: str, **kwargs):
    make = robodrl.make_parallel if kind == "team" else robodrl.make_adversarial
    return make(env_id, seed=0, **kwargs)


@pytest.mark.parametrize(("kind", "env_id"), VIEWS)
def test_render_and_state_on_every_pettingzoo_env(kind: str, env_id: str) -> None:
    env = _make(kind, env_id, render_mode="rgb_array", render_width=96, render_height=64)
    assert env.metadata["render_modes"] == ["rgb_array"] and env.metadata["render_fps"] > 0
    env.reset(seed=1)
    first = env.render()
    assert first.shape == (64, 96, 3) and first.dtype == np.uint8 and first.std() > 0
    rng = np.random.default_rng(0)
    for _ in range(20):
        if not env.agents:  # a fallen hopper ends its episode early
            break
        env.step({a: rng.uniform(-1, 1, env.action_space(a).shape) for a in env.agents})
    assert not np.array_equal(env.render(), first)  # the robot moved
    assert env.state().shape == env.state_space.shape
    assert np.isfinite(env.state()).all()
    env.close()


def test_the_two_player_state_is_the_observation_and_the_true_state() -> None:
    env = robodrl.make_adversarial("Hopper", seed=0)
    obs, _ = env.reset(seed=2)
    model = env.game.core.model
    assert env.state_space.shape == (len(obs["protagonist"]) + model.nq + model.nv,)
    np.testing.assert_array_equal(env.state()[: len(obs["protagonist"])], obs["protagonist"])
    parallel_api_test(env, num_cycles=50)


@pytest.mark.parametrize(("kind", "env_id"), VIEWS[:1] + VIEWS[2:])
def test_wrong_views_are_named(kind: str, env_id: str) -> None:
    with pytest.raises(TaskArgumentError, match="render_mode='human' is not supported"):
        _make(kind, env_id, render_mode="human")
    env = _make(kind, env_id)
    env.reset(seed=0)
    with pytest.warns(UserWarning, match="render_mode='rgb_array'"):
        assert env.render() is None
    with pytest.raises(TaskArgumentError, match="takes no num_envs=0"):
        robodrl.make_parallel("robodrl/CheetahTeam-v0", num_envs=0)
