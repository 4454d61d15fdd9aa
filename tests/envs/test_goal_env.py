"""The goal view for relabelling (HER): Fetch's dict observations cut from a task's named
blocks, its sparse reward agreeing with the task's success, SB3's SAC with its
HerReplayBuffer training on it, and a task without a goal refused naming it."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from robodrl.envs.goal_env import GoalEnv
from robodrl.envs.gym_env import RobodrlEnv
from robodrl.errors import TaskArgumentError

IDS = ["robodrl/ManipulatorReach-v0", "robodrl/ManipulatorPush-v0",
       "robodrl/ManipulatorPickPlace-v0"]  # fmt: skip


@pytest.mark.parametrize("env_id", IDS)
def test_the_goal_view_passes_the_env_checker_and_hides_what_depends_on_the_goal(
    env_id: str,
) -> None:
    env = GoalEnv(RobodrlEnv(env_id, robot="ur_class"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # unbounded boxes; a wrapper, not the raw env
        check_env(env, skip_render_check=True)
    layout = env.unwrapped.core.obs_layout
    _, desired, dependent = env.unwrapped.core.task.goal_blocks
    hidden = set()
    for name in (desired, *dependent):
        hidden |= set(range(layout[name].start, layout[name].stop))
    assert hidden and not hidden & set(env.kept.tolist())
    every = set(range(env.unwrapped.core.obs_dim))
    assert set(env.kept.tolist()) == every - hidden


def test_the_sparse_reward_is_the_tasks_success() -> None:
    """The scripted pick and place drives the flat env; the same actions from the same seeds
    drive the goal view: its reward is 0 exactly where the flat env reports success."""
    flat_env = RobodrlEnv("robodrl/ManipulatorPickPlace-v0", robot="franka_class")
    env = GoalEnv(RobodrlEnv("robodrl/ManipulatorPickPlace-v0", robot="franka_class"))
    core = flat_env.core
    script = core.task.scripted_expert(core.obs_layout)
    rewards, successes = [], []
    for seed in range(3):
        obs, _ = flat_env.reset(seed=seed)
        env.reset(seed=seed)
        for _ in range(core.max_episode_steps - 1):
            action = script.act(obs[None])[0]
            obs, _, _, _, info = flat_env.step(action)
            view, reward, _, _, _ = env.step(action)
            assert np.allclose(view["achieved_goal"], obs[core.obs_layout["block_pos"]])
            rewards.append(reward)
            successes.append(bool(info["is_success"]))
    rewards, successes = np.array(rewards), np.array(successes)
    assert successes.any() and (~successes).any()
    assert ((rewards == 0.0) == successes).all() and set(rewards) == {0.0, -1.0}
    # relabelled: an achieved goal against itself is a success, 10 cm away it is not
    achieved = np.random.default_rng(0).uniform(-0.3, 0.3, (5, 3))
    assert (env.compute_reward(achieved, achieved, {}) == 0.0).all()
    assert (env.compute_reward(achieved, achieved + 0.1, {}) == -1.0).all()


def test_sac_with_her_trains_on_the_goal_view() -> None:
    from stable_baselines3 import SAC, HerReplayBuffer

    env = GoalEnv(RobodrlEnv("robodrl/ManipulatorPush-v0", robot="ur_class"))
    model = SAC("MultiInputPolicy", env, replay_buffer_class=HerReplayBuffer,
                replay_buffer_kwargs={"n_sampled_goal": 4, "goal_selection_strategy": "future"},
                learning_starts=130, batch_size=32, policy_kwargs={"net_arch": [16]},
                seed=0)  # fmt: skip
    model.learn(160)
    assert model.num_timesteps == 160 and model.replay_buffer.size() > 0
    action, _ = model.predict(env.reset(seed=1)[0], deterministic=True)
    assert action.shape == env.action_space.shape and np.isfinite(action).all()


def test_a_task_without_a_goal_is_refused_naming_it() -> None:
    with pytest.raises(TaskArgumentError, match="robodrl/Pendulum-v0 has no goal to relabel"):
        GoalEnv(RobodrlEnv("robodrl/Pendulum-v0"))
