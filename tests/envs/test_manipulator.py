"""Manipulation for any arm: robodrl's two test arms (a Franka-class 7-DoF and a UR-class 6-DoF
written in degrees, both with parallel grippers) through the env checkers in both action modes,
IK to sampled targets, the gripper holding a block against gravity, a scripted pick and place
and a scripted push, and descriptions that name what is not there."""

from __future__ import annotations

import warnings
from pathlib import Path

import gymnasium
import numpy as np
import pytest
import yaml
from gymnasium.utils.env_checker import check_env as gym_check_env
from stable_baselines3.common.env_checker import check_env as sb3_check_env

from robodrl.envs.manipulator.build import build_scene
from robodrl.envs.manipulator.ik import solve
from robodrl.envs.manipulator.robot import load_arm
from robodrl.envs.manipulator.scripted import ScriptedPickPlace
from robodrl.errors import ConfigError, TaskArgumentError
from robodrl.make import make_core

ARMS = ["franka_class", "ur_class"]
IDS = ["robodrl/ManipulatorReach-v0", "robodrl/ManipulatorPush-v0",
       "robodrl/ManipulatorPickPlace-v0"]  # fmt: skip
# observations are unbounded boxes, as in Gymnasium's MuJoCo envs (tests/envs/test_check_env.py)
ALLOWED = ("Box observation space minimum value is -infinity",
           "Box observation space maximum value is infinity")  # fmt: skip


@pytest.mark.parametrize("action", ["end_effector", "joint"])
@pytest.mark.parametrize("robot", ARMS)
@pytest.mark.parametrize("env_id", IDS)
def test_every_task_passes_the_env_checkers(env_id: str, robot: str, action: str) -> None:
    env = gymnasium.make(env_id, robot=robot, action=action)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gym_check_env(env.unwrapped, skip_render_check=True)
        sb3_check_env(env.unwrapped, warn=True)
    messages = [str(w.message) for w in caught]
    assert [m for m in messages if not any(allowed in m for allowed in ALLOWED)] == []


@pytest.mark.parametrize("robot", ARMS)
def test_ik_reaches_sampled_workspace_targets_within_5_mm(robot: str) -> None:
    arm = load_arm(robot)
    scene = build_scene(arm, with_object=False)
    space, rng = scene.workspace, np.random.default_rng(0)
    errors = []
    for _ in range(40):
        radius = space.reach * rng.uniform(*space.radius)
        angle = space.home_azimuth + rng.uniform(-space.azimuth, space.azimuth)
        height = rng.uniform(space.table_z + 0.02, space.table_z + 0.4 * space.reach)
        target = np.array([*(space.base[:2] + radius * np.array([np.cos(angle), np.sin(angle)])),
                           height])  # fmt: skip
        found = solve(scene.model, scene.ee_site, scene.arm_joints, target, space.home_rotation,
                      scene.home)  # fmt: skip
        errors.append(found.position_error)
    assert max(errors) < 0.005


def scripted_episode(env_id: str, robot: str, num_envs: int = 32, seed: int = 1):
    core = make_core(env_id, num_envs, seed=seed, robot=robot)
    expert = ScriptedPickPlace(core.task, core.obs_layout)
    obs, heights, fell = core.reset(), [], np.zeros(num_envs, bool)
    for _ in range(core.max_episode_steps - 1):
        obs, _, terminated, _, info = core.step(expert.act(obs))
        heights.append(core.task.block_pos()[:, 2].copy())
        fell |= terminated
    return core, info["is_success"], np.array(heights), fell


@pytest.mark.parametrize("robot", ARMS)
def test_a_scripted_pick_and_place_succeeds_in_90_percent(robot: str) -> None:
    core, success, heights, fell = scripted_episode("robodrl/ManipulatorPickPlace-v0", robot)
    assert success.mean() >= 0.9
    assert not fell.any()
    # the goals in the air were reached by lifting: the gripper held the block up
    space = core.task.scene.workspace
    lifted = core.task.goal_pos()[:, 2] > space.table_z + space.block_half + 0.05
    assert lifted.any()
    assert (heights[-1, lifted & success] > space.table_z + space.block_half + 0.04).all()


@pytest.mark.parametrize("robot", ARMS)
def test_a_scripted_push_succeeds_in_90_percent_without_lifting_the_block(robot: str) -> None:
    """The task's scripted pusher (its ``scripted_expert``, what dagger imitates) brings the
    block to the goal in 90% of episodes with closed fingers, sliding it: the fingers never
    open, and the block never rises above a cube's height on its edge (a push may tip it)."""
    core = make_core("robodrl/ManipulatorPush-v0", 32, seed=1, robot=robot)
    expert, task = core.task.scripted_expert(core.obs_layout), core.task
    obs, heights = core.reset(), []
    for _ in range(core.max_episode_steps - 1):
        action = expert.act(obs)
        assert (action[:, -1] == -expert.open).all()  # closed
        obs, _, terminated, _, info = core.step(action)
        heights.append(task.block_pos()[:, 2].copy())
        assert not terminated.any()
    assert info["is_success"].mean() >= 0.9
    space = task.scene.workspace
    assert np.max(heights) < space.table_z + np.sqrt(2) * space.block_half + 0.002
    assert (np.linalg.norm(task.block_to_goal(), axis=1)[info["is_success"]] < 0.05).all()


@pytest.mark.parametrize("robot", ARMS)
def test_the_gripper_holds_the_block_against_gravity(robot: str) -> None:
    """The scripted pick, then one second with no motion commanded and the gripper closed:
    each block it lifted into the air stays between the fingers (it moves less than 2 mm
    relative to the hand; the hand itself sags as its PD gains let it) and does not drop."""
    core = make_core("robodrl/ManipulatorPickPlace-v0", 32, seed=2, robot=robot)
    expert, task = ScriptedPickPlace(core.task, core.obs_layout), core.task
    obs = core.reset()
    for _ in range(core.max_episode_steps - 27):
        obs, _, _, _, info = core.step(expert.act(obs))
    space = task.scene.workspace
    up = info["is_success"] & (task.block_pos()[:, 2] > space.table_z + space.block_half + 0.05)
    assert up.sum() >= 5 and task.grasped()[up].all()
    hold = np.zeros((32, core.action_dim))
    hold[:, -1] = -expert.open  # closed
    in_hand = []
    for _ in range(25):
        core.step(hold)
        in_hand.append((task.block_pos() - task.ee_pos())[up])
    assert np.ptp(np.array(in_hand), axis=0).max() < 0.002
    assert task.grasped()[up].all()


@pytest.mark.parametrize("robot", ARMS)
def test_a_scripted_push_succeeds(robot: str) -> None:
    _, success, _, fell = scripted_episode("robodrl/ManipulatorPush-v0", robot)
    assert success.mean() >= 0.9 and not fell.any()


def write_arm(tmp_path, **changes) -> str:
    data = yaml.safe_load(Path(load_arm("franka_class").source).read_text())
    data["mjcf"] = str(load_arm("franka_class").mjcf_path())
    data.update(changes)
    path = tmp_path / "arm.yaml"
    path.write_text(yaml.safe_dump(data))
    return str(path)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"arm_joints": ["joint1", "joint2", "joint3", "joint44"]},
         r"arm_joints: no arm joint named 'joint44' \(did you mean 'joint4'\?\); .*'joint7'"),
        ({"arm_joints": "wrist*"}, r"arm_joints: 'wrist\*' matches no joint; joints: \['joint1'"),
        ({"ee_site": "tcp"}, r"ee_site: no site named 'tcp'; site names: \['grip_center'\]"),
        ({"base_body": "link"}, r"base_body: no body named 'link' \(did you mean"),
        ({"gripper": {"actuator": "finger", "open": 0.04, "closed": 0.0,
                      "finger_bodies": ["left_finger", "right_finger"]}},
         r"gripper.actuator: no actuator named 'finger' \(did you mean 'fingers'\?\)"),
        ({"gripper": {"actuator": "fingers", "open": 0.04, "closed": 0.0,
                      "finger_bodies": ["left_finger", "right"]}},
         r"gripper.finger_bodies: no body named 'right'; body names: \['world', 'link0'"),
        ({"home": "rest"}, r"home: no keyframe named 'rest'; keyframes: \['home'\]"),
        ({"home": {"joint*": 5.0}}, r"home: 5 rad for joint 'joint1' is outside its range"),
        ({"kp": {"joint[1-4]": 100.0}}, r"kp: no pattern matches joint 'joint5'"),
        ({"kd": -1.0}, r"kd"),
    ],
)  # fmt: skip
def test_a_wrong_name_in_an_arm_description_is_named_with_the_valid_ones(
    tmp_path, changes: dict, expected: str
) -> None:
    with pytest.raises((ConfigError, TaskArgumentError), match=expected):
        make_core("robodrl/ManipulatorReach-v0", 1, robot=write_arm(tmp_path, **changes))


def test_pick_and_place_needs_a_gripper(tmp_path) -> None:
    with pytest.raises(TaskArgumentError, match="has no gripper; pick and place needs one"):
        make_core("robodrl/ManipulatorPickPlace-v0", 1, robot=write_arm(tmp_path, gripper=None))


def test_robot_check_passes_each_test_arm_and_refuses_an_unreachable_target(capsys) -> None:
    from robodrl.cli import main

    for arm in ARMS:
        assert main(["robot", "check", arm]) == 0
    assert main(["robot", "check", "franka_class", "--target", "1.5", "0", "0.2"]) == 1
    err = capsys.readouterr().err
    assert "your targets: 1 targets by IK, worst at (1.500, 0.000, 0.200) m" in err
    assert main(["robot", "check", "quadruped", "--target", "1", "0", "0"]) == 2
    assert "only an arm's check takes targets" in capsys.readouterr().err


@pytest.mark.parametrize("arm", ARMS)
def test_init_check_train_export_with_no_hand_edits(tmp_path: Path, arm: str, monkeypatch) -> None:
    """An arm's MJCF as it comes: ``robot init`` describes it, ``robot check`` passes, a short
    pick-and-place training with end-effector actions runs, and its export passes the parity
    and closed-loop gates and says what its commands are."""
    import json

    import onnx

    from robodrl.cli import main

    monkeypatch.setenv("ROBODRL_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    mjcf = Path(load_arm(arm).mjcf_path())
    assert main(["robot", "init", str(mjcf), "--out", "arm.yaml"]) == 0
    assert main(["robot", "check", "arm.yaml"]) == 0
    config = {
        "env": {"id": "robodrl/ManipulatorPickPlace-v0", "num_envs": 8,
                "task": {"robot": str(tmp_path / "arm.yaml"), "episode_seconds": 1.0},
                "randomization": "dr-default", "perturbations": "dr-default"},
        "algorithm": {"name": "lean_ppo", "hyperparameters": {"n_steps": 25, "n_epochs": 2}},
        "policy": {"net_arch": [32, 32]},
        "total_steps": 400,
    }  # fmt: skip
    (tmp_path / "pick.yaml").write_text(yaml.safe_dump(config))
    assert main(["train", "pick.yaml", "--run-dir", "run"]) == 0
    assert main(["export", "run", "--out", "exported"]) == 0
    metadata = {
        p.key: p.value for p in onnx.load(tmp_path / "exported" / "policy.onnx").metadata_props
    }
    commands = json.loads(metadata["command_space"])
    assert commands["kind"] == "end_effector_delta"
    assert commands["entries"][:3] == ["ee_dx", "ee_dy", "ee_dz"]
    assert commands["arm_joints"] == load_arm(arm).arm_joints or isinstance(
        load_arm(arm).arm_joints, str
    )
    assert commands["gripper"]["finger_bodies"] == load_arm(arm).gripper.finger_bodies


@pytest.mark.parametrize("env_id", IDS)
def test_the_default_adversary_pushes_by_role_on_each_arm(env_id: str) -> None:
    """The hand (reach) or the block (push, pick and place), found through the scene's roles,
    takes the adversary's forces on either arm."""
    import robodrl

    for robot in ARMS:
        game = robodrl.make_two_player(env_id, 2, adversary="default", seed=0, robot=robot)
        game.reset()
        dims = game.action_dims
        game.step(np.zeros((2, dims["protagonist"])), np.ones((2, dims["adversary"])))
        applied = game.core.batch.bind("xfrc_applied")
        assert np.abs(applied).max() > 0, (env_id, robot)


@pytest.mark.parametrize(
    ("env_id", "arguments", "expected"),
    [
        ("robodrl/ManipulatorReach-v0", {"action": "torque"},
         r"action='torque'; valid: \['end_effector', 'joint'\]"),
        ("robodrl/ManipulatorReach-v0", {"control_hz": 33.0}, r"control_hz=33.0 must divide"),
        ("robodrl/ManipulatorReach-v0", {"ee_step": 0.0}, r"ee_step=0.0 must be a finite"),
        ("robodrl/ManipulatorPush-v0", {"goal_range": [0.3, 0.1]},
         r"goal_range=\[0.3, 0.1\] must be finite \(low, high\) with low <= high"),
        ("robodrl/ManipulatorPickPlace-v0", {"table_goal_probability": 2.0},
         r"table_goal_probability=2.0 must be in \[0, 1\]"),
        ("robodrl/ManipulatorReach-v0", {"robot": "pr2"}, r"unknown robot 'pr2'; robodrl ships"),
    ],
)  # fmt: skip
def test_a_wrong_task_argument_is_named(env_id: str, arguments: dict, expected: str) -> None:
    with pytest.raises(TaskArgumentError, match=expected):
        make_core(env_id, 1, **arguments)
