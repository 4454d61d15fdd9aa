"""One writer per run: a second train or resume into a run being written is refused with the
holder's PID; a resume rewinds every log to its checkpoint."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from robodrl.runs.lock import run_lock
from tests.trainers.conftest import run_cli, write_config


def _config(tmp_path: Path, total_steps: int = 1024) -> Path:
    return write_config(
        tmp_path / "config.yaml",
        env={"id": "robodrl/Pendulum-v0", "num_envs": 4},
        algorithm={"name": "ppo", "hyperparameters": {"n_steps": 64, "batch_size": 128}},
        policy={"net_arch": [16]},
        total_steps=total_steps,
        eval={"every_steps": 256, "episodes": 1},
        checkpoint={"every_steps": 512},
    )


def test_a_run_being_written_refuses_a_second_writer(ppo_run: Path, tmp_path: Path) -> None:
    run = Path(shutil.copytree(ppo_run, tmp_path / "run"))
    before = (run / "logs" / "episodes.csv").read_text()
    with run_lock(run):
        resumed = run_cli("train", "--resume", str(run), "--set", "total_steps=2048")
        fresh = run_cli("train", str(_config(tmp_path)), "--run-dir", str(run))
    assert resumed.returncode == 2 and "Traceback" not in resumed.stderr
    assert f"being written by another robodrl process (PID {os.getpid()})" in resumed.stderr
    assert fresh.returncode == 2 and "already holds a run" in fresh.stderr
    assert (run / "logs" / "episodes.csv").read_text() == before


def test_two_concurrent_trains_leave_one_whole_run(tmp_path: Path) -> None:
    config, run = _config(tmp_path), tmp_path / "run"
    command = [sys.executable, "-m", "robodrl.cli", "train", str(config), "--run-dir", str(run)]
    processes = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in processes]
    assert sorted(code for code, _ in results) == [0, 2], results
    loser = next(err for code, err in results if code == 2)
    assert "being written by another robodrl process" in loser or "already holds a run" in loser
    rows = list(csv.reader((run / "logs" / "episodes.csv").open()))
    assert rows[0][:3] == ["step", "env", "return"] and all(r[0] != "step" for r in rows[1:])
    steps = [json.loads(line)["step"] for line in (run / "logs" / "evaluations.jsonl").open()]
    assert steps == sorted(set(steps)) == [256, 512, 768, 1024]


def test_a_resume_rewinds_the_evaluations(tmp_path: Path) -> None:
    run = tmp_path / "run"
    first = run_cli("train", str(_config(tmp_path)), "--run-dir", str(run))
    assert first.returncode == 0, first.stderr
    again = run_cli("train", "--resume", str(run), "--checkpoint", "step_000000000512",
                    "--set", "total_steps=1024")  # fmt: skip
    assert again.returncode == 0, again.stderr  # not complete: step 512 < 1024
    steps = [json.loads(line)["step"] for line in (run / "logs" / "evaluations.jsonl").open()]
    assert steps == [256, 512, 768, 1024]
