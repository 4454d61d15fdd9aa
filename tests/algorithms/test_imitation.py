"""BC and DAgger on a real Pendulum expert: BC imitates it from a handful of demonstrations,
DAgger beats BC with the same number of expert labels, both resume exactly after a kill,
export with the parity gate and go through a sweep; wrong configs name the field."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import torch

from robodrl.datasets.recording import record_demonstrations
from robodrl.datasets.storage import save_demonstrations
from robodrl.errors import ConfigError, RobodrlError
from robodrl.export.exporter import export_run
from robodrl.resolve import validate_config
from robodrl.runs.loading import load_policy, load_run_policy
from robodrl.runs.train import train
from tests.trainers.conftest import final_model, killed_and_resumed, run_cli, write_config

SCORE_SEEDS, SCORE_EPISODES = 1000, 32


@pytest.fixture(autouse=True)
def _expert_home(expert_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROBODRL_HOME", str(expert_home))


def _config(algorithm: str, **sections) -> dict:
    return {
        "env": {"id": "robodrl/Pendulum-v0", "num_envs": 4},
        "algorithm": {"name": algorithm, "hyperparameters": sections.pop("hp", {})},
        "eval": {"every_steps": 100_000, "episodes": 2},
        "checkpoint": {"every_steps": 100_000},
        **sections,
    }


def _score(policy, expert) -> float:
    """Normalized score (expert 1, random actions 0) on 32 episodes the demos never saw."""
    mine = record_demonstrations(policy, SCORE_EPISODES, seed=SCORE_SEEDS).reference
    reference = record_demonstrations(expert, SCORE_EPISODES, seed=SCORE_SEEDS).reference
    expert_return, random_return = reference["demonstrator_return"], reference["random_return"]
    return (mine["demonstrator_return"] - random_return) / (expert_return - random_return)


def test_bc_imitates_the_expert_from_ten_demonstrations(
    pendulum_expert: Path, pendulum_demos: Path, tmp_path: Path
) -> None:
    # all ten for training: the default holds 20% out to stop early, and which two episodes
    # that leaves out decides the score (0.85 held out, 1.03 with all ten, on an AMD EPYC box;
    # the early stop has its own test below)
    hp = {"validation_fraction": 0.0}
    config = validate_config(_config("bc", demos=str(pendulum_demos), total_steps=2000, hp=hp))
    run, summary = train(config, tmp_path / "bc")
    assert summary["steps"] <= 2000
    score = _score(load_run_policy(run, checkpoint="latest"), load_policy(pendulum_expert))
    assert score >= 0.9, score


def test_dagger_beats_bc_with_the_same_number_of_expert_labels(
    pendulum_expert: Path, tmp_path: Path
) -> None:
    """400 labels: BC sees two demonstrated episodes and never the states its own errors lead
    to; DAgger asks the expert about the states the learner visits and recovers. Scores are
    the mean of two training seeds: one run's score moves by several hundredths between CPUs
    (0.66 on an AMD EPYC, above 0.7 on an Intel box, for the same seed)."""
    expert = load_policy(pendulum_expert)
    demos = save_demonstrations(record_demonstrations(expert, 2, seed=0), tmp_path / "demos-v0")
    bc = _config("bc", demos=str(demos), total_steps=2000, hp={"validation_fraction": 0.0})
    dagger = _config(
        "dagger",
        expert=str(pendulum_expert),
        total_steps=400,
        hp={"n_steps": 25, "updates_per_round": 500, "beta_decay": 0.0},
    )
    bc_scores, dagger_scores = [], []
    for seed in (0, 1):
        bc_run, _ = train(validate_config({**bc, "seed": seed}), tmp_path / f"bc{seed}")
        dagger_run, _ = train(validate_config({**dagger, "seed": seed}), tmp_path / f"dg{seed}")
        labels = torch.load(
            next((dagger_run / "checkpoints").glob("step_*")) / "dataset.pt", weights_only=True
        )["labels"]
        assert len(labels) == 400  # the same number of expert labels as BC's demonstrations
        bc_scores.append(_score(load_run_policy(bc_run, checkpoint="latest"), expert))
        dagger_scores.append(_score(load_run_policy(dagger_run, checkpoint="latest"), expert))
    bc_score, dagger_score = sum(bc_scores) / 2, sum(dagger_scores) / 2
    assert dagger_score >= 0.7 and dagger_score > bc_score + 0.3, (bc_scores, dagger_scores)


def test_bc_stops_early_with_its_best_weights(pendulum_demos: Path, tmp_path: Path) -> None:
    hp = {"validate_every": 20, "patience": 2, "learning_rate": 0.05}
    config = _config("bc", demos=str(pendulum_demos), total_steps=100_000, hp=hp)
    run, summary = train(validate_config(config), tmp_path / "bc")
    assert summary["steps"] < 100_000
    saved, _ = final_model(run)
    latest = run / "checkpoints" / (run / "checkpoints" / "latest").read_text().strip()
    best = torch.load(latest / "best_actor.pt", weights_only=True)
    for name, value in best.items():
        assert torch.equal(saved["actor"][name], value), name


@pytest.mark.parametrize("algorithm", ["bc", pytest.param("dagger", marks=pytest.mark.slow)])
def test_killed_and_resumed_equals_a_straight_run_and_exports(
    algorithm: str, pendulum_expert: Path, pendulum_demos: Path, tmp_path: Path, expert_home
) -> None:
    sources = (
        {"demos": str(pendulum_demos)}
        if algorithm == "bc"
        else {"expert": str(pendulum_expert), "hp": {"n_steps": 16, "updates_per_round": 50}}
    )
    sections = _config(algorithm, total_steps=640 if algorithm == "bc" else 256, **sources)
    sections["checkpoint"] = {"every_steps": 128 if algorithm == "bc" else 64}
    sections["eval"] = {"every_steps": 128, "episodes": 2}
    config = write_config(tmp_path / "config.yaml", **sections)
    home = {"ROBODRL_HOME": str(expert_home)}
    straight = run_cli("train", str(config), "--run-dir", str(tmp_path / "straight"), env=home)
    assert straight.returncode == 0, straight.stderr
    killed_and_resumed(config, tmp_path / "stopped", home)
    (a, log_a), (b, log_b) = final_model(tmp_path / "straight"), final_model(tmp_path / "stopped")
    for name, value in a["actor"].items():
        assert torch.equal(value, b["actor"][name]), name
    assert log_a == log_b
    out, manifest = export_run(tmp_path / "stopped", tmp_path / "export")
    assert manifest["parity"]["passed"] and manifest["algorithm"] == algorithm
    swept = run_cli("eval", str(out / "policy.onnx"), str(tmp_path / "stopped"), "--sweep",
                    "observation-noise", "--episodes", "2", "--out", str(tmp_path / "sweep"),
                    env=home)  # fmt: skip
    assert swept.returncode == 0, swept.stderr
    results = json.loads((tmp_path / "sweep" / "results.json").read_text())
    assert len(results["policies"]) == 2


def test_a_resumed_run_refuses_changed_demonstrations(
    pendulum_demos: Path, pendulum_expert: Path, tmp_path: Path
) -> None:
    import shutil

    demos = Path(shutil.copytree(pendulum_demos, tmp_path / "demos-v0"))
    config = _config("bc", demos=str(demos), total_steps=200, hp={"validate_every": 50})
    config["checkpoint"] = {"every_steps": 100}
    run, _ = train(validate_config(config), tmp_path / "bc")
    other = record_demonstrations(load_policy(pendulum_expert), 10, seed=50)
    save_demonstrations(other, demos, overwrite=True)
    from robodrl.runs.train import resume

    with pytest.raises(RobodrlError, match="the dataset changed since"):
        resume(run, total_steps=400)


# -- wrong configs ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"algorithm": {"name": "bc"}}, "demos: bc learns from demonstrations; give demos"),
        ({"algorithm": {"name": "dagger"}}, "expert: dagger asks an expert for labels"),
        ({"algorithm": {"name": "ppo"}, "demos": "DEMOS"}, "demos: ppo does not learn from"),
        ({"algorithm": {"name": "bc"}, "demos": "DEMOS", "expert": "EXPERT"}, "expert: only"),
        ({"algorithm": {"name": "bc"}, "demos": "/no/such/dataset"}, "demos: /no/such/dataset"),
        (
            {"algorithm": {"name": "bc", "hyperparameters": {"patience": 0}}, "demos": "DEMOS"},
            "hyperparameters.patience",
        ),
        (
            {"algorithm": {"name": "dagger", "hyperparameters": {"beta": 1.5}}, "expert": "E"},
            "hyperparameters.beta",
        ),
    ],
)
def test_wrong_imitation_configs_name_the_field(
    change: dict, message: str, pendulum_demos: Path, pendulum_expert: Path
) -> None:
    config = {"env": {"id": "robodrl/Pendulum-v0"}, "total_steps": 100, **change}
    for key, path in (("demos", pendulum_demos), ("expert", pendulum_expert)):
        if config.get(key) in ("DEMOS", "EXPERT", "E"):
            config[key] = str(path)
    with pytest.raises(ConfigError, match=re.escape(message)):
        validate_config(config)


def test_demonstrations_of_another_task_are_refused(pendulum_demos: Path) -> None:
    from robodrl.algorithms.registry import get_algorithm

    config = validate_config(
        {
            "env": {"id": "robodrl/Hopper-v0", "num_envs": 2},
            "algorithm": {"name": "bc"},
            "demos": str(pendulum_demos),
            "total_steps": 100,
        }
    )
    with pytest.raises(RobodrlError, match="recorded on robodrl/Pendulum-v0, not robodrl/Hopper"):
        get_algorithm("bc").build(config)


def test_an_expert_of_another_task_is_refused(pendulum_expert: Path, tmp_path: Path) -> None:
    config = _config("dagger", expert=str(pendulum_expert), total_steps=100)
    config["env"] = {"id": "robodrl/Hopper-v0", "num_envs": 2}
    result = run_cli("train", str(write_config(tmp_path / "c.yaml", **config)), "--run-dir",
                     str(tmp_path / "run"))  # fmt: skip
    assert result.returncode == 2 and "expert" in result.stderr and "Hopper" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "run").exists() or not any((tmp_path / "run").iterdir())
