"""Robust Adversarial RL through the CLI, as a user runs it: the alternating schedule runs the
configured updates per player, a killed run resumes mid-schedule bit for bit (every player), a
population gives each simulation one seeded adversary per episode, the protagonist exports
through the parity gate, and bad settings are refused before a run folder exists."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import numpy as np
import pytest
import torch

from robodrl.algorithms.registry import get_algorithm
from robodrl.envs.two_player import ADVERSARY
from robodrl.errors import ConfigError
from robodrl.resolve import validate_config
from tests.conftest import RecordingHooks
from tests.trainers.conftest import killed_and_resumed, run_cli, write_config

PLAYER = {"algorithm": "lean_ppo", "hyperparameters": {"n_steps": 16, "n_epochs": 2}}
CONFIG = {
    "env": {"id": "robodrl/Hopper-v0", "num_envs": 8, "randomization": "dr-default"},
    "algorithm": {
        "name": "rarl",
        "hyperparameters": {
            "protagonist": PLAYER,
            "adversary": PLAYER,
            "protagonist_iterations": 2,
            "adversary_iterations": 1,
            "adversaries": 2,
        },
    },
    "adversary": "default",
    "policy": {"net_arch": [32, 32]},
    "total_steps": 2048,  # 16 updates of 16 x 8 steps
    "eval": {"every_steps": 1024, "episodes": 2},
    "checkpoint": {"every_steps": 512, "keep_last": 2},
}


def _latest(run: Path) -> Path:
    return run / "checkpoints" / (run / "checkpoints" / "latest").read_text().strip()


@pytest.fixture(scope="module")
def straight(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("rarl")
    config = write_config(root / "config.yaml", **CONFIG)
    result = run_cli("train", str(config), "--run-dir", str(root / "run"),
                     env={"ROBODRL_HOME": str(root / "home")})  # fmt: skip
    assert result.returncode == 0, result.stderr
    return root / "run"


def test_the_schedule_runs_the_configured_updates_per_player(straight: Path) -> None:
    state = json.loads((_latest(straight) / "state.json").read_text())
    schedule = state["learner"]["schedule"]
    # rounds of (protagonist, protagonist, one adversary), the adversaries in turn: 16 updates
    # = 5 rounds + 1 -> protagonist 11, adversary_0 rounds 0, 2, 4, adversary_1 rounds 1, 3
    assert schedule == {"round": 5, "position": 1, "protagonist": 11, "adversary_0": 3,
                        "adversary_1": 2}  # fmt: skip
    assert state["num_timesteps"] == 2048
    scalars = (straight / "logs" / "session_0" / "scalars.csv").read_text()
    assert "protagonist/policy_loss" in scalars and "adversary_1/policy_loss" in scalars
    # each evaluation: the protagonist alone and against its adversaries
    evaluations = [json.loads(line) for line in (straight / "logs" / "evaluations.jsonl").open()]
    assert [e["step"] for e in evaluations] == [1024, 2048]
    for result in evaluations:
        assert {"mean_return", "vs_adversary_mean_return", "vs_adversary_min_return"} <= set(result)


def test_killed_and_resumed_rarl_equals_a_straight_run(straight: Path, tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.yaml", **CONFIG)
    stopped = tmp_path / "stopped"
    home = {"ROBODRL_HOME": str(straight.parent / "home")}
    killed_and_resumed(config, stopped, home)
    for player in ("protagonist", "adversary_0", "adversary_1"):  # one folder each
        saved_a = torch.load(_latest(straight) / player / "model.pt", weights_only=True)
        saved_b = torch.load(_latest(stopped) / player / "model.pt", weights_only=True)
        for key, value in saved_a["agent"].items():
            assert torch.equal(value, saved_b["agent"][key]), (player, key)
    episodes = [(r / "logs" / "episodes.csv").read_text() for r in (straight, stopped)]
    assert episodes[0] == episodes[1] and episodes[0].count("\n") > 10


def test_the_protagonist_exports_through_the_parity_gate(straight: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    result = run_cli("export", str(straight), "--out", str(out),
                     env={"ROBODRL_HOME": str(straight.parent / "home")})  # fmt: skip
    assert result.returncode == 0, result.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["algorithm"] == "rarl" and manifest["parity"]["passed"]
    assert manifest["obs_dim"] == 11 and manifest["act_dim"] == 3  # the robot's, not the forces


def _assignments(seed: int) -> tuple[np.ndarray, np.ndarray]:
    config = copy.deepcopy(CONFIG)
    config["seed"] = seed
    config["algorithm"]["hyperparameters"]["adversaries"] = 3
    learner = get_algorithm("rarl").build(validate_config(config))
    match = learner.match
    seen, ends = [match.assignment.copy()], []
    rng = np.random.default_rng(0)
    for _ in range(200):
        action = rng.uniform(-1, 1, (8, 3))
        _, _, terminated, truncated, _ = match.step(learner.protagonist.core, action)
        seen.append(match.assignment.copy())
        ends.append(terminated | truncated)
    return np.array(seen), np.array(ends)


def test_a_population_gives_each_simulation_one_seeded_adversary_per_episode() -> None:
    seen, ends = _assignments(seed=4)
    changed = seen[1:] != seen[:-1]
    assert not (changed & ~ends).any()  # an adversary is only redrawn when an episode ends
    assert ends.sum() > 16 and set(np.unique(seen)) == {0, 1, 2}
    again, _ = _assignments(seed=4)
    np.testing.assert_array_equal(seen, again)  # seeded
    other, _ = _assignments(seed=5)
    assert not np.array_equal(seen, other)


def test_an_adversary_phase_plays_the_protagonist_and_logs_its_episodes() -> None:
    learner = get_algorithm("rarl").build(validate_config(CONFIG))
    match, adversary = learner.match, learner.players["adversary_1"]
    adversary.observe(match.obs[ADVERSARY], match.episode_starts)
    rollout = adversary.collect(60, RecordingHooks())
    assert rollout.actions.shape == (60, 8, 4)  # torso and foot, x and z
    np.testing.assert_array_equal(adversary.obs, match.obs[ADVERSARY])
    finished = match.take_finished()  # the protagonist's episodes, though it did not learn
    assert finished and all(e["return"] > 0 for e in finished)
    assert learner.num_timesteps == 480 and learner.protagonist.num_timesteps == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"protagonist": {"algorithm": "rarl"}},
         "algorithm.hyperparameters.protagonist.algorithm: rarl cannot play"),
        ({"protagonist": {"algorithm": "ppo2"}},
         "algorithm.hyperparameters.protagonist.algorithm: unknown algorithm 'ppo2'"),
        ({"adversary": {"algorithm": "sac", "hyperparameters": {"tau": 2.0}}},
         "algorithm.hyperparameters.adversary.hyperparameters.tau: must be in [0, 1]"),
        ({"adversary": {"algorithm": "lean_ppo", "hyperparameters": {"n_step": 8}}},
         "algorithm.hyperparameters.adversary.hyperparameters.n_step"),
        ({"adversary": {"algorithm": "lean_ppo", "hyperparameters": {"symmetry_coef": 0.5}}},
         "adversary.hyperparameters.symmetry_coef"),
        ({"adversaries": 0}, "algorithm.hyperparameters.adversaries"),
        ({"protagonist": {"algorithm": "ppo", "hyperparameters": {"n_steps": 8,
                                                                  "batch_size": 128}}},
         "algorithm.hyperparameters.protagonist.hyperparameters.batch_size: 128 is larger"),
        ({"rounds": 3}, "algorithm.hyperparameters.rounds"),
    ],
)  # fmt: skip
def test_bad_rarl_settings_name_the_field(change, message) -> None:
    config = copy.deepcopy(CONFIG)
    config["algorithm"]["hyperparameters"].update(change)
    with pytest.raises(ConfigError, match=re.escape(message)):
        validate_config(config)


def test_an_adversary_on_a_missing_body_is_refused_before_a_run_folder(tmp_path: Path) -> None:
    config = copy.deepcopy(CONFIG)
    config["adversary"] = {"bodies": ["tail"], "max_force": 5.0}
    path = write_config(tmp_path / "config.yaml", **config)
    result = run_cli("train", str(path), "--run-dir", str(tmp_path / "run"))
    assert result.returncode == 2
    assert "adversary.bodies[0]: no body matches 'tail'" in result.stderr
    assert "torso, thigh, shin, foot" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "run").exists()


def test_an_adversary_section_needs_an_adversarial_algorithm() -> None:
    config = copy.deepcopy(CONFIG)
    config["algorithm"] = {"name": "lean_ppo"}
    with pytest.raises(ConfigError, match="adversary: only adversarial algorithms"):
        validate_config(config)
    config["algorithm"] = CONFIG["algorithm"]
    config["adversary"] = {"bodies": ["torso"], "max_force": -2.0}
    with pytest.raises(ConfigError, match=r"adversary\.max_force"):
        validate_config(config)


def test_without_an_adversary_section_rarl_uses_the_task_default() -> None:
    config = copy.deepcopy(CONFIG)
    del config["adversary"]
    learner = get_algorithm("rarl").build(validate_config(config))
    assert learner.match.game.adversary.body_names == ["torso", "foot"]
    assert learner.match.game.obs_dims[ADVERSARY] == 11


def _cells(report: Path) -> dict[float, dict]:
    result = json.loads((report / "results.json").read_text())["policies"][0]
    return result["nominal"], {c["values"]["adversary_force_scale"]: c for c in result["cells"]}


def test_a_sweep_pits_a_policy_against_trained_and_random_adversaries(
    straight: Path, tmp_path: Path
) -> None:
    home = {"ROBODRL_HOME": str(straight.parent / "home")}
    for adversary in (str(straight), "random"):
        report = tmp_path / Path(adversary).name
        result = run_cli("eval", str(straight), "--sweep", "adversary", "--episodes", "4",
                         "--adversary", adversary, "--out", str(report), env=home)  # fmt: skip
        assert result.returncode == 0, result.stderr
        nominal, cells = _cells(report)
        assert sorted(cells) == [0.0, 0.25, 0.5, 0.75, 1.0]
        assert cells[0.0]["returns"] == nominal["returns"]  # no force: the nominal episodes
        assert "cvar10_return" in cells[1.0] and "min_return" in cells[1.0]
    # random forces of 15 N on the torso and foot change every episode's course
    assert cells[1.0]["returns"] != nominal["returns"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sweep", "adversary"], "give --adversary RUN"),
        (["--sweep", "latency", "--adversary", "random"], "has no adversary_force_scale axis"),
        (["--sweep", "adversary", "--adversary", "nowhere"], "--adversary nowhere: not a run"),
        (["--sweep", "adversary", "--adversary", "random", "--videos"], "--videos"),
    ],
)
def test_bad_adversary_evaluations_are_refused_before_any_rollout(
    straight: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    report = tmp_path / "report"
    result = run_cli("eval", str(straight), *args, "--out", str(report),
                     env={"ROBODRL_HOME": str(straight.parent / "home")})  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not report.exists()


MIXED = {
    **CONFIG,
    "env": {"id": "robodrl/Hopper-v0", "num_envs": 8},
    "algorithm": {
        "name": "rarl",
        "hyperparameters": {
            "protagonist": {"algorithm": "trpo", "hyperparameters": {"n_steps": 32,
                                                                     "batch_size": 128}},
            "adversary": {"algorithm": "sac", "hyperparameters": {
                "learning_starts": 64, "batch_size": 64, "buffer_size": 5000}},
            "adversaries": 2,
        },
    },
    "total_steps": 3000,
    "checkpoint": {"every_steps": 1000, "keep_last": 3},
}  # fmt: skip


@pytest.mark.slow
def test_players_of_different_algorithms_resume_exactly(tmp_path: Path) -> None:
    """An SB3 TRPO protagonist against a population of SB3 SAC adversaries; each player logs
    its training statistics in the run, none in the temporary folder (SB3's default)."""
    from robodrl.runs.loading import load_run_adversaries, load_run_policy

    config = write_config(tmp_path / "config.yaml", **MIXED)
    straight, stopped, temporary = tmp_path / "straight", tmp_path / "stopped", tmp_path / "tmp"
    temporary.mkdir()
    done = run_cli("train", str(config), "--run-dir", str(straight),
                   env={"TMPDIR": str(temporary)})  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert not [p.name for p in temporary.iterdir() if p.name.startswith("SB3-")]
    for player in ("protagonist", "adversary_0", "adversary_1"):
        assert "train/" in (straight / "logs" / "session_0" / player / "progress.csv").read_text()
    # an iteration: n_steps x 8 simulations for TRPO, 64 x 8 for an off-policy player
    learner = json.loads((_latest(straight) / "state.json").read_text())["learner"]
    per_iteration = {"protagonist": 32 * 8, "adversary_0": 64 * 8, "adversary_1": 64 * 8}
    for player, steps in per_iteration.items():
        updates = learner["schedule"][player]
        assert learner["players"][player]["num_timesteps"] == updates * steps > 0
    killed_and_resumed(config, stopped)
    assert (_latest(straight) / "adversary_1" / "replay_buffer.pkl").is_file()
    obs = np.random.default_rng(0).normal(size=(16, 11)).astype(np.float32)
    runs = [load_run_policy(r, checkpoint="latest") for r in (straight, stopped)]
    np.testing.assert_array_equal(runs[0].act(obs), runs[1].act(obs))
    forces = [load_run_adversaries(r, checkpoint="latest")[2] for r in (straight, stopped)]
    np.testing.assert_array_equal(forces[0](obs), forces[1](obs))
    episodes = [(r / "logs" / "episodes.csv").read_text() for r in (straight, stopped)]
    assert episodes[0] == episodes[1]


def test_a_learned_std_player_refuses_log_std_init() -> None:
    config = copy.deepcopy(CONFIG)
    config["algorithm"]["hyperparameters"]["adversary"] = {"algorithm": "sac"}
    config["policy"] = {"net_arch": [32, 32], "log_std_init": -0.5}
    with pytest.raises(ConfigError, match=r"policy\.log_std_init: the adversary's sac learns"):
        validate_config(config)
