"""``robodrl deploy TEAM_FOLDER``: an exported team drives one robot, each agent's file on its
own entries of the robot's observation and its own actuators, as the runtime's team does."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from robodrl.cli import main
from robodrl.deploy.contract import DeployContract
from robodrl.deploy.team import TeamPolicy
from robodrl.runtime import OnnxTeam


def test_each_agent_drives_its_own_actuators_as_the_runtime_team_does(team_folder: Path) -> None:
    policy, team = TeamPolicy(team_folder), OnnxTeam(team_folder)
    assert sorted(policy.team.agents) == ["back_left", "back_right", "front_left", "front_right"]
    owned = np.sort(np.concatenate(list(team.actuators.values())))
    assert owned.tolist() == list(range(12))  # every actuator, once
    rng = np.random.default_rng(0)
    for _ in range(20):
        obs = rng.normal(size=team.obs_dim).astype(np.float32)
        commands, fault = policy.act_guarded(obs)
        assert not fault
        np.testing.assert_array_equal(commands, team.act(obs))
    obs[team.obs_index["back_left"][-1]] = np.nan  # one agent's entry: its guard fires
    assert policy.act_guarded(obs)[1]
    contract = DeployContract(policy)
    assert contract.joint_names[:3] == [
        "front_left_hip_abduction",
        "front_left_hip",
        "front_left_knee",
    ]


def test_a_team_folder_deploys_to_the_sim_robot(team_folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "team"
    options = f"--seconds 2 --out {out} --no-probe --stale-ms 1000".split()
    assert main(["deploy", str(team_folder), *options]) == 0
    summary = json.loads((out / "deploy.json").read_text())
    assert summary["ended"] == "completed" and summary["sim_truth"]["falls"] == 0
    assert summary["policy"] == str(team_folder)
    with np.load(out / "signals.npz") as log:
        assert log["sent"].shape[1] == 1 + 12


def test_a_crafted_team_manifest_is_refused_with_the_field_named(
    team_folder: Path, tmp_path: Path
) -> None:
    import shutil

    import pytest

    from robodrl.runtime.metadata import RuntimePolicyError

    copy = tmp_path / "team"
    shutil.copytree(team_folder, copy)
    manifest = json.loads((team_folder / "manifest.json").read_text())
    for changes, said in [
        ({"obs_layout": {"command": [0, 999]}}, "metadata obs_layout = .* is not a map"),
        ({"ctrl_low": [0.0]}, "metadata ctrl_low = .* is not a list of 12 finite numbers"),
        ({"control_dt": -1}, "metadata control_dt = '-1' is not a control period"),
    ]:
        (copy / "manifest.json").write_text(json.dumps(manifest | changes))
        with pytest.raises(RuntimePolicyError, match=said):
            TeamPolicy(copy)
    del manifest["control_dt"]
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(RuntimePolicyError, match=r"manifest lacks \['control_dt'\]"):
        TeamPolicy(copy)
