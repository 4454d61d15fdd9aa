"""SIGKILL at random moments while checkpoints are being written never corrupts the latest."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from stable_baselines3 import PPO

from robodrl.files.signing import verify_folder
from robodrl.runs.checkpoints import latest_checkpoint
from tests.trainers.conftest import write_config

TRIALS = 10


@pytest.mark.slow
def test_random_sigkills_leave_a_loadable_signed_latest_checkpoint(tmp_path: Path) -> None:
    config = write_config(
        tmp_path / "config.yaml",
        env={"id": "Pendulum", "num_envs": 4},
        algorithm={"name": "ppo", "hyperparameters": {"n_steps": 8, "batch_size": 32}},
        total_steps=10_000_000,
        eval={"every_steps": 10_000_000},
        checkpoint={"every_steps": 32, "keep_last": 2},  # a checkpoint after every rollout
    )
    delays = np.random.default_rng(2026).uniform(0.0, 1.5, TRIALS)
    for trial, delay in enumerate(delays):
        run = tmp_path / f"run{trial}"
        process = subprocess.Popen(
            [sys.executable, "-m", "robodrl.cli", "train", str(config), "--run-dir", str(run)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=os.environ.copy(),
        )
        deadline = time.monotonic() + 120
        while not (run / "checkpoints" / "latest").exists():
            assert process.poll() is None and time.monotonic() < deadline, "training never started"
            time.sleep(0.02)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()

        folder = latest_checkpoint(run / "checkpoints")
        verify_folder(folder)  # every file present, hashes and signature intact
        state = json.loads((folder / "state.json").read_text())
        assert state["num_timesteps"] == int(folder.name.split("_")[1])
        model = PPO.load(folder / "model.zip", device="cpu")
        assert model.num_timesteps == state["num_timesteps"]
