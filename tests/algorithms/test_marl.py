"""IPPO, MAPPO and MADDPG on a team through the CLI, as a user runs them: each trains with
randomization, is killed and resumes bit for bit, exports one verified file per agent, its team
policy drives the whole robot in a sweep, and wrong pairings of ids and algorithms are refused
with the valid choices."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import numpy as np
import pytest
import torch

from robodrl.algorithms.registry import get_algorithm
from robodrl.errors import ConfigError
from robodrl.make import make_core
from robodrl.resolve import validate_config
from tests.conftest import RecordingHooks
from tests.trainers.conftest import (
    final_model,
    killed_and_resumed,
    network_tensors,
    run_cli,
    write_config,
)

CONFIG = {
    "env": {
        "id": "robodrl/CheetahTeam-v0",
        "num_envs": 4,
        "task": {"episode_seconds": 1.0, "neighbourhood": 2},
        "randomization": "dr-default",
    },
    "algorithm": {
        "name": "ippo",
        "hyperparameters": {"n_steps": 32, "n_epochs": 2, "n_minibatches": 2},
    },
    "policy": {"net_arch": [32, 32]},
    "total_steps": 1024,
    "eval": {"every_steps": 512, "episodes": 2},
    "checkpoint": {"every_steps": 512, "keep_last": 2},
}


OFF_POLICY = {"learning_starts": 256, "batch_size": 64, "buffer_size": 5000, "twin_critics": True}


def _config(algorithm: str) -> dict:
    config = copy.deepcopy(CONFIG)
    config["algorithm"]["name"] = algorithm
    if algorithm == "maddpg":
        config["algorithm"]["hyperparameters"] = OFF_POLICY
    return config


@pytest.fixture(scope="module", params=["ippo", "mappo", "maddpg"])
def straight(request, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp(request.param)
    config = write_config(root / "config.yaml", **_config(request.param))
    result = run_cli("train", str(config), "--run-dir", str(root / "run"),
                     env={"ROBODRL_HOME": str(root / "home")})  # fmt: skip
    assert result.returncode == 0, result.stderr
    return root / "run"


def test_killed_and_resumed_equals_a_straight_run(straight: Path, tmp_path: Path) -> None:
    algorithm = straight.parent.name.rstrip("0123456789")
    config = write_config(tmp_path / "config.yaml", **_config(algorithm))
    stopped = tmp_path / "stopped"
    killed_and_resumed(config, stopped, {"ROBODRL_HOME": str(straight.parent / "home")})
    saved_a, episodes_a = final_model(straight)
    saved_b, episodes_b = final_model(stopped)
    tensors_a, tensors_b = network_tensors(saved_a), network_tensors(saved_b)
    assert tensors_a.keys() == tensors_b.keys()
    for key, value in tensors_a.items():
        assert torch.equal(value, tensors_b[key]), key
    assert episodes_a == episodes_b
    # steps count the simulations' control steps; one episode line per simulation's episode
    summary = json.loads((stopped / "summary.json").read_text())
    assert summary["algorithm"] == algorithm and summary["steps"] == 1024
    per_simulation = 1024 // 4 // 20  # 1 s episodes of 20 control steps, 4 simulations
    assert episodes_a.count("\n") - 1 == 4 * per_simulation


def test_one_network_takes_each_agent_s_observation_and_id() -> None:
    learner = get_algorithm("ippo").build(validate_config(CONFIG))
    rows = learner.rows
    # 2 agents; each sees its 3 joints, the root joints and the other hip (neighbourhood 2)
    assert rows.num_envs == 8 and rows.obs_dim == 13 + 2 and rows.action_dim == 3
    weights = dict(learner.agent.actor.named_parameters())
    assert next(iter(weights.values())).shape[1] == rows.obs_dim
    state = learner.core.team.state()
    inputs = rows.rows(state)
    np.testing.assert_array_equal(inputs[0::2, -2:], [[1, 0]] * 4)  # back leg's id
    np.testing.assert_array_equal(inputs[1::2, -2:], [[0, 1]] * 4)  # front leg's id


def test_mappo_s_critic_sees_the_global_state_and_normalizes_its_targets() -> None:
    learner = get_algorithm("mappo").build(validate_config(_config("mappo")))
    rows, agent = learner.rows, learner.agent
    assert rows.obs_dim == 13 + 2 + 17  # each row: the agent's observation, its id, the state
    actor_in = agent.actor[1].in_features
    critic_in = agent.critic[1][0].in_features
    assert (actor_in, critic_in) == (13 + 2, 2 + 17)
    hooks = RecordingHooks()
    learner.learn(256, hooks)
    assert agent.value_mean.item() != 0.0 and agent.value_count.item() > 1
    obs = learner.policy_input(learner.obs)
    target = (agent.value(obs) - agent.value_mean) / agent.value_var.sqrt()
    torch.testing.assert_close(agent.critic(obs).squeeze(-1), target)


def test_maddpg_s_critic_sees_the_state_and_every_agent_s_action() -> None:
    learner = get_algorithm("maddpg").build(validate_config(_config("maddpg")))
    assert len(learner.critics) == 2 and learner.critics[0][0].in_features == 17 + 6
    assert learner.actor[0][0].in_features == 13 + 2  # the agent's observation and its id
    learner.learn(512, RecordingHooks())
    assert learner.buffer.size == 512  # one transition per simulation and control step
    assert learner.updates == (512 - 256) // 4 + 1  # one per control step from learning_starts
    state = learner.state_input(learner.obs)
    with torch.no_grad():
        rows = learner.actor(torch.as_tensor(learner.rows.rows(state)))
        robot = learner.team_action(learner.actor, state)
    torch.testing.assert_close(robot[:, :3], rows[0::2])  # the back leg's rows, its actuators
    torch.testing.assert_close(robot[:, 3:], rows[1::2])


def test_the_team_policy_drives_the_robot_as_the_learner_does(
    straight: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from robodrl.runs.loading import load_run_policy

    monkeypatch.setenv("ROBODRL_HOME", str(straight.parent / "home"))  # the run's signing key
    policy = load_run_policy(straight, trust=False)
    assert policy.env_id == "robodrl/Cheetah-v0" and (policy.obs_dim, policy.act_dim) == (17, 6)
    obs = make_core("Cheetah", 5, seed=3, episode_seconds=1.0).reset()
    actions = policy.act(obs)
    assert actions.shape == (5, 6) and np.isfinite(actions).all()
    assert not np.allclose(actions[:, :3], actions[:, 3:])  # legs act on their own inputs


def test_a_team_exports_one_verified_file_per_agent_and_runs_onboard(
    straight: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from robodrl.runs.loading import load_run_policy
    from robodrl.runtime import OnnxPolicy, OnnxTeam, RuntimePolicyError

    home = {"ROBODRL_HOME": str(straight.parent / "home")}
    out = tmp_path / "export"
    exported = run_cli("export", str(straight), "--out", str(out), env=home)
    assert exported.returncode == 0, exported.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert sorted(manifest["files"]) == ["back_leg.onnx", "front_leg.onnx"]
    assert manifest["parity"]["passed"] and manifest["closed_loop"]["passed"]
    assert sorted(manifest["parity"]["agents"]) == ["back_leg", "front_leg"]
    back = OnnxPolicy(out / "back_leg.onnx")  # each file: its agent's inputs and actuators
    assert back.obs_dim == 13 and back.actuator_names == ["back_hip", "back_knee", "back_ankle"]
    assert back.metadata["agent"] == "back_leg"

    monkeypatch.setenv("ROBODRL_HOME", home["ROBODRL_HOME"])
    policy = load_run_policy(straight)
    core = make_core("Cheetah", 5, seed=3, episode_seconds=1.0)
    obs = core.reset()
    team = OnnxTeam(out)
    expected = np.clip(core.action_to_ctrl(policy.act(obs)), core.ctrl_low, core.ctrl_high)
    np.testing.assert_allclose(team.act(obs), expected, atol=1e-5)
    obs[2, 0] = np.nan  # a root joint: both legs read it; each gives its safe command
    commands = team.act(obs)
    assert np.isfinite(commands).all() and team.faults == 2
    with pytest.raises(RuntimePolicyError, match=r"missing \['front_leg'\], unknown \['tail'\]"):
        team.act_agents({"back_leg": obs[:, :13], "tail": obs})
    with pytest.raises(RuntimePolicyError, match=r"expected \(17,\) or \(batch, 17\)"):
        team.act(obs[:, :16])

    report = tmp_path / "report"  # the run and its exported team, side by side on the robot
    result = run_cli("eval", str(straight), str(out), "--sweep", "latency", "--episodes", "2",
                     "--out", str(report), env=home)  # fmt: skip
    assert result.returncode == 0, result.stderr
    found = json.loads((report / "results.json").read_text())["policies"]
    assert [p["env_id"] for p in found] == ["robodrl/Cheetah-v0"] * 2
    nominal = [p["nominal"]["mean_return"] for p in found]
    assert nominal[1] == pytest.approx(nominal[0], rel=0.05, abs=1.0)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"algorithm": {"name": "lean_ppo"}},
         "env.id: robodrl/CheetahTeam-v0 is a multi-agent task; train it with a multi-agent "
         "algorithm (ippo, mappo, maddpg), or train the whole robot as robodrl/Cheetah-v0"),
        ({"env": {"id": "robodrl/Cheetah-v0"}},
         "env.id: ippo trains a team of agents; robodrl/Cheetah-v0 is a single-agent task "
         "(multi-agent ids: robodrl/CheetahTeam-v0, robodrl/QuadrupedLegs-v0, "
         "robodrl/LeggedLegs-v0, robodrl/TwoArmPush-v0)"),
        ({"env": {"id": "robodrl/CheetaTeam-v0"}}, "multi-agent ids: robodrl/CheetahTeam-v0"),
        ({"env": {"id": "robodrl/QuadrupedLegs-v0", "task": {"agents": 3}}},
         "task: team argument agents=3 is not valid; use 2 (front / back) or 4 (legs)"),
        ({"env": {"id": "robodrl/CheetahTeam-v0", "task": {"legs": 2}}},
         "task.legs: not an argument of robodrl/CheetahTeam-v0; valid arguments: "),
        ({"env": {"id": "robodrl/CheetahTeam-v0", "task": {"forward_weight": "x"}}},
         "task.forward_weight: robodrl/Cheetah-v0: task argument forward_weight must be"),
        ({"algorithm": {"name": "ippo", "hyperparameters": {"symmetry_coef": 0.5}}},
         "algorithm.hyperparameters.symmetry_coef: ippo has no mirror loss"),
    ],
)  # fmt: skip
def test_bad_team_training_settings_name_the_field(change, message) -> None:
    config = copy.deepcopy(CONFIG)
    config.update(change)
    with pytest.raises(ConfigError, match=re.escape(message)):
        validate_config(config)
