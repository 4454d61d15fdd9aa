"""robodrl/Legged-v0: any quadruped from a robot description, both shipped robots, bad robots."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import gymnasium
import numpy as np
import pytest
import yaml
from gymnasium.utils.env_checker import check_env as gym_check_env
from stable_baselines3.common.env_checker import check_env as sb3_check_env

import robodrl
from robodrl.envs.legged.robot import load_robot, robot_names
from robodrl.errors import RobodrlError
from robodrl.make import make_core
from tests.envs.test_check_env import _unexpected

LEGGED = "robodrl/Legged-v0"
ROBOTS = ("quadruped", "go1_class")
ROBOT_FOLDER = Path(robodrl.__file__).parent / "envs" / "legged" / "robots"


def test_both_robots_ship() -> None:
    assert set(ROBOTS) <= set(robot_names())


@pytest.mark.parametrize("robot", ROBOTS)
@pytest.mark.parametrize("physics", ["fast", "accurate"])
def test_env_checkers_pass(robot: str, physics: str) -> None:
    env = gymnasium.make(LEGGED, robot=robot, physics=physics)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gym_check_env(env.unwrapped, skip_render_check=True)
        sb3_check_env(env.unwrapped, warn=True)
    assert _unexpected(caught) == []


@pytest.mark.parametrize("robot", ROBOTS)
def test_model_is_built_from_the_description(robot: str) -> None:
    core = make_core(LEGGED, 2, seed=0, robot=robot)
    model, task = core.model, core.task
    assert model.nu == 12 and core.action_dim == 12
    assert [model.actuator(i).name for i in range(model.nu)] == task.joint_names
    description = load_robot(robot)
    kp = description.per_joint("kp", task.joint_names)
    np.testing.assert_allclose(model.actuator_gainprm[:, 0], kp)
    np.testing.assert_allclose(model.actuator_biasprm[:, 1], -np.asarray(kp))
    # action 0 is the standing pose: the ctrlrange is centred on it
    np.testing.assert_allclose(model.actuator_ctrlrange.mean(axis=1), task.stand_joints)
    limits = description.per_joint("torque_limit", task.joint_names)
    np.testing.assert_allclose(model.actuator_forcerange[:, 1], limits)
    for name in ("imu_gyro", "imu_accelerometer", "imu_velocimeter", "front_left_foot_touch"):
        assert model.sensor(name).dim[0] in (1, 3)
    assert task.obs_layout["joint_pos"] == slice(12, 24)
    assert core.obs_dim == 3 + 3 + 3 + 3 + 12 * 3 + 2


@pytest.mark.parametrize("robot", ROBOTS)
def test_fast_and_accurate_physics_hold_the_same_standing_pose(robot: str) -> None:
    """At rest (standing command, action 0 for 2 s) both settings settle to the same pose:
    base height within 1 cm, every joint within 0.05 rad, base tilt within 2 degrees."""
    settled = {}
    for physics in ("fast", "accurate"):
        core = make_core(
            LEGGED, 1, seed=0, robot=robot, physics=physics, reset_noise_scale=0.0,
            standing_probability=1.0,
        )  # fmt: skip
        for _ in range(100):
            _, _, terminated, _, _ = core.step(np.zeros((1, 12)))
            assert not terminated[0]
        task = core.task
        tilt = np.arccos(np.clip(-task._gravity()[0, 2], -1, 1))
        settled[physics] = (task.qpos[0, 2], task._joint_pos()[0], tilt)
    (h_fast, q_fast, tilt_fast), (h_acc, q_acc, tilt_acc) = settled["fast"], settled["accurate"]
    assert abs(h_fast - h_acc) < 0.01
    np.testing.assert_allclose(q_fast, q_acc, atol=0.05)
    assert abs(tilt_fast - tilt_acc) < np.radians(2)


def test_fast_physics_settings() -> None:
    fast = make_core(LEGGED, 1, physics="fast").model
    accurate = make_core(LEGGED, 1, physics="accurate").model
    assert fast.opt.timestep == 0.004 and fast.opt.iterations == 10
    assert accurate.opt.timestep == 0.002
    # the same control period: 50 Hz in both
    assert make_core(LEGGED, 1, physics="fast").control_dt == pytest.approx(0.02)
    assert make_core(LEGGED, 1, physics="accurate").control_dt == pytest.approx(0.02)
    colliding = [fast.geom(i).name for i in range(fast.ngeom) if fast.geom_contype[i]]
    assert sorted(colliding) == sorted(["floor", *load_robot("quadruped").foot_geoms])
    assert sum(accurate.geom_contype > 0) > len(colliding)


def test_commands_are_redrawn_during_an_episode_and_standing_is_zero() -> None:
    core = make_core(LEGGED, 64, seed=3, command_seconds=0.1, standing_probability=0.0)
    task = core.task
    first = task.commands.value.copy()
    for _ in range(6):  # 0.12 s: one redraw
        core.step(np.zeros((64, 12)))
    assert (task.commands.value != first).all()
    assert not task.commands.standing().any()
    core = make_core(LEGGED, 64, seed=3, standing_probability=0.5)
    standing = core.task.commands.standing()
    assert 0.2 < standing.mean() < 0.8  # about half standing commands
    low, high = core.task.command_low, core.task.command_high
    moving = core.task.commands.value[~standing]
    assert ((moving >= low) & (moving <= high)).all()
    layout = task.obs_layout["command"]
    np.testing.assert_array_equal(
        core.reset()[:, layout], core.task.commands.value.astype(np.float32)
    )


def test_gait_term_rewards_contact_matching_the_trot_clock() -> None:
    core = make_core(LEGGED, 8, seed=0, standing_probability=1.0)
    for _ in range(25):  # settle on the ground
        _, _, _, _, info = core.step(np.zeros((8, 12)))
    # standing command: all four feet down is the whole gait reward
    np.testing.assert_allclose(info["reward_gait"], core.task.reward_weights["gait"])
    stance = core.task.clock.stance()
    assert stance.shape == (8, 4)
    assert (stance[:, 0] == stance[:, 3]).all() and (stance[:, 1] == stance[:, 2]).all()


def _write_robot(tmp_path: Path, **changes) -> str:
    description = yaml.safe_load((ROBOT_FOLDER / "go1_class.yaml").read_text())
    description["mjcf"] = str(ROBOT_FOLDER / "go1_class.xml")
    description.update(changes)
    path = tmp_path / "robot.yaml"
    path.write_text(yaml.safe_dump(description))
    return str(path)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"base_body": "trunk"}, ["no body named 'trunk'", "torso"]),
        ({"imu_site": "imu_link"}, ["no site named 'imu_link'", "imu"]),
        (
            {
                "feet": {
                    "front_left": "FL_foot",
                    "front_right": "front_right_foot",
                    "back_left": "back_left_foot",
                    "back_right": "back_right_foot",
                }
            },
            ["feet", "no geom named 'FL_foot'", "front_left_foot"],
        ),
        (
            {"kp": {"*_hip": 35.0, "*_knee": 35.0}},
            ["kp", "front_left_hip_abduction", "patterns"],
        ),
        (
            {"standing_pose": {"*_hip_abduction": 0.0, "*_hip": 0.9, "*_knee": 0.5}},
            ["standing_pose", "front_left_knee", "outside its range", "-2.818"],
        ),
        ({"base_body": "front_left_thigh"}, ["no free joint"]),
        ({"mjcf": "missing.xml"}, ["mjcf", "missing.xml"]),
        ({"kp": -3.0}, ["kp"]),
        ({"stiffness": 3.0}, ["stiffness"]),
    ],
)
def test_a_wrong_robot_description_gets_a_clear_error(tmp_path, changes, expected) -> None:
    path = _write_robot(tmp_path, **changes)
    with pytest.raises(RobodrlError) as caught:
        make_core(LEGGED, 1, robot=path)
    message = str(caught.value)
    for part in expected:
        assert part in message, message


@pytest.fixture
def menagerie_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A local Menagerie checkout (``MENAGERIE_ROOT``) holding one robot folder: the PyPI
    package reads it instead of downloading (this machine has no network)."""
    root = tmp_path / "menagerie"
    (root / "unitree_go1").mkdir(parents=True)
    shutil.copy(ROBOT_FOLDER / "go1_class.xml", root / "unitree_go1" / "go1.xml")
    (root / "outside").mkdir()  # a valid MJCF beside the robot's folder, never read through it
    shutil.copy(ROBOT_FOLDER / "go1_class.xml", root / "outside" / "go1.xml")
    monkeypatch.setenv("MENAGERIE_ROOT", str(root))
    return root


@pytest.mark.parametrize("mjcf", ["menagerie:unitree_go1/go1.xml", "menagerie:unitree_go1"])
def test_a_menagerie_robot_resolves_through_the_pypi_package(
    tmp_path: Path, menagerie_root: Path, mjcf: str
) -> None:
    core = make_core(LEGGED, 2, robot=_write_robot(tmp_path, mjcf=mjcf))
    assert core.action_dim == 12
    assert np.isfinite(core.step(np.zeros((2, 12)))[0]).all()


@pytest.mark.parametrize(
    ("mjcf", "expected"),
    [
        ("menagerie:unitree_go11/go1.xml", ["Unknown robot 'unitree_go11'", "unitree_go1"]),
        ("menagerie:unitree_go1/go2.xml", ["has no 'go2.xml'", "go1.xml"]),
        ("menagerie:unitree_go1/../outside/go1.xml", ["leads out of unitree_go1's folder"]),
        ("menagerie:anybotics_anymal_c", ["could not provide", "MENAGERIE_ROOT"]),
    ],
)
def test_a_wrong_menagerie_robot_gets_a_clear_error(
    tmp_path: Path, menagerie_root: Path, mjcf: str, expected: list[str]
) -> None:
    with pytest.raises(RobodrlError) as caught:
        make_core(LEGGED, 1, robot=_write_robot(tmp_path, mjcf=mjcf))
    for part in expected:
        assert part in str(caught.value), str(caught.value)


def test_an_unknown_robot_name_lists_the_shipped_ones() -> None:
    with pytest.raises(RobodrlError, match="go1_class") as caught:
        make_core(LEGGED, 1, robot="spot")
    assert "quadruped" in str(caught.value)


def test_a_control_rate_that_does_not_divide_the_physics_is_refused() -> None:
    with pytest.raises(RobodrlError, match="control_hz"):
        make_core(LEGGED, 1, control_hz=33.0)
    with pytest.raises(RobodrlError, match="physics"):
        make_core(LEGGED, 1, physics="turbo")


def test_training_with_a_wrong_robot_stops_before_writing_anything(tmp_path) -> None:
    from tests.trainers.conftest import run_cli

    robot = _write_robot(tmp_path, base_body="trunk")
    run = tmp_path / "run"
    result = run_cli(
        "train", "quadruped_robust_ppo", "--set", f"env.task.robot={robot}",
        "--set", "env.num_envs=8", "--run-dir", str(run),
    )  # fmt: skip
    assert result.returncode == 2
    assert "no body named 'trunk'" in result.stderr and "torso" in result.stderr
    assert "Traceback" not in result.stderr and not run.exists()


@pytest.mark.parametrize("robot", ROBOTS)
def test_mirrored_actions_from_a_mirrored_state_give_mirrored_observations(robot: str) -> None:
    """The mirror maps are right for the robot: drive one simulation with actions a and a
    second, started as its mirror image, with mirror(a); the observations stay mirror images
    (exactly in the accurate settings; PGS, the fast settings' solver, visits contacts in order
    and is only nearly symmetric)."""
    kwargs = {"robot": robot, "reset_noise_scale": 0.0, "standing_probability": 0.0,
              "command_seconds": 100.0, "physics": "accurate"}  # fmt: skip
    left, right = make_core(LEGGED, 1, seed=0, **kwargs), make_core(LEGGED, 1, seed=0, **kwargs)
    m_obs, m_act = left.task.mirror_maps()
    np.testing.assert_array_equal(m_obs @ m_obs, np.eye(len(m_obs)))  # an involution
    right.task.commands.value[:] = left.task.commands.value @ np.diag([1, -1, -1])
    right.task.clock.phase[:] = (left.task.clock.phase + 0.5) % 1.0
    rng = np.random.default_rng(0)
    for _ in range(25):
        action = rng.uniform(-0.3, 0.3, (1, 12))
        obs_left = left.step(action)[0]
        obs_right = right.step(action @ m_act.T)[0]
        np.testing.assert_allclose(obs_right, obs_left @ m_obs.T, atol=1e-6)


def test_the_mirror_loss_needs_a_task_that_can_mirror() -> None:
    from robodrl.resolve import validate_config

    config = {
        "env": {"id": "Pendulum", "num_envs": 2},
        "algorithm": {"name": "lean_ppo", "hyperparameters": {"symmetry_coef": 0.5}},
        "total_steps": 1000,
    }
    with pytest.raises(RobodrlError, match="symmetry_coef"):
        validate_config(config)
    config["env"]["id"] = LEGGED
    assert validate_config(config).algorithm.hyperparameters["symmetry_coef"] == 0.5


def random_action_rewards(env_id: str, robot: str, num_envs: int, *, seed: int, steps: int):
    """Each step's rewards of ``robot`` on ``env_id`` under the same uniform random actions."""
    core = make_core(env_id, num_envs, seed=seed, robot=robot)
    core.reset()
    rng = np.random.default_rng(0)
    return [core.step(rng.uniform(-1, 1, (num_envs, core.action_dim)))[1] for _ in range(steps)]


def test_v1_scales_commands_and_costs_to_the_robot(tmp_path: Path) -> None:
    """Legged-v1 writes costs in the reference robot's units: a robot 0.27 m tall with 20 N·m
    limits gets Legged-v0's rewards bit for bit; a taller robot gets Froude-scaled commands."""
    from robodrl.envs.legged.scales import REFERENCE_HEIGHT, REFERENCE_TORQUE

    quadruped = load_robot("quadruped")
    document = quadruped.model_dump(exclude={"source"}, exclude_none=True) | {
        "mjcf": str(quadruped.mjcf_path()),
        "standing_height": REFERENCE_HEIGHT,
        "torque_limit": REFERENCE_TORQUE,
    }
    reference = tmp_path / "reference.yaml"
    reference.write_text(yaml.safe_dump(document))
    np.testing.assert_array_equal(
        random_action_rewards("robodrl/Legged-v0", str(reference), 4, seed=3, steps=30),
        random_action_rewards("robodrl/Legged-v1", str(reference), 4, seed=3, steps=30),
    )
    anymal = str(ROBOT_FOLDER / "anymal_class.yaml")
    task = make_core("robodrl/Legged-v1", 1, seed=0, robot=anymal).task
    speed = np.sqrt(load_robot(anymal).standing_height / REFERENCE_HEIGHT)
    np.testing.assert_allclose(task.commands.high, [1.0 * speed, 0.3 * speed, 0.8 / speed])
    np.testing.assert_allclose(task.scales.torque, 80.0 / REFERENCE_TORQUE)
    with pytest.raises(RobodrlError, match="scale_with_robot"):
        make_core("robodrl/Legged-v1", 1, scale_with_robot="yes")


def test_v2_runs_a_short_robots_trot_clock_in_the_reference_robots_time() -> None:
    """Legged-v2: the 0.13 m mini's clock runs sqrt(0.27 / h) times as fast (and the deploy
    contract says so); robots at least as tall as the reference keep ``gait_hz``, so their
    rewards are Legged-v1's bit for bit."""
    from robodrl.envs.legged.scales import REFERENCE_HEIGHT

    mini = make_core("robodrl/Legged-v2", 2, seed=0, robot="mini")
    hz = 2.0 * np.sqrt(REFERENCE_HEIGHT / load_robot("mini").standing_height)
    assert mini.task.gait_hz == pytest.approx(hz)
    assert mini.task.observation_contract()["gait_phase"] == {"kind": "clock", "hz": hz}
    mini.reset()
    start = mini.task.clock.phase.copy()
    for _ in range(5):
        mini.step(np.zeros((2, mini.action_dim)))
    np.testing.assert_allclose((mini.task.clock.phase - start) % 1.0, hz * 5 * mini.control_dt)
    assert make_core("robodrl/Legged-v1", 1, seed=0, robot="mini").task.gait_hz == 2.0
    for robot in ("quadruped", "anymal_class"):
        for version in (1, 2):
            assert make_core(f"robodrl/Legged-v{version}", 1, robot=robot).task.gait_hz == 2.0
        np.testing.assert_array_equal(
            random_action_rewards("robodrl/Legged-v1", robot, 2, seed=1, steps=10),
            random_action_rewards("robodrl/Legged-v2", robot, 2, seed=1, steps=10),
        )
    with pytest.raises(RobodrlError, match="scale_gait_with_robot must be true or false"):
        make_core("robodrl/Legged-v2", 1, scale_gait_with_robot=1)
