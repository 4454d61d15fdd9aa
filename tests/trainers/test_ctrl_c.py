"""Ctrl-C writes a checkpoint where the rollout ends and says how to resume; the resumed run
equals one that never stopped. A second Ctrl-C aborts at once."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import torch

from tests.signals import start_as_from_a_terminal
from tests.trainers.conftest import final_model, network_tensors, run_cli, write_config


def _config(tmp_path: Path) -> Path:
    return write_config(
        tmp_path / "config.yaml",
        env={"id": "Pendulum", "num_envs": 4, "task": {"episode_seconds": 1.0}},
        algorithm={"name": "lean_ppo", "hyperparameters": {"n_steps": 32, "n_minibatches": 2}},
        policy={"net_arch": [32]},
        total_steps=30_000,
        eval={"every_steps": 1_000_000, "episodes": 1},
        checkpoint={"every_steps": 1_000_000},  # only the end's, and Ctrl-C's
    )


def _train_until_started(config: Path, run: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "robodrl.cli", "train", str(config), "--run-dir", str(run)]
    process = start_as_from_a_terminal(command)
    episodes, deadline = run / "logs" / "episodes.csv", time.monotonic() + 120
    while time.monotonic() < deadline and (
        not episodes.is_file() or len(episodes.read_text().splitlines()) < 10
    ):
        time.sleep(0.05)
    return process


def test_ctrl_c_checkpoints_and_the_resume_is_exact(tmp_path: Path) -> None:
    config = _config(tmp_path)
    straight, stopped = tmp_path / "straight", tmp_path / "stopped"
    process = _train_until_started(config, stopped)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "error" not in stderr and "Traceback" not in stderr
    assert "a checkpoint was written there" in stderr
    assert f"robodrl train --resume {stopped}" in stderr
    saved = (stopped / "checkpoints" / "latest").read_text().strip()
    steps = int(saved.removeprefix("step_"))
    assert 0 < steps < 30_000 and f"stopped at step {steps:,}" in stderr
    resumed = run_cli("train", "--resume", str(stopped))
    assert resumed.returncode == 0, resumed.stderr
    assert run_cli("train", str(config), "--run-dir", str(straight)).returncode == 0
    (model_a, episodes_a), (model_b, episodes_b) = final_model(straight), final_model(stopped)
    tensors_a, tensors_b = network_tensors(model_a), network_tensors(model_b)
    assert tensors_a.keys() == tensors_b.keys()
    for name, tensor in tensors_a.items():
        assert torch.equal(tensor, tensors_b[name]), name
    assert episodes_a == episodes_b


def test_a_second_ctrl_c_aborts_at_once(tmp_path: Path) -> None:
    run = tmp_path / "run"
    process = _train_until_started(_config(tmp_path), run)
    process.send_signal(signal.SIGINT)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130 and "Traceback" not in stderr
    assert "interrupted at step" in stderr or "a checkpoint was written there" in stderr


def test_a_log_gets_plain_progress_lines(tmp_path: Path) -> None:
    """Outside a terminal (a log file, CI, nohup) training prints a plain line every interval
    (30 s by default; here 0.2 s) and one at the end, never a cut-off progress bar."""
    run = tmp_path / "run"
    result = run_cli("train", str(_config(tmp_path)), "--run-dir", str(run), "--set",
                     "total_steps=6000", env={"ROBODRL_PROGRESS_SECONDS": "0.2"})  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if " steps/s, " in line]
    assert len(lines) >= 2 and "━" not in result.stderr
    assert lines[-1].startswith("robodrl/Pendulum-v0: 6,016/6,000 steps (100%)")
    assert "left, recent return -" in lines[-1] and "eval return" in lines[-1]
