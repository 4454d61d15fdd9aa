"""A run killed with SIGKILL and resumed in a new process equals one that never stopped."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
import torch

from robodrl.runs.session import KILL_AFTER_CHECKPOINT_ENV
from tests.trainers.conftest import run_cli, write_config

HYPERPARAMETERS = {
    "ppo": {"n_steps": 32, "batch_size": 64, "n_epochs": 2},
    "sac": {"learning_starts": 100, "batch_size": 32, "buffer_size": 5000},
}


def _final(run: Path) -> tuple[dict, dict, str]:
    folder = run / "checkpoints" / (run / "checkpoints" / "latest").read_text().strip()
    with zipfile.ZipFile(folder / "model.zip") as archive:
        params = torch.load(io.BytesIO(archive.read("policy.pth")), weights_only=True)
    normalizer = json.loads((folder / "normalizer.json").read_text())
    return params, normalizer, (run / "logs" / "episodes.csv").read_text()


@pytest.mark.parametrize(
    ("name", "scale_rewards"),
    [
        ("sac", False),
        pytest.param("ppo", False, marks=pytest.mark.slow),
        pytest.param("ppo", True, marks=pytest.mark.slow),  # recipe:pendulum_ppo stays
        pytest.param("sac", True, marks=pytest.mark.slow),
    ],
)
def test_sigkill_and_resume_equals_straight_run(
    name: str, scale_rewards: bool, tmp_path: Path
) -> None:
    """With reward scaling the scale's statistics and each simulation's running return must
    come back too: a resumed run that started them afresh would scale differently."""
    config = write_config(
        tmp_path / "config.yaml",
        env={"id": "Pendulum", "num_envs": 4, "task": {"episode_seconds": 1.0}},
        algorithm={"name": name, "hyperparameters": HYPERPARAMETERS[name]},
        normalize={"observations": True, "rewards": scale_rewards},
        total_steps=1024,
        eval={"every_steps": 256, "episodes": 2},
        checkpoint={"every_steps": 512, "keep_last": 2},
    )
    straight, stopped = tmp_path / "straight", tmp_path / "stopped"
    assert run_cli("train", str(config), "--run-dir", str(straight)).returncode == 0
    killed = run_cli(
        "train", str(config), "--run-dir", str(stopped), env={KILL_AFTER_CHECKPOINT_ENV: "1"}
    )
    assert killed.returncode == -9  # SIGKILL right after the checkpoint at 512 steps
    assert (stopped / "checkpoints" / "latest").read_text().strip() == "step_000000000512"
    resumed = run_cli("train", "--resume", str(stopped))
    assert resumed.returncode == 0, resumed.stderr

    params_a, norm_a, episodes_a = _final(straight)
    params_b, norm_b, episodes_b = _final(stopped)
    assert params_a.keys() == params_b.keys()
    for key in params_a:
        assert torch.equal(params_a[key], params_b[key]), key
    assert norm_a == norm_b
    assert episodes_a == episodes_b and episodes_a.count("\n") > 10
    summary = json.loads((stopped / "summary.json").read_text())
    assert summary["steps"] == 1024


def test_resume_refuses_extra_arguments_and_missing_runs(tmp_path: Path) -> None:
    result = run_cli("train", "--resume", str(tmp_path / "nowhere"))
    assert result.returncode == 2 and "not a run directory" in result.stderr
    result = run_cli("train", "cfg.yaml", "--resume", str(tmp_path))
    assert result.returncode == 2 and "drop CONFIG" in result.stderr


def test_cli_trains_several_seeds(tmp_path: Path) -> None:
    config = write_config(
        tmp_path / "config.yaml",
        env={"id": "Pendulum", "num_envs": 2},
        algorithm={"name": "ppo", "hyperparameters": {"n_steps": 32, "batch_size": 64}},
        total_steps=64,
        eval={"every_steps": 64, "episodes": 1},
    )
    result = run_cli("train", str(config), "--seeds", "3", "4", "--run-dir", str(tmp_path / "runs"))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == ["seed_3", "seed_4"]
    assert "seed: 4" in (tmp_path / "runs" / "seed_4" / "config.yaml").read_text()
    result = run_cli("train", str(config), "--seeds", "3", "3", "--run-dir", str(tmp_path / "x"))
    assert result.returncode == 2 and "--seeds must be distinct" in result.stderr
