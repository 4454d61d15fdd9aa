"""Multi-agent teams on the batched core: PettingZoo API, exactness, partition, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from pettingzoo.test import parallel_api_test

import robodrl
from robodrl.envs.multi.core import TeamEnv
from robodrl.envs.multi.registry import get_team_spec
from robodrl.envs.multi.team import MultiAgentTask
from robodrl.errors import InvalidActionError, TaskArgumentError, UnknownEnvError
from robodrl.registry import make_task

TEAMS = [
    ("robodrl/CheetahTeam-v0", {}),
    ("robodrl/QuadrupedLegs-v0", {}),
    ("robodrl/QuadrupedLegs-v0", {"agents": 2}),
    ("robodrl/TwoArmPush-v0", {}),
    ("robodrl/LeggedLegs-v0", {}),
]


def random_actions(team, rng: np.random.Generator) -> dict[str, np.ndarray]:
    return {a: rng.uniform(-1, 1, (team.num_envs, d)) for a, d in team.action_dims.items()}


def test_every_team_id_is_listed() -> None:
    assert robodrl.team_ids() == [
        "robodrl/CheetahTeam-v0",
        "robodrl/QuadrupedLegs-v0",
        "robodrl/LeggedLegs-v0",
        "robodrl/TwoArmPush-v0",
    ]


@pytest.mark.parametrize(("team_id", "kwargs"), TEAMS)
def test_the_pettingzoo_env_passes_the_parallel_api_test(team_id, kwargs) -> None:
    env = robodrl.make_parallel(team_id, seed=3, **kwargs)
    parallel_api_test(env, num_cycles=300)
    assert env.state().shape == env.state_space.shape


def play(env, steps: int) -> list:
    """Seeded random actions on a PettingZoo env, resetting after each episode."""
    rng = np.random.default_rng(7)
    obs, _ = env.reset(seed=11)
    trace = []
    for _ in range(steps):
        if not env.agents:
            obs, _ = env.reset()
        actions = {a: rng.uniform(-1, 1, env.action_space(a).shape) for a in env.agents}
        obs, rewards, terminated, _, _ = env.step(actions)
        trace.append((obs, rewards, terminated))
    return trace


def test_two_instances_with_the_same_seed_and_actions_agree_over_1000_steps() -> None:
    first = play(robodrl.make_parallel("QuadrupedLegs", episode_seconds=4.0), 1000)
    second = play(robodrl.make_parallel("QuadrupedLegs", episode_seconds=4.0), 1000)
    for (obs_a, rew_a, term_a), (obs_b, rew_b, term_b) in zip(first, second, strict=True):
        assert rew_a == rew_b and term_a == term_b
        for agent in obs_a:
            np.testing.assert_array_equal(obs_a[agent], obs_b[agent])


def test_the_batched_core_equals_one_simulation_at_a_time() -> None:
    # per-step perturbation noise is one stream for the whole batch (as in the single-agent
    # core); randomization and resets are per simulation
    kwargs = {"episode_seconds": 1.0, "randomization": "dr-default"}
    batched = robodrl.make_team("QuadrupedLegs", 3, seed=20, **kwargs)
    singles = [robodrl.make_team("QuadrupedLegs", 1, seed=20 + i, **kwargs) for i in range(3)]
    rng = np.random.default_rng(0)
    for _ in range(120):  # more than two episodes: autoreset included
        actions = random_actions(batched, rng)
        obs, rewards, terminated, truncated, _ = batched.step(actions)
        for i, single in enumerate(singles):
            one = single.step({a: act[i : i + 1] for a, act in actions.items()})
            for agent in batched.agents:
                np.testing.assert_array_equal(obs[agent][i], one[0][agent][0])
                assert rewards[agent][i] == one[1][agent][0]
            assert (terminated[i], truncated[i]) == (one[2][0], one[3][0])
        np.testing.assert_array_equal(batched.state()[1], singles[1].state()[0])


@pytest.mark.parametrize(("team_id", "kwargs"), TEAMS)
def test_agents_partition_the_actuators_and_joint_actions_equal_the_single_agent_env(
    team_id, kwargs
) -> None:
    team = robodrl.make_team(team_id, 2, seed=4, perturbations="dr-default", **kwargs)
    owned = np.concatenate([layout.actuators for layout in team.layouts.values()])
    assert sorted(owned) == list(range(team.core.action_dim))  # each actuator exactly once
    single = robodrl.make_core(get_team_spec(team_id).env_id, 2, seed=4, perturbations="dr-default")
    rng = np.random.default_rng(1)
    for _ in range(60):
        actions = random_actions(team, rng)
        obs, rewards, *_ = team.step(actions)
        joint = np.empty((2, single.action_dim))
        for agent, layout in team.layouts.items():
            joint[:, layout.actuators] = actions[agent]
        single_obs, single_reward, *_ = single.step(joint)
        np.testing.assert_array_equal(team.state(), single_obs)
        for agent, layout in team.layouts.items():
            np.testing.assert_array_equal(obs[agent], single_obs[:, layout.obs_index])
            np.testing.assert_array_equal(rewards[agent], single_reward)


def test_each_agent_sees_its_own_joints_the_shared_blocks_and_its_neighbours() -> None:
    legs = robodrl.make_team("QuadrupedLegs", 1).layouts
    front_left = legs["front_left"]
    assert front_left.joints == (
        "front_left_hip_abduction",
        "front_left_hip",
        "front_left_knee",
    )
    assert list(front_left.obs_layout) == [
        *("command", "base_linear_velocity", "gyro", "accelerometer", "orientation"),
        *("joint_pos", "joint_vel", "foot_contact"),
    ]
    assert front_left.obs_dim == 16 + 3 + 3 + 1
    wide = robodrl.make_team("QuadrupedLegs", 1, neighbourhood=2).layouts["front_left"]
    assert wide.obs_dim == front_left.obs_dim + 2 * 3  # + the other hips' abduction, pos and vel
    cheetah = robodrl.make_team("CheetahTeam", 1).layouts
    assert cheetah["back_leg"].obs_dim == cheetah["front_leg"].obs_dim == 2 + 3 + 3 + 3


def test_each_arm_sees_its_own_arm_and_the_crate_not_the_other_arm() -> None:
    team = robodrl.make_team("TwoArmPush", 1, seed=0)
    state, info = team.reset()
    assert info == {}  # as make_vec: no randomization, nothing to report
    full = team.state()[0]
    task = team.core.task
    for index, (agent, layout) in enumerate(team.layouts.items()):
        side = agent.removesuffix("_arm")
        assert layout.joints == tuple(
            f"{side}_{j}" for j in ("base_yaw", "shoulder", "elbow", "wrist")
        )
        obs = state[agent][0]
        np.testing.assert_array_equal(
            obs[layout.obs_layout["joint_pos"]], full[4 * index : 4 * index + 4]
        )
        np.testing.assert_allclose(
            obs[layout.obs_layout["tip_pos"]], task.tips()[0, index], rtol=1e-6
        )
        np.testing.assert_array_equal(obs[layout.obs_layout["crate"]], full[28:30])
        np.testing.assert_array_equal(obs[layout.obs_layout["goal"]], full[30:32])
        assert layout.obs_dim == 4 + 4 + 3 + 3 + 2 + 2


def test_a_checkpointed_team_continues_exactly() -> None:
    team = robodrl.make_team("CheetahTeam", 2, seed=5, randomization="dr-default")
    rng = np.random.default_rng(2)
    for _ in range(10):
        team.step(random_actions(team, rng))
    saved = team.state_dict()
    again = robodrl.make_team("CheetahTeam", 2, seed=99, randomization="dr-default")
    again.load_state_dict(saved)
    np.testing.assert_array_equal(again.state(), team.state())
    for _ in range(20):
        actions = random_actions(team, rng)
        a, b = team.step(actions), again.step(actions)
        for agent in team.agents:
            np.testing.assert_array_equal(a[0][agent], b[0][agent])
            np.testing.assert_array_equal(a[1][agent], b[1][agent])


def test_final_observations_per_agent_on_autoreset() -> None:
    team = robodrl.make_team("QuadrupedLegs", 2, seed=0, episode_seconds=0.1)
    rng = np.random.default_rng(3)
    for _ in range(team.core.max_episode_steps - 1):
        team.step(random_actions(team, rng))
    _, _, _, truncated, info = team.step(random_actions(team, rng))
    assert truncated.all()
    for agent, layout in team.layouts.items():
        final = info["final_obs_agents"][agent]
        np.testing.assert_array_equal(final, info["final_state"][:, layout.obs_index])


# -- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actions", "message"),
    [
        ({"back_leg": np.zeros((2, 3))}, "no action for agent 'front_leg'"),
        (
            {"back_leg": np.zeros((2, 3)), "front_leg": np.zeros((2, 3)), "tail": 0},
            r"unknown agents \['tail'\]; agents: \['back_leg', 'front_leg'\]",
        ),
        (
            {"back_leg": np.zeros((2, 3)), "front_leg": np.zeros((2, 2))},
            r"action of agent 'front_leg' has shape \(2, 2\); expected \(2, 3\)",
        ),
        (
            {"back_leg": np.zeros((2, 3)), "front_leg": [[0, 0, 0], [0, np.nan, 0]]},
            r"agent 'front_leg' \[1, 1\] = nan is not finite \(env 1, actuator 'front_knee'\)",
        ),
        ([np.zeros((2, 6))], "actions must be a mapping agent"),
    ],
)
def test_a_bad_action_names_the_agent_and_the_index(actions, message) -> None:
    team = robodrl.make_team("CheetahTeam", 2, seed=0)
    before = team.state_dict()
    with pytest.raises(InvalidActionError, match=message):
        team.step(actions)
    assert team.state_dict() == before  # nothing stepped


@pytest.mark.parametrize(
    ("actions", "message"),
    [
        ({"back_leg": np.zeros(3)}, "no action for agent 'front_leg'"),
        ({"back_leg": np.zeros(3), "front_leg": np.zeros(4)}, "agent 'front_leg' has shape"),
        ({"back_leg": np.zeros(3), "front_leg": np.zeros(3), "x": 0}, r"unknown agents \['x'\]"),
        (
            {"back_leg": [0, np.inf, 0], "front_leg": np.zeros(3)},
            r"agent 'back_leg' \[0, 1\] = inf is not finite \(env 0, actuator 'back_knee'\)",
        ),
    ],
)
def test_the_pettingzoo_env_names_the_agent_of_a_bad_action(actions, message) -> None:
    env = robodrl.make_parallel("CheetahTeam", seed=0)
    env.reset(seed=0)
    with pytest.raises(InvalidActionError, match=message):
        env.step(actions)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: robodrl.make_team("CheetaTeam", 1), UnknownEnvError, "did you mean 'CheetahTeam"),
        (
            lambda: robodrl.make_team("QuadrupedLegs", 1, agents=3),
            TaskArgumentError,
            r"agents=3 is not valid; use 2 \(front / back\) or 4 \(legs\)",
        ),
        (
            lambda: robodrl.make_team("QuadrupedLegs", 1, legs=4),
            TaskArgumentError,
            "no argument 'legs'.*team arguments: agents, neighbourhood; task arguments: ",
        ),
        (
            lambda: robodrl.make_team("CheetahTeam", 1, neighbourhood=-1),
            TaskArgumentError,
            "neighbourhood=-1 must be an int >= 0",
        ),
        (
            lambda: robodrl.make_team("CheetahTeam", 1, forward_weight="fast"),
            TaskArgumentError,
            "forward_weight must be a finite number",
        ),
    ],
)
def test_bad_team_arguments_get_a_clear_error(call, error, message) -> None:
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize(
    ("agents", "message"),
    [
        ({"left": ["back_hip", "back_knee", "back_ankle"], "right": ["front_hip", "front_knee"]},
         r"actuators \['front_ankle'\] belong to no agent"),
        ({"left": ["back_hip", "back_knee", "back_ankle", "front_hip"],
          "right": ["front_hip", "front_knee", "front_ankle"]},
         "actuator 'front_hip' belongs to agents 'left' and 'right'"),
        ({"left": ["back_hip", "back_knee", "back_ankel"], "right": []},
         r"'back_ankel' is not an actuator of the robot; valid actuators: \['back_hip'"),
        ({"left": [], "right": ["back_hip"]}, r"agent 'left' has no actuators"),
    ],
)  # fmt: skip
def test_a_team_whose_agents_do_not_split_the_actuators_is_refused(agents, message) -> None:
    team = MultiAgentTask(make_task("robodrl/Cheetah-v0"), agents)
    with pytest.raises(TaskArgumentError, match=message):
        TeamEnv(robodrl.make_core("Cheetah", 1), team)
