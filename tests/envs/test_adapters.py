"""Gymnasium ``Env`` / ``VectorEnv`` and SB3 ``VecEnv`` views of the one core behave as their
libraries expect: spaces, autoreset, infos, and real training on top."""

from __future__ import annotations

import gymnasium
import numpy as np
from gymnasium.vector import AutoresetMode
from stable_baselines3 import PPO, SAC

import robodrl


def test_make_vec_exposes_model_frame_skip_and_per_sim_models() -> None:
    env = robodrl.make_vec("robodrl/Cheetah-v0", 4, num_threads=2, seed=0)
    assert env.num_envs == 4 and env.model.nu == 6 and env.frame_skip == 5
    assert env.core.num_threads == 2
    assert np.isclose(env.control_dt, env.model.opt.timestep * 5)
    assert env.observation_space.shape == (4, 17) and env.action_space.shape == (4, 6)
    assert env.metadata["autoreset_mode"] == AutoresetMode.SAME_STEP
    # get_model(i) carries simulation i's own fields
    env.core.batch.expand("body_mass")[1, 1] = 42.0
    assert env.get_model(1).body_mass[1] == 42.0
    assert env.get_model(0).body_mass[1] == env.model.body_mass[1] != 42.0


def test_observation_layout_covers_the_observation(env_id: str) -> None:
    env = robodrl.make_vec(env_id, 1)
    layout = env.obs_layout
    covered = np.zeros(env.single_observation_space.shape[0], dtype=int)
    for part in layout.values():
        covered[part] += 1
    assert (covered == 1).all(), layout


def test_vector_env_same_step_autoreset_and_final_obs() -> None:
    env = robodrl.make_vec("Pendulum", 3, seed=0, episode_seconds=0.25)  # 5 control steps
    env.reset(seed=0)
    for _ in range(5):
        obs, _, terminated, truncated, info = env.step(np.zeros((3, 1)))
    assert truncated.all() and not terminated.any()
    assert info["_final_obs"].all()
    assert all(final.shape == (3,) for final in info["final_obs"])
    assert not np.array_equal(np.stack(info["final_obs"]), obs)  # obs already of the new episode
    assert (env.core.elapsed_steps == 0).all()


def test_vector_env_reset_mask_resets_only_masked() -> None:
    env = robodrl.make_vec("Cheetah", 3, seed=0)
    env.reset(seed=0)
    for _ in range(5):
        env.step(np.ones((3, 6)))
    obs, _ = env.reset(options={"reset_mask": np.array([False, True, False])})
    assert env.core.elapsed_steps.tolist() == [5, 0, 5]
    assert obs.shape == (3, 17)


def test_sb3_vec_env_terminal_observation_and_time_limit() -> None:
    env = robodrl.make_sb3_vec("Pendulum", 2, seed=0, episode_seconds=0.25)
    env.reset()
    for _ in range(5):
        _, rewards, dones, infos = env.step(np.zeros((2, 1), dtype=np.float32))
    assert dones.all() and rewards.dtype == np.float32
    for info in infos:
        assert info["TimeLimit.truncated"] is True
        assert info["terminal_observation"].shape == (3,)


def test_sb3_vec_env_terminated_is_not_time_limit() -> None:
    env = robodrl.make_sb3_vec("Hopper", 1, seed=0)
    env.reset()
    core = env.core
    core.task.qpos[0, 2] = 0.5
    core.batch.forward()
    _, _, dones, infos = env.step(np.zeros((1, 3), dtype=np.float32))
    assert dones[0] and infos[0]["TimeLimit.truncated"] is False


def test_sb3_seed_then_reset_matches_core_seeding() -> None:
    env = robodrl.make_sb3_vec("Hopper", 2)
    env.seed(9)
    obs = env.reset()
    expected = robodrl.make_core("Hopper", 2, seed=0).reset(seed=9)
    np.testing.assert_array_equal(obs, expected)


def test_ppo_and_sac_train_on_the_sb3_vec_env() -> None:
    env = robodrl.make_sb3_vec("Pendulum", 4, seed=0)
    ppo = PPO("MlpPolicy", env, n_steps=32, batch_size=64, n_epochs=1, seed=0, device="cpu")
    ppo.learn(256)
    assert ppo.num_timesteps >= 256
    sac = SAC("MlpPolicy", env, learning_starts=16, batch_size=32, seed=0, device="cpu")
    sac.learn(128)
    assert sac.num_timesteps >= 128


def test_gymnasium_make_env_metadata() -> None:
    env = gymnasium.make("robodrl/Quadruped-v0")
    assert env.unwrapped.metadata["render_fps"] == 50
    obs, info = env.reset(seed=1)
    assert obs.dtype == np.float32 and info == {}
    assert env.unwrapped.model.nu == 12
