"""The wheel holds every preset, sweep, recipe and MJCF file, and an installed (non-editable)
copy runs the README's commands from a folder outside the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    command = [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps",
               "--no-build-isolation", "-q", "-w", str(out)]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, cwd=out)
    assert result.returncode == 0, result.stderr
    (found,) = out.glob("robodrl-*.whl")
    return found


def installed(wheel: Path, tmp_path: Path):
    """The wheel installed into ``tmp_path/site``; a ``robodrl`` runner working in
    ``tmp_path/work`` on that copy (a fresh ROBODRL_HOME), and the site folder."""
    target, work = tmp_path / "site", tmp_path / "work"
    install = [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
               str(target), str(wheel)]  # fmt: skip
    assert subprocess.run(install, capture_output=True).returncode == 0
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target), "ROBODRL_HOME": str(tmp_path / "home")}

    def robodrl(*args: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "robodrl.cli", *args]
        return subprocess.run(command, capture_output=True, text=True, cwd=work, env=env)

    return robodrl, target, work


def test_wheel_holds_every_data_file(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    package = ROOT / "robodrl"
    expected = [
        *package.glob("envs/*/presets/*.yaml"),
        *package.glob("envs/*/presets/sweeps/*.yaml"),
        *package.glob("envs/*/presets/adversaries/*.yaml"),
        *package.glob("envs/arm/presets/*/*.yaml"),
        *package.glob("envs/arm/presets/*/sweeps/*.yaml"),
        *package.glob("envs/arm/presets/*/adversaries/*.yaml"),
        *package.glob("recipes/*.yaml"),
        *package.glob("envs/*/assets/*.xml"),
        *package.glob("envs/legged/robots/*.xml"),
        *package.glob("envs/legged/robots/*.yaml"),
    ]
    assert len(expected) >= 45  # 6 tasks x (3 presets + sweeps), 7 recipes, MJCF
    missing = [str(p.relative_to(ROOT)) for p in expected if str(p.relative_to(ROOT)) not in names]
    assert not missing
    # the checkout's recipes/ is the packaged folder itself
    assert (ROOT / "recipes").resolve() == package / "recipes"


def test_installed_copy_runs_the_readme_commands_outside_the_checkout(
    wheel: Path, tmp_path: Path
) -> None:
    target = tmp_path / "site"
    install = [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
               str(target), str(wheel)]  # fmt: skip
    assert subprocess.run(install, capture_output=True).returncode == 0
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target), "ROBODRL_HOME": str(tmp_path / "home")}

    def robodrl(*args: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "robodrl.cli", *args]
        return subprocess.run(command, capture_output=True, text=True, cwd=work, env=env)

    where = subprocess.run(
        [sys.executable, "-c", "import robodrl; print(robodrl.__file__)"],
        capture_output=True, text=True, cwd=work, env=env,
    )  # fmt: skip
    assert where.stdout.startswith(str(target)), where.stdout  # the installed copy, not ours
    result = robodrl(
        "train", "recipes/pendulum_ppo.yaml", "--run-dir", "runs/p",
        "--set", "total_steps=4096", "--set", "eval.every_steps=4096", "--set", "eval.episodes=1",
        "--set", "env.randomization=dr-default",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    result = robodrl("eval", "runs/p", "--sweep", "observation-noise", "--episodes", "1")
    assert result.returncode == 0, result.stderr
    assert (work / "runs" / "eval" / "p-observation-noise" / "report.html").is_file()
    adversarial = subprocess.run(
        [sys.executable, "-c", "import robodrl; env = robodrl.make_adversarial('Hopper', "
         "seed=0); print(env.game.adversary.body_names)"],
        capture_output=True, text=True, cwd=work, env=env,
    )  # fmt: skip
    assert adversarial.returncode == 0, adversarial.stderr  # the default adversary preset
    assert "['torso', 'foot']" in adversarial.stdout
    team = subprocess.run(
        [sys.executable, "-c", "import robodrl; env = robodrl.make_parallel('QuadrupedLegs', "
         "seed=0, agents=2); print(env.possible_agents)"],
        capture_output=True, text=True, cwd=work, env=env,
    )  # fmt: skip
    assert team.returncode == 0, team.stderr  # the multi-agent subpackages are installed
    assert "['front', 'back']" in team.stdout
    # demonstrations (Minari), imitation and a shipped planner work as installed
    result = robodrl(
        "demos",
        "record",
        "runs/p",
        "--episodes",
        "2",
        "--out",
        "demos/p-v0",
        "--allow-worse-than-random",
    )  # 4k steps: maybe not better yet
    assert result.returncode == 0, result.stderr
    (work / "bc.yaml").write_text(
        "env: {id: Pendulum}\nalgorithm: {name: bc}\ndemos: demos/p-v0\ntotal_steps: 200\n"
    )
    result = robodrl("train", "bc.yaml", "--run-dir", "runs/bc")
    assert result.returncode == 0, result.stderr
    result = robodrl("demos", "record", "pendulum_mpc", "--episodes", "1", "--out", "demos/mpc-v0")
    assert result.returncode == 0, result.stderr
    assert "1 episodes, 200 steps" in result.stdout
    listed = robodrl("recipes")
    assert listed.returncode == 0 and "quadruped_robust_ppo" in listed.stdout
    assert robodrl("--version").stdout.startswith("robodrl ")
    missing = robodrl("train", "no_such_recipe")
    assert missing.returncode == 2 and "recipes: " in missing.stderr
    assert "pendulum_ppo" in missing.stderr


@pytest.mark.parametrize(
    "robot",
    [
        pytest.param("mesh", marks=pytest.mark.slow),
        pytest.param("ant", marks=pytest.mark.slow),
        "mini",
    ],
)
def test_installed_copy_takes_a_robot_from_its_mjcf_to_an_onnx_file(
    wheel: Path, tmp_path: Path, robot: str
) -> None:
    """robot init -> robot check -> a short training -> export, as installed, from a folder
    outside the checkout; the robot's own folder is then moved away and the run still exports."""
    import gymnasium

    from tests.envs.legged_robots import mesh_robot

    robodrl, target, work = installed(wheel, tmp_path)
    source = tmp_path / "robot"
    source.mkdir()
    if robot == "mesh":
        mjcf = mesh_robot(source)
    elif robot == "ant":
        mjcf = source / "ant.xml"
        mjcf.write_bytes(
            (Path(gymnasium.__file__).parent / "envs/mujoco/assets/ant.xml").read_bytes()
        )
    else:
        mjcf = source / "mini.xml"
        mjcf.write_bytes((target / "robodrl/envs/legged/robots/mini.xml").read_bytes())
    result = robodrl("robot", "init", str(mjcf), "--out", str(source / "robot.yaml"))
    assert result.returncode == 0, result.stderr
    result = robodrl("robot", "check", str(source / "robot.yaml"), "--png", "standing.png")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (work / "standing.png").is_file()
    result = robodrl(
        "train", "quadruped_robust_ppo", "--run-dir", "runs/r",
        "--set", f"env.task.robot={source / 'robot.yaml'}", "--set", "env.num_envs=4",
        "--set", "total_steps=192", "--set", "algorithm.hyperparameters.n_steps=16",
        "--set", "eval.every_steps=192", "--set", "eval.episodes=1",
        "--set", "checkpoint.every_steps=192",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    source.rename(tmp_path / "moved")
    result = robodrl("export", "runs/r", "--out", "export/r")
    assert result.returncode == 0, result.stderr
    assert (work / "export" / "r" / "policy.onnx").is_file()
    assert "robot.yaml is gone" in result.stderr  # reported, and the run's copy was used
    result = robodrl("deploy", "export/r/policy.onnx", "--robot", "sim", "--seconds", "1",
                     "--no-probe", "--out", "deploy/r")  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert (work / "deploy" / "r" / "deploy.json").is_file()


def test_installed_copy_takes_an_arm_from_its_mjcf_to_an_onnx_file(
    wheel: Path, tmp_path: Path
) -> None:
    """An arm as installed, from a folder outside the checkout: robot init -> robot check ->
    the push recipe (dagger from the scripted pusher) on a tiny budget -> export after the
    arm's own folder is moved away."""
    robodrl, target, work = installed(wheel, tmp_path)
    source = tmp_path / "arm"
    source.mkdir()
    mjcf = source / "my_arm.xml"
    mjcf.write_bytes((target / "robodrl/envs/manipulator/robots/franka_class.xml").read_bytes())
    result = robodrl("robot", "init", str(mjcf), "--out", str(source / "arm.yaml"))
    assert result.returncode == 0, result.stderr
    result = robodrl("robot", "check", str(source / "arm.yaml"))
    assert result.returncode == 0, result.stdout + result.stderr
    result = robodrl(
        "train", "manipulator_push_dagger", "--run-dir", "runs/a",
        "--set", f"env.task.robot={source / 'arm.yaml'}", "--set", "env.num_envs=4",
        "--set", "total_steps=80", "--set", "algorithm.hyperparameters.n_steps=10",
        "--set", "algorithm.hyperparameters.updates_per_round=5",
        "--set", "eval.every_steps=80", "--set", "eval.episodes=1",
        "--set", "checkpoint.every_steps=80",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    source.rename(tmp_path / "moved")
    result = robodrl("export", "runs/a", "--out", "export/a")
    assert result.returncode == 0, result.stderr
    assert (work / "export" / "a" / "policy.onnx").is_file()
