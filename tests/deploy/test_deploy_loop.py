"""``robodrl deploy``: an exported policy drives a simulated robot in another process through the
real-time loop that knows only the file; the loop's checks refuse a robot that does not fit
before the first command; the fault guard, the watchdog, the e-stop and a dead robot each put
it in safe mode with a named message; the report is written atomically, also on Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from robodrl.cli import main
from robodrl.deploy.contract import DeployContract
from robodrl.deploy.interface import DeployError
from robodrl.deploy.loop import run_loop
from robodrl.deploy.safety import Safety, SafetyConfig
from robodrl.deploy.schedule import CommandSchedule
from robodrl.deploy.sim import SimOptions, SimRobot
from robodrl.runtime import OnnxPolicy
from robodrl.runtime.metadata import RuntimePolicyError
from tests.signals import start_as_from_a_terminal

#: the watchdog in tests not about it (s): a test box that stalls 60 ms is no stale robot
RELAXED_WATCHDOG = 1.0
RELAXED = ["--stale-ms", str(RELAXED_WATCHDOG * 1e3)]


def drive(
    policy: Path,
    options: SimOptions,
    seconds: float,
    *,
    probe: bool = False,
    estop=None,
    kill_at: float | None = None,
    stale_after: float | None = RELAXED_WATCHDOG,
):
    """Run the loop on a sim robot; the log, the safety layer and the robot's truth file."""
    contract = DeployContract(OnnxPolicy(policy))
    config = SafetyConfig(soft_start_s=0.5, stale_after_s=stale_after)
    safety = Safety(contract, config, estop)
    robot = SimRobot(policy, options)
    if kill_at is not None:
        threading.Timer(kill_at, robot.process.kill).start()
    try:
        log = run_loop(contract, robot, CommandSchedule.standing(3), safety, seconds, probe=probe)
    finally:
        robot.close()
    return log, safety, robot


def test_a_short_deploy_run_completes_with_its_report(legged_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    schedule = tmp_path / "schedule.yaml"
    schedule.write_text(
        "commands:\n  - {at: 0, command: [0, 0, 0]}\n  - {at: 1.5, command: [0.3, 0, 0]}\n"
    )
    options = f"--seconds 2.5 --schedule {schedule} --out {out} --noise 1 --latency-ms 5"
    assert main(["deploy", str(legged_file), *options.split(), *RELAXED]) == 0
    summary = json.loads((out / "deploy.json").read_text())
    assert summary["ended"] == "completed" and summary["safe_mode"] is None
    assert 100 <= summary["steps"] + summary["missed_deadlines"] <= 126
    assert summary["measurement_age_ms"]["p50"] >= 5.0  # the robot's latency reached the loop
    assert summary["inference_ms"]["p50"] > 0 and summary["tracking"]["steps"] > 0
    rows = (out / "deploy.csv").read_text().splitlines()
    assert len(rows) == summary["steps"] + 1 and "late_ms" in rows[0]
    assert (out / "timing.png").stat().st_size > 1000
    assert "Deploy report" in (out / "deploy.html").read_text()
    with np.load(out / "signals.npz") as log:
        assert log["sent"].shape == (summary["steps"], 13)
        assert log["signal_command"][-1].tolist() == [0.3, 0.0, 0.0]


def test_replay_gives_back_the_logged_commands(legged_file: Path, tmp_path: Path, capsys) -> None:
    first, again = tmp_path / "first", tmp_path / "again"
    options = f"--seconds 1.5 --noise 1 --out {first} --no-probe"
    assert main(["deploy", str(legged_file), *options.split(), *RELAXED]) == 0
    capsys.readouterr()
    assert (
        main(
            [
                "deploy",
                str(legged_file),
                "--robot",
                f"replay:{first}",
                "--seconds",
                "1.5",
                "--out",
                str(again),
            ]
        )
        == 0
    )
    said = capsys.readouterr().out
    difference = float(said.split("max |command - logged| = ")[1].split()[0])
    assert difference < 1e-5, said


def test_the_sim_robot_is_another_process_and_its_death_means_safe_mode(
    legged_file: Path,
) -> None:
    log, safety, robot = drive(legged_file, SimOptions(), 6.0, kill_at=2.5)
    assert robot.process.pid != os.getpid() and robot.process.returncode == -signal.SIGKILL
    assert safety.safe == "lost" and safety.counts["lost"] == 1
    assert log.ended.startswith("safe mode (lost): the sim robot's link closed")
    assert "exit code -9" in log.ended
    assert 1.0 < log.rows[-1]["t"] < 3.5


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"drop_joint": 4}, "has no joint 'front_right_hip' the policy drives"),
        ({"control_hz": 100.0}, "runs at 100 Hz, the policy at 50 Hz"),
        ({"swap_joints": (1, 2)}, "joint 'front_left_hip' reads -1.8"),
        ({"flip_joint": 2}, "joint 'front_left_knee' reads 1.8"),
    ],
    ids=["missing joint", "control rate", "crossed joints", "flipped knee"],
)
def test_a_robot_that_does_not_fit_is_refused_before_any_command(
    legged_file: Path, tmp_path: Path, options: dict, message: str
) -> None:
    truth = tmp_path / "truth.npz"
    with pytest.raises(DeployError, match=message):
        drive(legged_file, SimOptions(truth=truth, **options), 2.0, probe=True)
    with np.load(truth) as robot_side:
        assert int(robot_side["commands"]) == 0


def test_the_joint_check_catches_a_flipped_encoder_at_rest(legged_file: Path) -> None:
    """A hip abduction rests at 0 rad, so its flipped encoder reads inside the range; moving
    it shows the sign."""
    with pytest.raises(
        DeployError,
        match=r"'front_left_hip_abduction' was moved \+0.100 rad 3 times and read -0.0\d\d, "
        r"-0.0\d\d, -0.0",
    ):
        drive(legged_file, SimOptions(flip_joint=0), 2.0, probe=True)


def test_wrong_signal_sizes_are_refused(legged_file: Path) -> None:
    contract = DeployContract(OnnxPolicy(legged_file))
    from robodrl.deploy.interface import State

    signals = {
        "joint_pos": np.zeros(12),
        "joint_vel": np.zeros(12),
        "gravity_in_base": np.zeros(2),
        "base_angular_velocity": np.zeros(3),
        "base_linear_velocity": np.zeros(3),
    }
    contract.joint_low[:], contract.joint_high[:] = -1, 1
    with pytest.raises(
        DeployError, match="signal 'gravity_in_base' has 2 values; the policy's observation needs 3"
    ):
        contract.check_state(State(0.0, signals), "robot")
    signals["gravity_in_base"] = np.array([0.0, np.nan, -1.0])
    with pytest.raises(DeployError, match=r"'gravity_in_base' reads \[0.0, nan, -1.0\] at"):
        contract.check_state(State(0.0, signals), "robot")


@pytest.mark.parametrize(
    ("options", "kind", "detail"),
    [
        ({"nan_at": 1.2}, "fault", "the policy's fault guard"),
        ({"freeze_at": 1.2}, "stale", "the watchdog allows 60 ms"),
    ],
    ids=["fault guard", "watchdog"],
)
def test_the_fault_guard_and_the_watchdog_put_the_robot_in_safe_mode(
    legged_file: Path, tmp_path: Path, options: dict, kind: str, detail: str
) -> None:
    relaxed = kind != "stale"
    options = SimOptions(truth=tmp_path / "t.npz", **options)
    log, safety, _ = drive(
        legged_file, options, 2.5, stale_after=RELAXED_WATCHDOG if relaxed else None
    )
    assert safety.safe == kind and safety.counts[kind] == 1
    assert detail in log.ended
    modes = [row["mode"] for row in log.rows]
    entered = modes.index(f"safe ({kind})")
    assert 0.9 < log.rows[entered]["t"] < 1.6 and set(modes[entered:]) == {f"safe ({kind})"}
    with np.load(tmp_path / "t.npz") as truth:
        height = truth["truth"][-1, 1]
    assert height > 0.6  # holding its pose, the robot has not fallen (a fall: 0.5)


def test_the_estop_hook_stops_the_policy(legged_file: Path) -> None:
    start = time.monotonic()
    log, safety, _ = drive(
        legged_file, SimOptions(), 2.0, estop=lambda: time.monotonic() - start > 1.5
    )
    assert safety.safe == "estop" and "e-stop" in log.ended
    assert log.rows[-1]["mode"] == "safe (estop)"


def test_a_bad_schedule_or_folder_is_refused_and_loses_nothing(
    legged_file: Path, tmp_path: Path, capsys
) -> None:
    schedule = tmp_path / "schedule.yaml"
    schedule.write_text("commands:\n  - {at: 1, command: [0, 0]}\n")
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    assert (
        main(
            [
                "deploy",
                str(legged_file),
                "--schedule",
                str(schedule),
                "--out",
                str(tmp_path / "new"),
            ]
        )
        == 2
    )
    assert "commands[0].command has 2 values; the policy's command has 3" in capsys.readouterr().err
    schedule.write_text(
        "commands:\n  - {at: 2, command: [0, 0, 0]}\n  - {at: 1, command: [0, 0, 0]}\n"
    )
    assert main(["deploy", str(legged_file), "--schedule", str(schedule)]) == 2
    assert "commands[1].at: 1.0 comes before 2.0" in capsys.readouterr().err
    assert main(["deploy", str(legged_file), "--out", str(out), "--seconds", "1"]) == 2
    assert "already holds files robodrl did not write (notes.txt)" in capsys.readouterr().err
    assert (out / "notes.txt").read_text() == "keep me" and not (tmp_path / "new").exists()


def wait_for_the_sim(process: subprocess.Popen, driving: float = 6.0) -> None:
    """Until ``robodrl deploy`` has started its sim robot's process, then ``driving`` seconds
    more (the sim comes up and the loop drives it)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.25)
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if parent == process.pid:
                time.sleep(driving)
                return
    raise AssertionError("robodrl deploy started no sim robot")


def test_ctrl_c_ends_in_safe_mode_and_writes_the_report_whole(
    legged_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "report"
    options = f"--seconds 60 --out {out} --no-probe".split() + RELAXED
    command = [sys.executable, "-m", "robodrl", "deploy", str(legged_file), *options]
    process = start_as_from_a_terminal(command)
    wait_for_the_sim(process)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 1, err
    assert "interrupted (Ctrl-C)" in err
    summary = json.loads((out / "deploy.json").read_text())
    assert summary["ended"] == "interrupted (Ctrl-C): safe mode" and summary["steps"] > 20
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp-")]


def test_keys_at_a_terminal_change_the_command_and_x_is_the_estop(
    legged_file: Path, tmp_path: Path
) -> None:
    import pty

    out = tmp_path / "keys"
    main_fd, terminal = pty.openpty()
    options = f"--keyboard --seconds 20 --no-probe --out {out}".split() + RELAXED
    command = [sys.executable, "-m", "robodrl", "deploy", str(legged_file), *options]
    process = subprocess.Popen(
        command, stdin=terminal, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    os.close(terminal)
    wait_for_the_sim(process)
    os.write(main_fd, b"ww")
    time.sleep(1.0)
    os.write(main_fd, b"x")
    _, err = process.communicate(timeout=60)
    os.close(main_fd)
    assert process.returncode == 1, err
    summary = json.loads((out / "deploy.json").read_text())
    assert summary["safe_mode"] == "estop"
    assert summary["events"][0]["detail"] == "the e-stop hook said stop"
    rows = (out / "deploy.csv").read_text().splitlines()
    header = rows[0].split(",")
    vx = [float(r.split(",")[header.index("command_0")]) for r in rows[1:]]
    assert vx[0] == 0.0 and vx[-1] == pytest.approx(0.2)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seconds", "0"], "--seconds must be above 0"),
        (["--latency-ms", "-1"], "--latency-ms must be at least 0"),
        (["--robot", "nowhere"], "--robot 'nowhere': give sim, replay:FOLDER or MODULE:CLASS"),
        (["--robot", "no_such_module:Robot"], "No module named 'no_such_module'"),
        (["--robot", "replay:missing"], "not a deploy log"),
    ],
    ids=["seconds", "latency", "robot spec", "robot module", "replay folder"],
)
def test_a_wrong_option_is_named_and_writes_nothing(
    legged_file: Path, tmp_path: Path, capsys, args: list[str], message: str
) -> None:
    out = tmp_path / "out"
    assert main(["deploy", str(legged_file), "--out", str(out), *args]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_a_crafted_contract_is_refused_with_the_block_named() -> None:
    from robodrl.deploy import ObservationBuilder

    layout = {"joint_pos": (0, 2), "hand_to_target": (2, 5)}
    good = {
        "joint_pos": {"signal": "joint_pos", "indices": [0, 1]},
        "hand_to_target": {"kind": "difference", "signals": ["target", "hand"]},
    }
    builder = ObservationBuilder(layout, good, 0.02)
    assert builder.sizes() == {"joint_pos": 2, "target": 3, "hand": 3}
    assert builder.operator_signals == []
    # a file exported before contracts named sources: its velocity command is the operator's
    legacy = ObservationBuilder({"command": (0, 3)}, {"command": {"signal": "command"}}, 0.02)
    assert legacy.operator_signals == ["command"]
    obs = builder.build(
        {"joint_pos": [1.0, 2.0, 3.0], "target": [1, 1, 1], "hand": [0, 1, 2]}, np.zeros(0)
    )
    assert obs.tolist() == [1.0, 2.0, 1.0, 0.0, -1.0]
    for block, entry, said in [
        ("joint_pos", {"signal": "joint_pos", "indices": [0, -1]}, "indices must be 2 whole"),
        ("joint_pos", {"signal": "joint_pos", "offset": [0.0]}, "offset has 1 values, the block 2"),
        ("hand_to_target", {"kind": "difference", "signals": ["a"]}, "a difference names two"),
        ("hand_to_target", {"kind": "sum"}, "neither a signal nor a kind"),
    ]:
        with pytest.raises(
            RuntimePolicyError, match=f"observation_contract\\['{block}'\\]: {said}"
        ):
            ObservationBuilder(layout, good | {block: entry}, 0.02)
    with pytest.raises(
        RuntimePolicyError,
        match="signal 'joint_pos' has 1 values; the policy takes its entries \\[0, 1\\]",
    ):
        builder.build({"joint_pos": [1.0], "target": [1, 1, 1], "hand": [0, 1, 2]}, np.zeros(0))


def crafted(source: Path, folder: Path, **changes: str) -> Path:
    """A copy of the policy file ``source`` with metadata entries replaced."""
    import onnx

    model = onnx.load(source)
    for prop in model.metadata_props:
        if prop.key in changes:
            prop.value = changes[prop.key]
    path = folder / "crafted.onnx"
    onnx.save(model, path)
    return path


def test_a_crafted_file_is_refused_with_the_field_named(legged_file: Path, tmp_path: Path) -> None:
    import onnx

    meta = {p.key: p.value for p in onnx.load(legged_file).metadata_props}
    actuation = json.loads(meta["actuation"])
    contract = json.loads(meta["observation_contract"])
    for changes, said in [
        ({"actuation": "{not json"}, "metadata actuation = '{not json' is not valid JSON"),
        ({"actuation": json.dumps(actuation | {"kp": [40.0] * 3})},
         r"actuation.kp = \[40.0, 40.0, 40.0\] is not 12 finite numbers, one per joint"),
        ({"actuation": json.dumps(actuation | {"joint_low": ["x"] * 12})},
         r"actuation.joint_low = .* is not 12 finite numbers \(or null\)"),
        ({"actuation": json.dumps(actuation | {"joints": ["hip"] * 3})},
         "metadata actuation = .* is not 12 joints"),
        ({"observation_contract": json.dumps(contract | {"joint_pos": {
            "signal": "joint_pos", "offset": ["a"] * 12}})},
         r"observation_contract\['joint_pos'\]: offset must be 12 finite numbers"),
        ({"observation_contract": json.dumps(contract | {"gait_phase": {
            "kind": "clock", "hz": "fast"}})},
         r"observation_contract\['gait_phase'\]: a clock is 2 values at hz > 0"),
    ]:  # fmt: skip
        with pytest.raises((DeployError, RuntimePolicyError), match=said):
            DeployContract(OnnxPolicy(crafted(legged_file, tmp_path, **changes)))


def test_an_observation_layout_with_a_gap_is_refused() -> None:
    from robodrl.deploy import ObservationBuilder

    contract = {"a": {"signal": "a"}, "b": {"signal": "b"}}
    with pytest.raises(RuntimePolicyError, match=r"gives entries \[2\] to no block or to several"):
        ObservationBuilder({"a": (0, 2), "b": (3, 5)}, contract, 0.02)


def test_a_damaged_replay_log_is_refused(legged_file: Path, tmp_path: Path) -> None:
    from robodrl.deploy.replay import ReplayRobot

    log = tmp_path / "signals.npz"
    good = {"sent": np.zeros((3, 13)), "age": np.zeros(3), "control_dt": np.array(0.02),
            "joint_names": np.array(["hip"]), "signal_joint_pos": np.zeros((3, 12))}  # fmt: skip
    for change, said in [
        ({"signal_joint_pos": np.zeros((2, 12))}, r"\['signal_joint_pos'\] do not fit"),
        ({"control_dt": np.array("fast")}, "a control period in \\(0, 10\\] s"),
        ({"joint_names": np.arange(3)}, "joint_names are not names"),
    ]:
        np.savez(log, **(good | change))
        with pytest.raises(DeployError, match=said):
            ReplayRobot(log)
    np.savez(log, **{k: v for k, v in good.items() if k != "age"})
    with pytest.raises(DeployError, match=r"it lacks \['age'\]"):
        ReplayRobot(tmp_path)
    np.save(tmp_path / "plain.npy", np.zeros(3))
    with pytest.raises(DeployError, match="not a deploy log"):
        ReplayRobot(tmp_path / "plain.npy")
