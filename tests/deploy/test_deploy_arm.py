"""``robodrl deploy`` for an arm: a joint-target reach policy drives the simulated Franka-class
arm from its file alone, the operator's targets fill the observation's target block, and the
report says how close the hand came to each; an end-effector policy is refused with the reason.
The arm's observation built from its signals equals the env's."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from robodrl.cli import main
from robodrl.deploy import ObservationBuilder
from robodrl.deploy.contract import DeployContract
from robodrl.make import make_core
from robodrl.runtime import OnnxPolicy


def arm_signals(core, i: int) -> dict[str, np.ndarray]:
    """What arm ``i``'s encoders, forward kinematics and gripper read (the robot's side)."""
    task, model = core.task, core.model
    joints = model.actuator_trnid[:, 0]
    base = task.scene.workspace.base
    length = task.actuator_length[i, task.gripper].mean()
    return {
        "joint_pos": task.qpos[i, model.jnt_qposadr[joints]],
        "joint_vel": task.qvel[i, model.jnt_dofadr[joints]],
        "end_effector_position": task.site_xpos[i, task.ee] - base,
        "gripper_opening": np.array([(length - task.grip_closed) / task.grip_span]),
        "target_position": task.mocap_pos[i, task.goal] - base,
    }


@pytest.mark.parametrize("robot", ["franka_class", "ur_class"])
def test_the_arm_contract_rebuilds_the_reach_observation_exactly(robot: str) -> None:
    core = make_core("robodrl/ManipulatorReach-v0", 3, seed=0, robot=robot, action="joint")
    layout = {k: (v.start, v.stop) for k, v in core.obs_layout.items()}
    builder = ObservationBuilder(layout, core.task.observation_contract(), core.control_dt)
    assert builder.operator_signals == ["target_position"]
    obs, rng = core.reset(), np.random.default_rng(0)
    for step in range(30):
        built = builder.build(arm_signals(core, 2), np.zeros(core.action_dim))
        np.testing.assert_allclose(built, obs[2], atol=1e-6, err_msg=f"step {step}")
        obs, *_ = core.step(rng.uniform(-1, 1, (3, core.action_dim)))


def test_a_reach_policy_drives_the_sim_arm_to_the_operators_targets(
    arm_file: Path, tmp_path: Path, capsys
) -> None:
    schedule = tmp_path / "targets.yaml"
    schedule.write_text(
        "commands:\n  - {at: 0, command: [0.45, 0.1, 0.3]}\n"
        "  - {at: 1.5, command: [0.35, -0.15, 0.35]}\n"
    )
    out = tmp_path / "arm"
    options = f"--seconds 3 --schedule {schedule} --out {out} --stale-ms 1000".split()
    code = main(["deploy", str(arm_file), *options])
    assert code == 0, capsys.readouterr().err
    summary = json.loads((out / "deploy.json").read_text())
    assert summary["ended"] == "completed" and summary["reach"]["targets"] == 2
    assert all(np.isfinite(summary["reach"]["final_distance_m"]))
    assert summary["tracking"] is None
    with np.load(out / "signals.npz") as log:
        assert log["sent"].shape[1] == 1 + 8  # the mode, 7 arm joints and the gripper
        assert log["signal_target_position"][-1].tolist() == [0.35, -0.15, 0.35]
    with np.load(out / "sim_truth.npz") as truth:
        hand = truth["truth"][-1, 1:]
    assert np.linalg.norm(hand - log_hand(out)) < 0.01  # the loop saw where the hand was


def log_hand(out: Path) -> np.ndarray:
    with np.load(out / "signals.npz") as log:
        return log["signal_end_effector_position"][-1]


def test_an_end_effector_policy_moves_the_hand_through_the_robots_controller(
    hand_file: Path, tmp_path: Path, capsys
) -> None:
    """The policy's commands are the hand's motion: the loop sends them as they are (scaled up
    over the soft start), and the sim arm's Cartesian controller turns them into joint
    targets, as a robot's would."""
    contract = DeployContract(OnnxPolicy(hand_file))
    assert contract.mode == "end_effector" and contract.motion.tolist() == [1, 1, 1, 0]
    assert len(contract.joint_names) == 8  # the robot's joints: 7 arm joints and the finger
    schedule = tmp_path / "targets.yaml"
    schedule.write_text("commands:\n  - {at: 0, command: [0.45, 0.1, 0.3]}\n")
    out = tmp_path / "hand"
    options = f"--seconds 2 --schedule {schedule} --out {out} --stale-ms 1000".split()
    assert main(["deploy", str(hand_file), *options]) == 0, capsys.readouterr().err
    with np.load(out / "signals.npz") as log:
        sent, hand = log["sent"], log["signal_end_effector_position"]
    assert sent.shape[1] == 1 + 4  # the mode, the hand's dx, dy, dz and the gripper
    assert np.abs(sent[:, 1:4]).max() <= contract.ctrl_high[0] + 1e-6
    assert np.abs(sent[0, 1:4]).max() == 0.0  # the soft start begins from no motion
    assert np.linalg.norm(hand[-1] - hand[0]) > 1e-3  # the controller moved the hand


def test_a_sim_arm_takes_no_kicks(arm_file: Path, tmp_path: Path, capsys) -> None:
    code = main(
        [
            "deploy",
            str(arm_file),
            "--seconds",
            "1",
            "--kick-speed",
            "0.5",
            "--out",
            str(tmp_path / "out"),
        ]
    )
    assert code == 2
    assert "takes no kicks (--kick-speed)" in capsys.readouterr().err
