"""Full disks: every command that writes says in one line what it could not write, how much it
needs and what survived; nothing earlier is lost, nothing half-written stays. On a real small
tmpfs (CI runs as root) and, where mounting is not allowed, by injected ENOSPC."""

from __future__ import annotations

import errno
import shutil
import subprocess
from pathlib import Path

import pytest

import robodrl
from tests.trainers.conftest import run_cli


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 16 MiB tmpfs; tests fill it with :func:`_fill` before the command under test."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(disk)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"mounting a tmpfs needs root: {mounted.stderr.decode().strip()}")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], check=False)


def _fill(disk: Path, leave: int) -> None:
    """Leave ``leave`` bytes free on ``disk``."""
    free = shutil.disk_usage(disk).free
    (disk / "filler").write_bytes(b"\0" * max(0, free - leave))


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _one_line(result, command: str) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("robodrl ")]
    assert len(lines) == 1 and lines[0].startswith(f"robodrl {command}: error: cannot write")
    assert "the disk is full" in lines[0] and "free some space" in lines[0]
    return lines[0]


def _leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob(".tmp-*")] + [p.name for p in folder.rglob(".*.tmp-*")]


def test_train_on_a_full_disk_keeps_its_checkpoints(ppo_run: Path, small_disk: Path) -> None:
    run = Path(shutil.copytree(ppo_run, small_disk / "run"))
    checkpoints = _snapshot(run / "checkpoints")
    _fill(small_disk, 12 << 10)
    result = run_cli("train", "--resume", str(run), "--set", "total_steps=4096")
    line = _one_line(result, "train")
    assert "latest checkpoint is at step 1,024" in line and "--resume" in line
    after = _snapshot(run / "checkpoints")
    assert {k: v for k, v in after.items() if k in checkpoints} == checkpoints
    assert not _leftovers(run)


@pytest.mark.slow
def test_export_and_eval_on_a_full_disk_keep_earlier_results(
    ppo_run: Path, small_disk: Path
) -> None:
    export, report = small_disk / "export", small_disk / "eval"
    first = run_cli("export", str(ppo_run), "--out", str(export))
    assert first.returncode == 0, first.stderr
    sweep = ["--sweep", "observation-noise", "--episodes", "2"]
    evaluated = run_cli("eval", str(ppo_run), *sweep, "--out", str(report))
    assert evaluated.returncode == 0, evaluated.stderr
    before = _snapshot(small_disk)
    _fill(small_disk, 0)
    _one_line(run_cli("export", str(ppo_run), "--out", str(export)), "export")
    _one_line(run_cli("eval", str(ppo_run), *sweep, "--out", str(report)), "eval")
    _one_line(run_cli("render", str(ppo_run), "--out", str(small_disk / "v.mp4")), "render")
    mjcf = Path(robodrl.__file__).parent / "envs" / "legged" / "robots" / "mini.xml"
    robot = run_cli("robot", "init", str(mjcf), "--out", str(small_disk / "robot.yaml"))
    _one_line(robot, "robot")
    after = _snapshot(small_disk)
    assert {k: v for k, v in after.items() if k != "filler"} == before
    assert not _leftovers(small_disk)


def test_demos_record_on_a_full_disk_is_refused_before_writing(
    ppo_run: Path, small_disk: Path
) -> None:
    out = small_disk / "demos-v0"
    first = run_cli(
        "demos",
        "record",
        str(ppo_run),
        "--episodes",
        "2",
        "--out",
        str(out),
        "--allow-worse-than-random",
    )  # a tiny policy
    assert first.returncode == 0, first.stderr
    before = _snapshot(out)
    _fill(small_disk, 64 << 10)
    again = ["demos", "record", str(ppo_run), "--episodes", "64", "--out", str(out)]
    result = run_cli(*again, "--overwrite")
    assert result.returncode == 2 and "Traceback" not in result.stderr  # not a crash (139)
    assert "--episodes 64: up to 12,800 steps, about" in result.stderr
    assert _snapshot(out) == before and not _leftovers(small_disk)


def test_injected_enospc_in_a_checkpoint_write(
    ppo_run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where no tmpfs can be mounted, the same path by injection: the disk fills inside the
    learner's own save (torch / SB3 writing a checkpoint)."""
    from robodrl.algorithms.sb3.learner import SB3Learner
    from robodrl.files.atomic import DiskFullError
    from robodrl.runs.train import resume

    run = Path(shutil.copytree(ppo_run, tmp_path / "run"))
    checkpoints = _snapshot(run / "checkpoints")

    def full(self, folder: Path) -> None:
        (folder / "model.zip").write_bytes(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device", str(folder / "model.zip"))

    monkeypatch.setattr(SB3Learner, "save", full)
    with pytest.raises(DiskFullError, match=r"the disk is full .*latest checkpoint is at step"):
        resume(run, total_steps=4096)
    after = _snapshot(run / "checkpoints")
    assert {k: v for k, v in after.items() if k in checkpoints} == checkpoints
    assert not _leftovers(run)
