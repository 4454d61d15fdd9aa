"""robodrl's lean batched PPO on the legged task through the CLI, as a user runs it: it trains
with randomization and perturbations (growing on a curriculum), is killed and resumes bit for
bit, exports through the parity gate, and is swept in both physics settings (the sim-to-sim gap
report)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from tests.trainers.conftest import final_model, killed_and_resumed, run_cli, write_config

CONFIG = {
    "env": {
        "id": "robodrl/Legged-v0",
        "num_envs": 8,
        "task": {"robot": "go1_class", "episode_seconds": 1.0, "command_seconds": 0.3},
        "randomization": "dr-default",
        "perturbations": "dr-default",
        # kicks and ranges grow over 768 steps: the resumed run must go on from the saved count
        "curriculum": {"steps": 768, "applies_to": ["pushes", "randomization"]},
    },
    "algorithm": {
        "name": "lean_ppo",
        "hyperparameters": {
            "n_steps": 16,
            "n_epochs": 2,
            "n_minibatches": 2,
            "final_learning_rate": 1.0e-4,
            "symmetry_coef": 0.5,
        },
    },
    "policy": {"net_arch": [32, 32], "activation": "elu", "log_std_init": -0.7},
    "total_steps": 1024,
    "eval": {"every_steps": 512, "episodes": 2},
    "checkpoint": {"every_steps": 512, "keep_last": 2},
}


@pytest.fixture(scope="module")
def straight(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lean_ppo")
    config = write_config(root / "config.yaml", **CONFIG)
    result = run_cli("train", str(config), "--run-dir", str(root / "run"),
                     env={"ROBODRL_HOME": str(root / "home")})  # fmt: skip
    assert result.returncode == 0, result.stderr
    return root / "run"


def test_killed_and_resumed_lean_ppo_equals_a_straight_run(straight: Path, tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.yaml", **CONFIG)
    stopped = tmp_path / "stopped"
    home = {"ROBODRL_HOME": str(straight.parent / "home")}
    killed_and_resumed(config, stopped, home)
    saved_a, episodes_a = final_model(straight)
    saved_b, episodes_b = final_model(stopped)
    for key, value in saved_a["agent"].items():
        assert torch.equal(value, saved_b["agent"][key]), key
    assert saved_a["optimizer"]["state"].keys() == saved_b["optimizer"]["state"].keys()
    # commands are redrawn mid-episode: the episode log holds many short episodes
    assert episodes_a == episodes_b and episodes_a.count("\n") > 10
    summary = json.loads((stopped / "summary.json").read_text())
    assert summary["algorithm"] == "lean_ppo" and summary["steps"] == 1024
    scalars = (stopped / "logs" / "session_1" / "scalars.csv").read_text()
    assert "train/clip_fraction" in scalars and "train/learning_rate" in scalars
    assert "train/symmetry_loss" in scalars


def test_exported_with_parity_and_swept_in_both_physics_settings(
    straight: Path, tmp_path: Path
) -> None:
    home = {"ROBODRL_HOME": str(straight.parent / "home")}
    out = tmp_path / "export"
    exported = run_cli("export", str(straight), "--out", str(out), env=home)
    assert exported.returncode == 0, exported.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["algorithm"] == "lean_ppo" and manifest["parity"]["passed"]
    report = tmp_path / "report"
    swept = run_cli(
        "eval", str(straight), "--sweep", "push", "--episodes", "2", "--out", str(report),
        "--task", "physics=fast,accurate", env=home,
    )  # fmt: skip
    assert swept.returncode == 0, swept.stderr
    results = json.loads((report / "results.json").read_text())
    names = [p["policy"] for p in results["policies"]]
    assert names == ["run (physics=fast)", "run (physics=accurate)"]
    html = (report / "report.html").read_text()
    assert "run (physics=accurate)" in html


def test_a_wrong_task_variant_is_refused_before_any_rollout(straight: Path, tmp_path: Path) -> None:
    home = {"ROBODRL_HOME": str(straight.parent / "home")}
    report = tmp_path / "report"
    for option, expected in (
        ("physics=turbo", "turbo"),
        ("physic=fast", "physic"),
        ("physics", "KEY=VALUE"),
    ):
        result = run_cli("eval", str(straight), "--sweep", "push", "--out", str(report),
                         "--task", option, env=home)  # fmt: skip
        assert result.returncode == 2, result.stderr
        assert expected in result.stderr and "Traceback" not in result.stderr
        assert not report.exists()
