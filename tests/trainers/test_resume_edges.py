"""Resume of a finished run, training longer, and a damaged newest checkpoint."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.trainers.conftest import run_cli, write_config


@pytest.fixture
def finished_run(tmp_path: Path) -> Path:
    config = write_config(
        tmp_path / "config.yaml",
        env={"id": "Pendulum", "num_envs": 4},
        algorithm={"name": "ppo", "hyperparameters": {"n_steps": 32, "batch_size": 64}},
        total_steps=512,
        eval={"every_steps": 256, "episodes": 1},
        checkpoint={"every_steps": 128, "keep_last": 3},
    )
    run = tmp_path / "run"
    result = run_cli("train", str(config), "--run-dir", str(run))
    assert result.returncode == 0, result.stderr
    return run


def _files(run: Path) -> dict[str, bytes]:
    return {str(p.relative_to(run)): p.read_bytes() for p in run.rglob("*") if p.is_file()}


def test_resume_of_a_finished_run_changes_nothing(finished_run: Path) -> None:
    before = _files(finished_run)
    result = run_cli("train", "--resume", str(finished_run))
    assert result.returncode == 0, result.stderr
    assert "is complete" in result.stdout and "total_steps=N" in result.stdout
    assert _files(finished_run) == before


@pytest.mark.slow
def test_resume_trains_longer_with_a_larger_total(finished_run: Path) -> None:
    result = run_cli("train", "--resume", str(finished_run), "--set", "total_steps=768")
    assert result.returncode == 0, result.stderr
    summary = json.loads((finished_run / "summary.json").read_text())
    assert summary["steps"] == 768 and summary["wall_seconds"] > 0
    assert summary["steps_per_second"] > 0
    assert "total_steps: 768" in (finished_run / "config.yaml").read_text()
    for bad in ("total_steps=100", "seed=3", "total_steps=abc"):
        refused = run_cli("train", "--resume", str(finished_run), "--set", bad)
        assert refused.returncode == 2 and "total_steps" in refused.stderr, refused.stderr


def test_damaged_newest_checkpoint_offers_the_intact_ones(finished_run: Path) -> None:
    checkpoints = finished_run / "checkpoints"
    newest = checkpoints / (checkpoints / "latest").read_text().strip()
    model = newest / "model.zip"
    model.write_bytes(model.read_bytes()[: model.stat().st_size // 2])  # a truncated write
    before = _files(finished_run)
    result = run_cli("train", "--resume", str(finished_run), "--set", "total_steps=1024")
    assert result.returncode == 2 and "model.zip changed since it was signed" in result.stderr
    assert "checkpoints that verify: best, step_000000000256, step_000000000384" in result.stderr
    trusted = run_cli(
        "train", "--resume", str(finished_run), "--trust", "--set", "total_steps=1024"
    )
    assert trusted.returncode == 2 and "Traceback" not in trusted.stderr, trusted.stderr
    assert "cannot load it" in trusted.stderr and "--checkpoint" in trusted.stderr
    assert _files(finished_run) == before
    good = run_cli(
        "train",
        "--resume",
        str(finished_run),
        "--checkpoint",
        "step_000000000384",
        "--set",
        "total_steps=1024",
    )
    assert good.returncode == 0, good.stderr
    assert json.loads((finished_run / "summary.json").read_text())["steps"] == 1024


def test_checkpoint_needs_resume_and_must_exist(finished_run: Path, tmp_path: Path) -> None:
    result = run_cli("train", "pendulum_ppo", "--checkpoint", "best")
    assert result.returncode == 2 and "give --resume RUN" in result.stderr
    result = run_cli("train", "--resume", str(finished_run), "--checkpoint", "step_7")
    assert (
        result.returncode == 2 and "no checkpoint 'step_7'; checkpoints: ['best'" in result.stderr
    )
