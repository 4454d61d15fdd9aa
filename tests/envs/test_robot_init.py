"""`robodrl robot init` / `robot check` on robots robodrl did not shape for itself: an MJCF in
degrees with capsule feet and no IMU site, a 50 kg robot, mesh feet with no <size>, coupled
joints, Gymnasium's Ant; roles in presets; the memory estimate; the run owning its robot."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import gymnasium
import mujoco
import numpy as np
import pytest

from robodrl.cli import main
from robodrl.envs.legged.build import build_model
from robodrl.envs.legged.check import check_robot, gain_advice, stand, torque_check
from robodrl.envs.legged.init import describe, render, write_description
from robodrl.envs.legged.robot import load_robot
from robodrl.envs.resources import memory_per_simulation
from robodrl.errors import ConfigError
from robodrl.make import make_core
from robodrl.robustness.roles import robot_mass
from tests.envs.legged_robots import ROBOTS, coupled_robot, mesh_robot, radian_twin

ANT = Path(gymnasium.__file__).parent / "envs" / "mujoco" / "assets" / "ant.xml"


def _init(mjcf: Path, out: Path) -> Path:
    document, found = describe(mjcf, out)
    write_description(render(document, found, mjcf), out)
    return out


@pytest.mark.parametrize("name", ["mini", "anymal_class"])
def test_shipped_descriptions_are_what_init_writes(tmp_path: Path, name: str) -> None:
    """robots/<name>.yaml was written by `robot init` with no hand edits."""
    out = _init(ROBOTS / f"{name}.xml", ROBOTS / f"{name}.yaml")  # same folder: same paths
    assert out.read_text() == (ROBOTS / f"{name}.yaml").read_text()


@pytest.mark.parametrize("make", [mesh_robot, coupled_robot, lambda folder: ANT])
def test_init_then_check_passes_with_no_hand_edits(tmp_path: Path, make) -> None:
    out = _init(make(tmp_path), tmp_path / "robot.yaml")
    checks = check_robot(load_robot(str(out)))
    assert [c for c in checks if c.failed] == []


def test_init_reads_the_mjcf_and_says_where_each_guess_came_from(tmp_path: Path) -> None:
    _, found = describe(mesh_robot(tmp_path), tmp_path / "robot.yaml")
    sources = {f.field: f.source for f in found}
    values = {f.field: f.value for f in found}
    assert values["base_body"] == "trunk" and values["imu_site"] is None
    assert values["feet"] == {f"{a}_{b}": f"{n}_foot" for (a, b), n in zip(
        [("front", "left"), ("front", "right"), ("back", "left"), ("back", "right")],
        ["fl", "fr", "bl", "br"], strict=True)}  # fmt: skip
    assert values["kp"] == 40.0 and values["kd"] == 1.0
    assert "position actuators" in sources["kp"] and "keyframe 'home'" in sources["standing_pose"]
    assert "forcerange" in sources["torque_limit"] and values["armature"] == 0.002


def test_ant_in_degrees_gets_radian_ranges_an_imu_and_tuned_gains(tmp_path: Path) -> None:
    document, found = describe(ANT, tmp_path / "ant.yaml")
    assert document["torque_limit"]["hip_1"] == 150.0  # motor gear x ctrlrange
    assert document["standing_pose"]["ankle_1"] == pytest.approx(np.radians(50), abs=1e-6)
    assert "imu_site" not in document  # the task adds one at the base
    assert "step-response" in {f.field: f.source for f in found}["kd"]


def test_a_degree_mjcf_builds_the_same_model_as_its_radian_twin(tmp_path: Path) -> None:
    degree = load_robot(str(ROBOTS / "mini.yaml"))
    twin = degree.model_copy(update={"mjcf": str(radian_twin(ROBOTS / "mini.xml", tmp_path))})
    for physics in ("fast", "accurate"):
        (a, names_a, pose_a), (b, names_b, pose_b) = (
            build_model(degree, physics), build_model(twin, physics)
        )  # fmt: skip
        assert names_a == names_b
        np.testing.assert_allclose(pose_a, pose_b)
        for field in ("jnt_range", "qpos0", "actuator_ctrlrange", "body_quat", "geom_size"):
            np.testing.assert_allclose(getattr(a, field), getattr(b, field), atol=1e-12)


@pytest.mark.parametrize("robot", ["mini", "anymal_class", "go1_class", "mesh"])
def test_capsule_sphere_and_mesh_feet_each_carry_about_a_quarter(tmp_path, robot) -> None:
    path = str(_init(mesh_robot(tmp_path), tmp_path / "r.yaml")) if robot == "mesh" else robot
    description = load_robot(
        path if robot in ("go1_class", "mesh") else str(ROBOTS / f"{robot}.yaml")
    )
    for physics in ("fast", "accurate"):
        _, env = stand(description, physics)
        weight = robot_mass(env.model) * 9.81
        loads = env.task.sensordata[0, env.task.touch] / weight
        assert np.all(loads > 0.1) and np.all(loads < 0.45), (physics, loads)
        assert abs(loads.sum() - 1.0) < 0.1


def test_coupled_joints_get_no_actuator_and_reset_where_the_constraint_puts_them(tmp_path):
    out = _init(coupled_robot(tmp_path), tmp_path / "coupled.yaml")
    core = make_core("robodrl/Legged-v0", 2, seed=0, robot=str(out), reset_noise_scale=0.0)
    assert core.action_dim == 12 and not any("ankle" in n for n in core.task.joint_names)
    core.reset()
    model, qpos = core.model, core.task.qpos
    knee, ankle = (model.joint(f"fl_{j}").qposadr[0] for j in ("knee", "ankle"))
    np.testing.assert_allclose(qpos[:, ankle], 0.5 * qpos[:, knee])


def test_a_tendon_coupling_is_refused_by_name(tmp_path: Path) -> None:
    path = coupled_robot(tmp_path)
    tendon = (
        "<tendon><fixed name='fl_link'><joint joint='fl_knee' coef='1'/>"
        "<joint joint='fl_ankle' coef='1'/></fixed></tendon>"
        "<equality><tendon tendon1='fl_link' name='fl_tendon_tie'/>"
    )
    text = path.read_text().replace("<equality>", tendon)
    path.write_text(text)
    with pytest.raises(ConfigError, match="fl_tendon_tie"):
        describe(path, tmp_path / "r.yaml")


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda t: re.sub("<keyframe>.*</keyframe>", "", t.replace("<freejoint/>", ""), flags=re.S),
         "add <freejoint/> to the base body"),
        (lambda t: t.replace('<geom name="fl_foot"', '<geom'), "has no name; add name="),
        (lambda t: t.replace('actuatorfrcrange="-12 12"', ""), "no torque limit for joint"),
        (lambda t: t.replace("0 0.25 1 0 0 0 0 0.8", "0 0.25 1 0 0 0 0 9.8"), "outside its range"),
        (lambda t: t.replace("<worldbody>", "<worldbody><broken>"), "MuJoCo cannot load it"),
    ],
)  # fmt: skip
def test_what_init_cannot_decide_is_a_named_error(tmp_path: Path, edit, expected) -> None:
    path = tmp_path / "robot.xml"
    source = coupled_robot(tmp_path)
    text = source.read_text().replace('-1.2 -0.6"', '-1.5 0"').replace("-1.2 -0.6 ", "-1.5 0 ")
    text = text.replace("<equality>", "<!--").replace("</equality>", "-->")
    text = text.replace('<joint name="fl_ankle" axis="0 1 0" range="-1 1"/>', "")
    for leg in ("fr", "bl", "br"):
        text = text.replace(f'<joint name="{leg}_ankle" axis="0 1 0" range="-1 1"/>', "")
    text = text.replace(" 0.8 -1.5 0", " 0.8 -1.5").replace('name="fl_foot"', 'name="fl_foot"')
    path.write_text(edit(text))
    with pytest.raises(ConfigError, match=expected):
        describe(path, tmp_path / "robot.yaml")


def test_init_never_replaces_a_file_it_did_not_write(tmp_path: Path, capsys) -> None:
    out = tmp_path / "robot.yaml"
    out.write_text("mine\n")
    assert main(["robot", "init", str(mesh_robot(tmp_path)), "--out", str(out)]) == 2
    assert out.read_text() == "mine\n" and "never replaces" in capsys.readouterr().err
    out.unlink()
    assert main(["robot", "init", str(mesh_robot(tmp_path)), "--out", str(out)]) == 0
    first = out.read_text()
    assert main(["robot", "init", str(mesh_robot(tmp_path)), "--out", str(out)]) == 0
    assert out.read_text() == first  # its own file is rewritten, atomically
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_check_warns_on_a_torque_limit_far_above_what_the_robot_needs(tmp_path: Path) -> None:
    """Gymnasium's ant: its gear gives the 0.91 kg robot 150 N·m per joint, hundreds of times
    what standing takes; robots with real motor limits (3-16x) pass."""
    ant = torque_check(load_robot(str(_init(ANT, tmp_path / "ant.yaml"))))
    assert (ant.name, ant.status) == ("torque headroom", "warn") and "hip_" in ant.value
    assert int(ant.value.split("x")[0]) > 300
    for name in ("quadruped", "go1_class", "anymal_class", "mini"):
        shipped = torque_check(load_robot(str(ROBOTS / f"{name}.yaml")))
        assert shipped.status == "ok", (name, shipped.value)
    for make in (mesh_robot, coupled_robot):
        (folder := tmp_path / make.__name__).mkdir()
        written = torque_check(load_robot(str(_init(make(folder), folder / "robot.yaml"))))
        assert written.status == "ok", (make.__name__, written.value)


def test_check_exits_1_naming_what_fails_and_writes_a_png(tmp_path: Path, capsys) -> None:
    out = _init(mesh_robot(tmp_path), tmp_path / "robot.yaml")
    png = tmp_path / "standing.png"
    assert main(["robot", "check", str(out), "--png", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main(["robot", "check", str(out), "--png", str(png)]) == 2  # never replaced
    weak = out.read_text().replace("kp: 40.0", "kp: 2.0")
    out.write_text(weak)
    assert main(["robot", "check", str(out)]) == 1
    assert "the robot fails" in capsys.readouterr().err


def test_check_gives_the_gains_init_would_pick_and_they_hold_the_robot(tmp_path, capsys) -> None:
    out = _init(mesh_robot(tmp_path), tmp_path / "robot.yaml")
    tuned = load_robot(str(out))
    assert gain_advice(tuned, check_robot(tuned)) is None  # nothing to say: every line passes
    out.write_text(out.read_text().replace("kp: 40.0", "kp: 10.0").replace("kd: 1.0", "kd: 0.05"))
    main(["robot", "check", str(out)])
    printed = capsys.readouterr().out
    assert "robot init's rules give" in printed
    advice = {
        line.split(":", 1)[0]: json.loads(line.split(":", 1)[1])
        for line in printed.splitlines()
        if line.startswith(("kp: {", "kd: {"))
    }
    assert set(advice["kp"]) == set(advice["kd"]) and len(advice["kp"]) == 12
    assert min(advice["kp"].values()) >= 12.0 / 0.5  # the full action meets the torque limit
    text = out.read_text()
    text = text.replace("kp: 10.0", f"kp: {json.dumps(advice['kp'])}")
    out.write_text(text.replace("kd: 0.05", f"kd: {json.dumps(advice['kd'])}"))
    pasted = load_robot(str(out))
    checks = check_robot(pasted)
    assert [c.name for c in checks if c.status != "ok"] == []
    assert gain_advice(pasted, checks) is None


def test_presets_name_parts_by_role_for_any_robot(tmp_path: Path) -> None:
    for robot in ("quadruped", str(ROBOTS / "mini.yaml"), str(ROBOTS / "anymal_class.yaml")):
        core = make_core("robodrl/Legged-v0", 4, seed=0, robot=robot,
                         randomization="dr-default", perturbations="dr-default")  # fmt: skip
        core.reset()
        payload = next(p for p in core.randomizer.params if p.label == "payload")
        assert payload.names == [load_robot(robot).base_body]
        assert payload.unit_scale == pytest.approx(robot_mass(core.model))  # kg per robot mass
    with pytest.raises(ConfigError, match=r"roles: @base \(body\)"):
        uniform = {"type": "uniform", "low": 1, "high": 2}
        tail = {"body": "@tail", "quantity": "mass", "distribution": uniform}
        make_core("robodrl/Legged-v0", 1, robot="mini", randomization={"params": [tail]})
    with pytest.raises(ConfigError, match="declares no roles"):
        one = {"low": 1, "high": 1}
        push = {"body": "@base", "kind": "force", "magnitude": one, "interval_seconds": one}
        make_core("robodrl/Cheetah-v0", 1, perturbations={"pushes": [push]})


def test_memory_estimate_leaves_out_mesh_and_texture_buffers(tmp_path: Path) -> None:
    """The model's own buffer (a 4.5 MB skybox here) is shared by the batch, not per simulation;
    the estimate still covers what 256 simulations add to a fresh process's resident memory."""
    description = load_robot(str(_init(mesh_robot(tmp_path), tmp_path / "robot.yaml")))
    model, _, _ = build_model(description, "fast")
    per_sim = memory_per_simulation(model)
    assert model.nbuffer > 4 * 2**20 and per_sim < model.narena + model.nbuffer / 2
    assert model.narena == 2 * 2**20  # no <size memory>: the builder sized the arena
    mjb = tmp_path / "robot.mjb"
    mujoco.mj_saveModel(model, str(mjb))
    script = (
        "import mujoco; from mujoco import batch\n"
        "def rss(): return int(open('/proc/self/statm').read().split()[1]) * 4096\n"
        f"m = mujoco.MjModel.from_binary_path({str(mjb)!r})\n"
        "before = rss()\n"
        "b = batch.Batch(m, 256, 1, persistent=True); b.step(nstep=50)\n"
        "print(rss() - before)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    grown = int(result.stdout.strip() or -1)
    assert 0 < grown <= 256 * per_sim, (grown, per_sim)


def test_the_run_owns_its_robot(tmp_path: Path, monkeypatch) -> None:
    """Train on a robot from a folder, then move it away and edit it: eval and resume from
    another folder use the run's signed copy and report the change."""
    from robodrl.files.signing import UntrustedRunError
    from robodrl.resolve import validate_config
    from robodrl.runs.loading import load_run_policy, run_config
    from robodrl.runs.robot_copy import RobotSourceChangedWarning
    from robodrl.runs.train import train

    monkeypatch.setenv("ROBODRL_HOME", str(tmp_path / "home"))  # this test's own key
    source = tmp_path / "mine"
    out = _init(mesh_robot(source), source / "robot.yaml")
    config = validate_config({
        "env": {"id": "robodrl/Legged-v1", "task": {"robot": str(out)}, "num_envs": 2},
        "algorithm": {"name": "lean_ppo", "hyperparameters": {"n_steps": 8}},
        "total_steps": 32,
        "checkpoint": {"every_steps": 16},
        "eval": {"every_steps": 16, "episodes": 1},
    })  # fmt: skip
    run, _ = train(config, tmp_path / "run")
    assert len(list((tmp_path / "home" / "robot-checks").glob("*.json"))) == 1  # checked once
    os.rename(source, tmp_path / "moved")
    (tmp_path / "moved" / "meshes" / "foot.obj").write_text("v 0 0 0\n")
    monkeypatch.chdir(tmp_path / "moved")
    with pytest.warns(RobotSourceChangedWarning, match="is gone"):
        config = run_config(run)
    assert Path(config.env.task["robot"]).is_relative_to(run / "robot")
    with pytest.warns(RobotSourceChangedWarning):
        policy = load_run_policy(run, checkpoint="latest")
    assert policy.act(np.zeros(policy.obs_dim, dtype=np.float32)).shape == (12,)
    (run / "robot" / "robot.yaml").write_text((run / "robot" / "robot.yaml").read_text() + "#\n")
    with pytest.raises(UntrustedRunError, match=r"robot\.yaml changed"):
        run_config(run)
    # trusted but no longer signed: sources.json's paths (outside the run) are not followed
    with warnings.catch_warnings():
        warnings.simplefilter("error", RobotSourceChangedWarning)
        assert Path(run_config(run, trust=True).env.task["robot"]).is_relative_to(run / "robot")


def test_a_damaged_roles_text_is_a_clear_error() -> None:
    from robodrl.robustness.roles import ROLE_TEXT, model_roles

    model = mujoco.MjModel.from_xml_string(
        f'<mujoco><custom><text name="{ROLE_TEXT}" data="[1, 2"/></custom></mujoco>'
    )
    with pytest.raises(ConfigError, match="not a JSON mapping of roles"):
        model_roles(model)


def test_train_refuses_a_robot_that_fails_its_check_and_writes_nothing(tmp_path, monkeypatch):
    from robodrl.resolve import validate_config
    from robodrl.runs.train import train

    monkeypatch.setenv("ROBODRL_HOME", str(tmp_path / "home"))
    out = _init(mesh_robot(tmp_path), tmp_path / "robot.yaml")
    out.write_text(out.read_text().replace("kp: 40.0", "kp: 2.0"))  # too soft to stand
    config = validate_config({
        "env": {"id": "robodrl/Legged-v1", "task": {"robot": str(out)}, "num_envs": 2},
        "algorithm": {"name": "lean_ppo"},
        "total_steps": 32,
    })  # fmt: skip
    with pytest.raises(ConfigError, match=r"fails `robodrl robot check`.*fell"):
        train(config, tmp_path / "run")
    assert not (tmp_path / "run").exists()
    assert not (tmp_path / "home" / "robot-checks").exists()


def test_train_warns_on_a_robot_whose_check_warns_every_time(tmp_path, monkeypatch) -> None:
    from robodrl.resolve import validate_config
    from robodrl.runs.robot_copy import RobotCheckWarning
    from robodrl.runs.train import train

    monkeypatch.setenv("ROBODRL_HOME", str(tmp_path / "home"))
    out = _init(mesh_robot(tmp_path), tmp_path / "robot.yaml")
    out.write_text(out.read_text().replace("kd: 1.0", "kd: 0.3"))  # rings, but stands
    config = validate_config({
        "env": {"id": "robodrl/Legged-v1", "task": {"robot": str(out)}, "num_envs": 2},
        "algorithm": {"name": "lean_ppo", "hyperparameters": {"n_steps": 8}},
        "total_steps": 16,
    })  # fmt: skip
    for run in ("first", "cached", "record damaged", "record without warnings"):
        with pytest.warns(RobotCheckWarning, match=r"step fl_hip: overshoot \d+%.*gains"):
            train(config, tmp_path / run)
        (record,) = (tmp_path / "home" / "robot-checks").glob("*.json")
        if run == "cached":
            record.write_text("{")  # a damaged record: the robot is checked again
        elif run == "record damaged":  # written before records kept warnings: checked again
            record.write_text(json.dumps({"robot": str(out), "passed": True}))
    assert "step fl_hip" in record.read_text()


def test_a_robot_checked_by_an_older_robot_check_is_checked_again(tmp_path, monkeypatch) -> None:
    from robodrl.resolve import validate_config
    from robodrl.runs import robot_copy
    from robodrl.runs.train import train

    monkeypatch.setenv("ROBODRL_HOME", str(tmp_path / "home"))
    out = _init(mesh_robot(tmp_path), tmp_path / "robot.yaml")
    config = validate_config({
        "env": {"id": "robodrl/Legged-v1", "task": {"robot": str(out)}, "num_envs": 2},
        "algorithm": {"name": "lean_ppo", "hyperparameters": {"n_steps": 8}},
        "total_steps": 16,
    })  # fmt: skip
    train(config, tmp_path / "first")
    (first,) = (tmp_path / "home" / "robot-checks").glob("*.json")
    monkeypatch.setattr(robot_copy, "CHECK_REVISION", robot_copy.CHECK_REVISION + 1)
    train(config, tmp_path / "second")  # a check with more lines: the robot is checked again
    records = sorted((tmp_path / "home" / "robot-checks").glob("*.json"))
    assert len(records) == 2 and first in records


def test_the_cli_prints_robodrls_own_warnings_as_one_line(tmp_path: Path) -> None:
    out = _init(mesh_robot(tmp_path), tmp_path / "robot.yaml")
    out.write_text(out.read_text().replace("kd: 1.0", "kd: 0.3"))  # rings, but stands
    config = {
        "env": {"id": "robodrl/Legged-v1", "task": {"robot": str(out)}, "num_envs": 2},
        "algorithm": {"name": "lean_ppo", "hyperparameters": {"n_steps": 8}},
        "total_steps": 16,
    }
    (tmp_path / "train.yaml").write_text(json.dumps(config))
    result = subprocess.run(  # a process: Python prints the warnings it is not asked to record
        [sys.executable, "-m", "robodrl", "train", str(tmp_path / "train.yaml"),
         "--run-dir", str(tmp_path / "run")],
        env={**os.environ, "ROBODRL_HOME": str(tmp_path / "home")},
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if "warn" in line]
    assert lines and lines[0].startswith(f"robodrl train: warning: env.task.robot {out}: ")
    assert "RobotCheckWarning" not in result.stderr  # not Python's file:line: Category: form
