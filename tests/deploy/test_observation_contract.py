"""The deploy loop's first piece: a legged policy's observation built from a robot's signals
with nothing but the file's metadata equals the observation robodrl's env gave in training, and
the deploy package imports none of robodrl's training code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import pytest

from robodrl.deploy import ObservationBuilder
from robodrl.make import make_core
from robodrl.runtime.metadata import RuntimePolicyError


def test_the_deploy_loop_imports_no_training_code() -> None:
    """The loop, its checks, the sim robot's client, replay, the report and the command: none
    pulls in robodrl's envs or algorithms (or torch, MuJoCo, Gymnasium, SB3). Only the sim
    robot's own process (``robodrl.deploy.sim_server``, the robot's side) builds an env."""
    modules = ["robodrl.deploy", "robodrl.deploy.loop", "robodrl.deploy.contract",
               "robodrl.deploy.safety", "robodrl.deploy.probe", "robodrl.deploy.schedule",
               "robodrl.deploy.sim", "robodrl.deploy.replay", "robodrl.deploy.report",
               "robodrl.deploy.team", "robodrl.deploy.keyboard",
               "robodrl.cli.deploy"]  # fmt: skip
    code = (f"import importlib, sys; [importlib.import_module(m) for m in {modules!r}]; "
            "print(sorted(m for m in sys.modules if m.startswith(('robodrl.envs', "
            "'robodrl.algorithms')) or m.split('.')[0] in "
            "('torch', 'mujoco', 'gymnasium', 'stable_baselines3')))")  # fmt: skip
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == "[]"


def robot_signals(core, i: int) -> dict[str, np.ndarray]:
    """What robot ``i``'s sensors and encoders read (the test plays the robot's side)."""
    task = core.task
    data = task.sensordata[i]
    return {
        "command": task.commands.value[i],
        "base_linear_velocity": data[task.velocimeter],
        "base_angular_velocity": data[task.gyro],
        "gravity_in_base": -task.xmat[i, task.base_id, 6:9],
        "joint_pos": task.qpos[i, task.joint_qpos],
        "joint_vel": task.qvel[i, task.joint_qvel],
    }


@pytest.mark.parametrize(("env_id", "robot"), [("robodrl/Legged-v1", "go1_class"),
                                              ("robodrl/Legged-v2", "mini")])  # fmt: skip
def test_the_contract_rebuilds_the_legged_observation_exactly(env_id: str, robot: str) -> None:
    """Also for the mini on Legged-v2, whose trot clock runs faster than ``gait_hz``."""
    core = make_core(env_id, 4, seed=0, robot=robot)
    layout = {k: (v.start, v.stop) for k, v in core.obs_layout.items()}
    builder = ObservationBuilder(layout, core.task.observation_contract(), core.control_dt)
    obs, rng = core.reset(), np.random.default_rng(0)
    builder.phase = float(core.task.clock.phase[1])  # the robot's clock, wherever it starts
    previous = np.zeros(core.action_dim)
    for step in range(40):
        built = builder.build(robot_signals(core, 1), previous)
        np.testing.assert_allclose(built, obs[1], atol=1e-6, err_msg=f"step {step}")
        action = rng.uniform(-1, 1, (4, core.action_dim))
        obs, _, terminated, truncated, _ = core.step(action)
        if terminated[1] or truncated[1]:
            break
        builder.advance()
        previous = action[1]


def test_an_exported_file_carries_the_contract(legged_file: Path) -> None:
    meta = {p.key: p.value for p in onnx.load(legged_file).metadata_props}
    layout = {k: tuple(v) for k, v in json.loads(meta["obs_layout"]).items()}
    contract = json.loads(meta["observation_contract"])
    builder = ObservationBuilder(layout, contract, float(meta["control_dt"]), where="file")
    assert set(builder.signals) == {"command", "base_linear_velocity", "base_angular_velocity",
                                    "gravity_in_base", "joint_pos", "joint_vel"}  # fmt: skip
    assert contract["gait_phase"] == {"kind": "clock", "hz": 2.0}


def test_what_the_contract_or_the_robot_lacks_is_named() -> None:
    core = make_core("robodrl/Legged-v1", 1, seed=0)
    layout = {k: (v.start, v.stop) for k, v in core.obs_layout.items()}
    contract = core.task.observation_contract()
    partial = {k: v for k, v in contract.items() if k != "gyro"}
    with pytest.raises(RuntimePolicyError, match="says nothing of block 'gyro'"):
        ObservationBuilder(layout, partial, core.control_dt)
    builder = ObservationBuilder(layout, contract, core.control_dt)
    core.reset()
    signals = robot_signals(core, 0)
    del signals["joint_vel"]
    with pytest.raises(RuntimePolicyError, match="gave no 'joint_vel' signal"):
        builder.build(signals, np.zeros(core.action_dim))
    signals = robot_signals(core, 0) | {"joint_pos": np.zeros(3)}
    with pytest.raises(RuntimePolicyError, match="signal 'joint_pos' must be 12 finite values"):
        builder.build(signals, np.zeros(core.action_dim))
