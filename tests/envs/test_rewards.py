"""Reward terms sum to the reward, and each task's reward points the right way."""

from __future__ import annotations

import mujoco
import numpy as np

import robodrl
from robodrl.make import make_core
from robodrl.registry import task_arguments
from tests.conftest import action_sequence


def test_reward_terms_sum_to_reward(env_id: str) -> None:
    core = robodrl.make_core(env_id, 4, seed=3)
    for action in action_sequence(40, 4, core.action_dim):
        _, reward, _, _, info = core.step(action)
        terms = [info[f"reward_{name}"] for name in core.task.reward_names]
        np.testing.assert_allclose(np.sum(terms, axis=0), reward, rtol=1e-12, atol=1e-12)
        assert set(core.task.reward_names) == {k[7:] for k in info if k.startswith("reward_")}


def test_gymnasium_info_terms_sum_to_reward(env_id: str) -> None:
    import gymnasium

    env = gymnasium.make(env_id)
    env.reset(seed=0)
    _, reward, _, _, info = env.step(env.action_space.sample())
    terms = sum(v for k, v in info.items() if k.startswith("reward_"))
    assert abs(terms - reward) < 1e-12


def _episode_return(core, policy, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Undiscounted return and steps survived of each simulation's first episode."""
    total = np.zeros(core.num_envs)
    alive = np.ones(core.num_envs, dtype=bool)
    length = np.zeros(core.num_envs)
    for _ in range(steps):
        _, reward, terminated, truncated, _ = core.step(policy(core))
        total += reward * alive
        length += alive
        alive &= ~(terminated | truncated)
    return total, length


def test_pendulum_upright_hold_beats_hanging() -> None:
    upright = robodrl.make_core("Pendulum", 2, seed=0, reset_noise_scale=0.0)
    upright.task.qpos[:] = 0.0  # start balanced at the top
    upright.batch.forward()
    hold = lambda core: np.clip(-20 * core.task.qpos[:, :1] - 2 * core.task.qvel[:, :1], -1, 1)  # noqa: E731
    held, _ = _episode_return(upright, hold, 100)
    hanging = robodrl.make_core("Pendulum", 2, seed=0, reset_noise_scale=0.0)
    idle, _ = _episode_return(hanging, lambda core: np.zeros((2, 1)), 100)
    assert (held > idle + 100).all()


def test_cheetah_forward_reward_follows_speed() -> None:
    core = robodrl.make_core("Cheetah", 2, seed=0)
    core.task.qvel[0, 0] = 2.0  # push simulation 0 forward, 1 backward
    core.task.qvel[1, 0] = -2.0
    _, _, _, _, info = core.step(np.zeros((2, 6)))
    assert info["reward_forward"][0] > 0 > info["reward_forward"][1]
    assert (info["reward_control"] == 0).all()
    _, _, _, _, info = core.step(np.ones((2, 6)))
    assert (info["reward_control"] < 0).all()


def test_hopper_falls_and_terminates() -> None:
    core = robodrl.make_core("Hopper", 2, seed=0)
    _, length = _episode_return(core, lambda c: np.zeros((2, 3)), 1000)
    assert (length < core.max_episode_steps).all(), "an unactuated hopper must fall over"
    core = robodrl.make_core("Hopper", 1, seed=0)
    core.task.qpos[0, 2] = 0.5  # pitch beyond the healthy range
    core.batch.forward()
    _, _, terminated, _, info = core.step(np.zeros((1, 3)))
    assert terminated[0] and info["reward_healthy"][0] == 0.0


def test_quadruped_stance_controller_stays_up_longer_than_limp_legs() -> None:
    num_envs = 4
    stance = robodrl.make_core("Quadruped", num_envs, seed=0)
    # action 0 commands the standing pose: a PD stance controller
    up_return, up_length = _episode_return(stance, lambda c: np.zeros((num_envs, 12)), 300)
    limp = robodrl.make_core("Quadruped", num_envs, seed=0)
    # +1 on every joint folds the knees and swings the hips back: the robot collapses
    down_return, down_length = _episode_return(limp, lambda c: np.ones((num_envs, 12)), 300)
    assert (up_length == 300).all()
    assert (down_length < up_length).all()
    assert (up_return > down_return).all()


def test_quadruped_tracking_rewards_matching_command() -> None:
    core = robodrl.make_core("Quadruped", 2, seed=0)
    core.task.command[0] = 0.0  # standing still matches a zero command
    core.task.command[1] = [1.0, 0.0, 0.0]  # but not a 1 m/s command
    _, _, _, _, info = core.step(np.zeros((2, 12)))
    assert info["reward_track_velocity"][0] > info["reward_track_velocity"][1]


def _tip_jacobian_step(core) -> np.ndarray:
    """Joint-space action that moves each arm's tip toward its marker (Jacobian transpose)."""
    task = core.task
    action = np.zeros((core.num_envs, core.action_dim))
    for i in range(core.num_envs):
        model, data = core.get_model(i), core.get_data(i)
        mujoco.mj_forward(model, data)
        jacp = np.zeros((3, model.nv))
        mujoco.mj_jacSite(model, data, jacp, None, task.tip_id)
        error = task.marker_pos()[i] - task.tip()[i]
        joint_target = data.qpos[task.arm_qpos] + 3.0 * jacp[:, task.arm_qvel].T @ error
        action[i] = core.ctrl_to_action(joint_target)
    return np.clip(action, -1, 1)


def test_arm_reach_moving_tip_toward_target_raises_reward() -> None:
    core = robodrl.make_core("ArmReach", 3, seed=4)
    _, _, _, _, info = core.step(np.zeros((3, 4)))
    start = info["reward_distance"].copy()
    for _ in range(150):
        _, _, _, _, info = core.step(_tip_jacobian_step(core))
    assert (info["reward_distance"] > start).all()
    assert info["is_success"].all()  # every target sampled is in reach


def test_arm_push_block_reward_improves_when_block_moves_to_goal() -> None:
    core = robodrl.make_core("ArmPush", 2, seed=0)
    _, _, _, _, before = core.step(np.zeros((2, 4)))
    qpos = core.task.qpos[0].copy()  # carry block 0 onto its goal
    qpos[core.task.block_qpos : core.task.block_qpos + 3] = core.task.marker_pos()[0]
    core.task.qpos[0] = qpos
    _, _, _, _, after = core.step(np.zeros((2, 4)))
    assert after["reward_block_to_goal"][0] > before["reward_block_to_goal"][0]
    assert after["is_success"][0] and not after["is_success"][1]


def test_arm_push_v2_push_point_is_behind_the_block_and_success_pays() -> None:
    """The push point sits where the tip touches the block's side away from the goal; v2 draws
    the tip there and pays for each step on the goal, and the older versions keep their
    rewards (both new weights 0), so their runs reproduce."""
    from robodrl.envs.arm.push import BLOCK_HALF_SIZE, TIP_RADIUS
    from robodrl.registry import make_task

    core = robodrl.make_core("robodrl/ArmPush-v2", 2, seed=3)
    task = core.task
    block, goal, point = task.block_pos(), task.marker_pos(), task.push_point()
    away = (block - goal)[:, :2] / np.linalg.norm((block - goal)[:, :2], axis=1, keepdims=True)
    np.testing.assert_allclose(point[:, :2], block[:, :2] + (BLOCK_HALF_SIZE + TIP_RADIUS) * away)
    np.testing.assert_array_equal(point[:, 2], block[:, 2])
    qpos = task.qpos[0].copy()  # block 0 onto its goal; block 1 stays away from it
    qpos[task.block_qpos : task.block_qpos + 3] = task.marker_pos()[0]
    task.qpos[0] = qpos
    _, _, _, _, info = core.step(np.zeros((2, 4)))
    assert info["reward_success"].tolist() == [1.0, 0.0]
    assert (info["reward_tip_to_push_point"] < 0).all() and (info["reward_tip_to_block"] == 0).all()
    for old in ("robodrl/ArmPush-v0", "robodrl/ArmPush-v1"):
        weights = make_task(old).reward_weights
        assert weights["success"] == weights["tip_to_push_point"] == 0.0


def test_arm_push_block_off_table_terminates() -> None:
    core = robodrl.make_core("ArmPush", 1, seed=0)
    qpos = core.task.qpos[0].copy()
    qpos[core.task.block_qpos : core.task.block_qpos + 3] = [2.0, 0.0, -0.2]
    core.task.qpos[0] = qpos
    _, _, terminated, _, _ = core.step(np.zeros((1, 4)))
    assert terminated[0]


def test_reward_terms_are_data_weighted_by_the_core(env_id: str) -> None:
    """Each task returns unweighted terms and a weight table; doubling one weight doubles
    exactly that term, bit for bit, and leaves every other term and the physics alone."""
    from robodrl.registry import make_task

    names = make_task(env_id).reward_names
    base = make_task(env_id).reward_weights
    assert tuple(base) == names and all(w >= 0 for w in base.values())
    argument = {n: a for a in task_arguments(env_id) for n in names if a.startswith(n)}
    doubled_term = names[0]
    kwargs = {argument[doubled_term]: 2 * base[doubled_term]}
    actions = action_sequence(40, 3, make_core(env_id, 1).action_dim)
    plain, doubled = make_core(env_id, 3, seed=2), make_core(env_id, 3, seed=2, **kwargs)
    assert doubled.task.reward_weights[doubled_term] == 2 * base[doubled_term]
    for action in actions:
        obs_a, reward_a, *_, info_a = plain.step(action)
        obs_b, reward_b, *_, info_b = doubled.step(action)
        np.testing.assert_array_equal(obs_a, obs_b)
        for name in names:
            factor = 2.0 if name == doubled_term else 1.0
            np.testing.assert_array_equal(
                info_b[f"reward_{name}"], factor * info_a[f"reward_{name}"]
            )
        np.testing.assert_allclose(
            reward_b - reward_a, info_a[f"reward_{doubled_term}"], rtol=1e-12, atol=1e-12
        )
