"""No command removes or overwrites what it did not write; unwritable places and Ctrl-C give
one-line errors, not tracebacks, and leave everything as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.signals import start_as_from_a_terminal
from tests.trainers.conftest import run_cli, write_config


def _tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _clean_error(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1, result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


@pytest.fixture
def read_only_dir(tmp_path: Path) -> Iterator[Path]:
    """A folder nobody can write into: a read-only tmpfs (root), a 0o555 folder (others), or,
    where neither can be had, a path under /sys (which refuses new entries, even to root)."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    mounted = False
    if os.geteuid() != 0:
        folder.chmod(0o555)
    else:
        options = ["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(folder)]
        mounted = subprocess.run(options, capture_output=True).returncode == 0
        if not mounted:
            folder = Path("/sys/robodrl-test-read-only")
    with pytest.raises(OSError):
        (folder / "probe").mkdir(parents=True)  # the fixture is what it says
    yield folder
    if mounted:
        subprocess.run(["umount", str(folder)], check=True)
    elif os.geteuid() != 0:
        folder.chmod(0o755)


def test_export_never_replaces_a_folder_of_the_users(ppo_run: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("my notes")
    before = _tree(mine)
    _clean_error(run_cli("export", str(ppo_run), "--out", str(mine)), "did not write", "notes.txt")
    assert _tree(mine) == before

    run_before = _tree(ppo_run)  # --out the run itself: the run stays whole
    _clean_error(run_cli("export", str(ppo_run), "--out", str(ppo_run)), "config.yaml")
    assert _tree(ppo_run) == run_before


def test_export_replaces_only_its_own_previous_export(ppo_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    assert run_cli("export", str(ppo_run), "--out", str(out)).returncode == 0
    first = _tree(out)
    assert sorted(first) == ["manifest.json", "policy.onnx"]
    again = run_cli("export", str(ppo_run), "--out", str(out), "--checkpoint", "latest")
    assert again.returncode == 0, again.stderr
    assert (
        _tree(out)["policy.onnx"] != b"" and _tree(out)["manifest.json"] != first["manifest.json"]
    )

    (out / "calibration.yaml").write_text("mine")  # a file of the user's joins the export
    before = _tree(out)
    _clean_error(run_cli("export", str(ppo_run), "--out", str(out)), "calibration.yaml")
    assert _tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export"]  # no temp folders left


def test_eval_never_replaces_a_folder_of_the_users(ppo_run: Path, tmp_path: Path) -> None:
    mine = tmp_path / "report"
    mine.mkdir()
    (mine / "draft.md").write_text("my draft")
    args = ["eval", str(ppo_run), "--sweep", "observation-noise", "--episodes", "1"]
    _clean_error(run_cli(*args, "--out", str(mine)), "draft.md")
    assert _tree(mine) == {"draft.md": b"my draft"}
    fresh = tmp_path / "fresh"
    assert run_cli(*args, "--out", str(fresh)).returncode == 0
    again = run_cli(*args, "--out", str(fresh))  # its own previous report: replaced
    assert again.returncode == 0, again.stderr


def test_eval_episodes_zero_is_refused(ppo_run: Path, tmp_path: Path) -> None:
    args = ["eval", str(ppo_run), "--sweep", "observation-noise", "--out", str(tmp_path / "r")]
    _clean_error(run_cli(*args, "--episodes", "0"), "--episodes must be >= 1, got 0")
    assert not (tmp_path / "r").exists()


def test_render_never_overwrites_an_existing_file(ppo_run: Path, tmp_path: Path) -> None:
    video = tmp_path / "holiday.gif"
    video.write_bytes(b"someone's video")
    _clean_error(run_cli("render", str(ppo_run), "--out", str(video)), "--overwrite")
    assert video.read_bytes() == b"someone's video"
    result = run_cli("render", str(ppo_run), "--out", str(video), "--overwrite")
    assert result.returncode == 0, result.stderr
    assert video.read_bytes()[:3] == b"GIF"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["holiday.gif"]


def test_read_only_locations_give_one_line_errors(
    ppo_run: Path, tmp_path: Path, read_only_dir: Path
) -> None:
    target = read_only_dir / "out"
    _clean_error(run_cli("export", str(ppo_run), "--out", str(target)), "cannot write")
    _clean_error(run_cli("render", str(ppo_run), "--out", f"{target}.gif"), "cannot write")
    args = ["eval", str(ppo_run), "--sweep", "observation-noise", "--out", str(target)]
    _clean_error(run_cli(*args), "cannot write")
    config = write_config(
        tmp_path / "config.yaml",
        env={"id": "Pendulum", "num_envs": 2},
        algorithm={"name": "ppo", "hyperparameters": {"n_steps": 32, "batch_size": 64}},
        total_steps=64,
    )
    _clean_error(run_cli("train", str(config), "--run-dir", str(target)), "cannot write")


def test_ctrl_c_during_training_says_how_to_resume(tmp_path: Path) -> None:
    config = write_config(
        tmp_path / "config.yaml",
        env={"id": "Pendulum", "num_envs": 4},
        algorithm={"name": "ppo", "hyperparameters": {"n_steps": 32, "batch_size": 64}},
        total_steps=10_000_000,
        eval={"every_steps": 100_000, "episodes": 1},
        checkpoint={"every_steps": 256},
    )
    run = tmp_path / "run"
    # -X faulthandler: a SIGABRT makes the child print every thread's stack (see below)
    command = [sys.executable, "-X", "faulthandler", "-m", "robodrl.cli", "train", str(config)]
    command += ["--run-dir", str(run)]
    process = start_as_from_a_terminal(command)
    deadline = time.monotonic() + 120
    while not (run / "checkpoints" / "latest").is_file() and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(0.5)
    process.send_signal(signal.SIGINT)
    try:
        _, stderr = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:  # say where it was
        process.send_signal(signal.SIGABRT)
        _, stderr = process.communicate()
        pytest.fail(f"training did not stop within 60 s of Ctrl-C; its threads:\n{stderr[-8000:]}")
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert f"robodrl train --resume {run}" in stderr and "latest checkpoint is at step" in stderr
    from robodrl.runs.checkpoints import opened_checkpoint

    with opened_checkpoint(run, "latest", trust=False) as opened:
        state = opened[1]  # intact and signed
    assert state["num_timesteps"] >= 256
    assert not list((run / "checkpoints").glob(".tmp-*"))


def test_pipeline_checks_the_sweep_before_training(tmp_path: Path) -> None:
    config = write_config(
        tmp_path / "config.yaml",
        env={"id": "Pendulum", "num_envs": 2},
        algorithm={"name": "ppo", "hyperparameters": {"n_steps": 32, "batch_size": 64}},
        total_steps=64,
    )
    run = tmp_path / "run"
    args = ["pipeline", str(config), "--run-dir", str(run), "--sweep", "no-such-sweep"]
    _clean_error(run_cli(*args), "unknown sweep 'no-such-sweep'", "observation-noise")
    assert not run.exists()
