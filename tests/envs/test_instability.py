"""An injected instability is caught in its step; that simulation alone is truncated."""

from __future__ import annotations

import numpy as np
import pytest

import robodrl


@pytest.mark.parametrize("env_id", ["Cheetah", "Quadruped", "ArmPush"])
@pytest.mark.parametrize("poison", [np.nan, 1e30])
def test_injected_instability_truncates_only_that_simulation(env_id: str, poison: float) -> None:
    core = robodrl.make_core(env_id, 4, seed=0)
    zero = np.zeros((4, core.action_dim))
    for _ in range(3):
        previous, *_ = core.step(zero)
    core.task.qvel[2, 0] = poison  # simulation 2 blows up in the next step
    obs, reward, terminated, truncated, info = core.step(zero)

    assert info["sim_unstable"].tolist() == [False, False, True, False]
    assert truncated[2] and not terminated[2]
    assert not truncated[[0, 1, 3]].any()
    assert reward[2] == 0.0
    assert np.isfinite(obs).all() and np.isfinite(reward).all()
    # the final observation is the last finite one, not MuJoCo's silently reset state
    np.testing.assert_array_equal(info["final_obs"][2], previous[2])
    # the simulation restarted from the task's reset distribution and steps on normally
    assert core.elapsed_steps[2] == 0 and core.elapsed_steps[0] == 4
    for _ in range(5):
        obs, _, _, truncated, info = core.step(zero)
        assert not info["sim_unstable"].any()
        assert np.isfinite(obs).all()


def test_unstable_simulation_in_sb3_vec_env_reports_it() -> None:
    env = robodrl.make_sb3_vec("Cheetah", 2, seed=0)
    env.reset()
    env.unwrapped.core.task.qvel[1, 0] = np.inf
    obs, _, dones, infos = env.step(np.zeros((2, 6)))
    assert dones.tolist() == [False, True]
    assert infos[1]["sim_unstable"] and infos[1]["TimeLimit.truncated"]
    assert np.isfinite(infos[1]["terminal_observation"]).all() and np.isfinite(obs).all()


def test_single_env_reports_instability() -> None:
    import gymnasium

    env = gymnasium.make("robodrl/Hopper-v0")
    env.reset(seed=0)
    env.unwrapped.core.task.qvel[0, 1] = np.nan
    obs, reward, terminated, truncated, info = env.step(np.zeros(3, dtype=np.float32))
    assert info["sim_unstable"] and truncated and not terminated
    assert np.isfinite(obs).all() and reward == 0.0
