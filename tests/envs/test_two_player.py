"""The two-player (protagonist vs adversary) env: zero-sum, equal to the single-agent env when
the adversary has no force, exact resume, privileged observations, and the PettingZoo API."""

from __future__ import annotations

import numpy as np
import pytest
from pettingzoo.test import parallel_api_test

import robodrl
from robodrl.envs.two_player import ADVERSARY, PROTAGONIST
from robodrl.errors import InvalidActionError


def test_without_force_the_two_player_env_is_the_single_agent_env_bit_for_bit() -> None:
    kwargs = {"seed": 5, "randomization": "dr-default", "perturbations": "dr-default"}
    single = robodrl.make_core("Hopper", 8, **kwargs)
    game = robodrl.make_two_player(
        "Hopper",
        8,
        adversary={"bodies": ["torso", "foot"], "max_force": 0.0, "components": ["x", "z"]},
        **kwargs,
    )
    rng = np.random.default_rng(0)
    obs, info = game.reset()  # as make_vec: observations and info (the randomized values)
    np.testing.assert_array_equal(obs[PROTAGONIST], single.reset())
    assert set(obs) == {PROTAGONIST, ADVERSARY}
    for label, values in single.reset_info()["dr"].items():
        np.testing.assert_array_equal(info["dr"][label], values)
    ends = 0
    for _ in range(300):
        action = rng.uniform(-1, 1, (8, 3))
        obs, reward, terminated, truncated, _info = single.step(action)
        obs2, rewards, terminated2, truncated2, _ = game.step(action, rng.uniform(-1, 1, (8, 4)))
        np.testing.assert_array_equal(obs2[PROTAGONIST], obs)
        np.testing.assert_array_equal(obs2[ADVERSARY], obs)  # it sees what the robot sees
        np.testing.assert_array_equal(rewards[PROTAGONIST], reward)
        np.testing.assert_array_equal(rewards[ADVERSARY], -reward)  # zero-sum
        np.testing.assert_array_equal(terminated2, terminated)
        np.testing.assert_array_equal(truncated2, truncated)
        ends += int((terminated | truncated).sum())
    assert ends > 0  # autoresets happened along the way


def test_the_adversary_moves_the_robot() -> None:
    spec = {"bodies": ["torso"], "max_force": 100.0, "components": ["x"]}
    still = robodrl.make_two_player("Cheetah", 2, seed=0, adversary=spec)
    for _ in range(25):
        _obs, *_ = still.step(np.zeros((2, 6)), np.array([[1.0], [-1.0]]))
    x = still.core.batch.bind("qpos")[:, 0]
    assert x[0] > 0.1 and x[1] < -0.1  # pushed forward and back


def test_a_resumed_two_player_env_continues_exactly() -> None:
    kwargs = {"seed": 2, "perturbations": "dr-default", "randomization": "dr-default"}
    game = robodrl.make_two_player("Hopper", 4, **kwargs)
    rng = np.random.default_rng(3)
    actions = [(rng.uniform(-1, 1, (4, 3)), rng.uniform(-1, 1, (4, 4))) for _ in range(120)]
    for p, a in actions[:60]:
        game.step(p, a)
    saved = game.state_dict()
    later = [game.step(p, a) for p, a in actions[60:]]
    other = robodrl.make_two_player("Hopper", 4, **kwargs)
    other.load_state_dict(saved)
    for (p, a), expected in zip(actions[60:], later, strict=True):
        got = other.step(p, a)
        for player in (PROTAGONIST, ADVERSARY):
            np.testing.assert_array_equal(got[0][player], expected[0][player])
            np.testing.assert_array_equal(got[1][player], expected[1][player])


def test_a_privileged_adversary_sees_the_true_state_also_at_episode_ends() -> None:
    spec = {"bodies": ["torso"], "max_force": 10.0, "observation": "privileged"}
    game = robodrl.make_two_player("Hopper", 6, seed=4, adversary=spec)
    twin = robodrl.make_two_player("Hopper", 6, seed=4, adversary=spec, autoreset=False)
    model = game.core.model
    assert game.obs_dims[ADVERSARY] == game.obs_dims[PROTAGONIST] + model.nq + model.nv
    rng = np.random.default_rng(2)
    for _ in range(400):
        p, a = rng.uniform(-1, 1, (6, 3)), rng.uniform(-1, 1, (6, 3))
        obs, _, terminated, truncated, info = game.step(p, a)
        twin_obs, *_ = twin.step(p, a)
        done = terminated | truncated
        if done.any():  # the twin did not reset: its state is the final one
            np.testing.assert_array_equal(
                info["final_obs_adversary"][done], twin_obs[ADVERSARY][done]
            )
            break
        np.testing.assert_array_equal(obs[ADVERSARY], twin_obs[ADVERSARY])
    else:
        pytest.fail("no episode ended")
    qpos = game.core.batch.bind("qpos")
    np.testing.assert_allclose(obs[ADVERSARY][:, 11 : 11 + model.nq], qpos, rtol=1e-6)


@pytest.mark.parametrize("env_id", ["Hopper", "Legged"])
def test_the_pettingzoo_env_passes_the_parallel_api_test(env_id) -> None:
    env = robodrl.make_adversarial(env_id, seed=0)
    parallel_api_test(env, num_cycles=200)
    assert env.possible_agents == [PROTAGONIST, ADVERSARY]


def test_the_pettingzoo_env_is_seeded_and_zero_sum() -> None:
    runs = []
    for _ in range(2):
        env = robodrl.make_adversarial("Hopper", seed=None)
        obs, _ = env.reset(seed=11)
        rewards = []
        for t in range(30):
            action = {PROTAGONIST: np.full(3, np.sin(t)), ADVERSARY: np.full(4, np.cos(t))}
            obs, reward, *_ = env.step(action)
            rewards.append(reward)
            assert reward[ADVERSARY] == -reward[PROTAGONIST]
            if not env.agents:
                break
        runs.append((obs[PROTAGONIST], [r[PROTAGONIST] for r in rewards]))
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    assert runs[0][1] == runs[1][1] and len(runs[0][1]) > 5


def test_bad_pettingzoo_actions_name_the_agent() -> None:
    env = robodrl.make_adversarial("Hopper", seed=0)
    env.reset()
    with pytest.raises(InvalidActionError, match="no action for agent 'adversary'"):
        env.step({PROTAGONIST: np.zeros(3)})
    with pytest.raises(InvalidActionError, match=r"agent 'adversary' has shape \(3,\); expected"):
        env.step({PROTAGONIST: np.zeros(3), ADVERSARY: np.zeros(3)})
    with pytest.raises(InvalidActionError, match=r"unknown agents \['referee'\]"):
        env.step({PROTAGONIST: np.zeros(3), ADVERSARY: np.zeros(4), "referee": 0})
