"""Where outputs go: default folders that tell runs apart, symlinked outputs refused, temp
folders of killed commands cleaned up."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from robodrl.runs.loading import output_label
from tests.trainers.conftest import run_cli


def _dead_pid() -> int:
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


def test_default_outputs_name_the_run(ppo_run: Path, tmp_path: Path) -> None:
    assert output_label([tmp_path / "grid" / "seed_0"]) == "grid-seed_0"
    assert output_label([tmp_path / "a" / "policy.onnx", tmp_path / "b"]) == "a-policy+b"
    assert len(output_label([tmp_path / ("x" * 60), tmp_path / ("y" * 60)])) <= 80
    for seed in (0, 1):  # two multi-seed layouts: their exports no longer share export/seed_0
        shutil.copytree(ppo_run, tmp_path / f"grid{seed}" / "seed_0")
    work = tmp_path / "work"
    work.mkdir()
    for seed in (0, 1):
        result = run_cli("export", str(tmp_path / f"grid{seed}" / "seed_0"), cwd=work)
        assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (work / "export").iterdir()) == [
        "grid0-seed_0",
        "grid1-seed_0",
    ]
    sweep = ["--sweep", "observation-noise", "--episodes", "1"]
    for seed in (0, 1):
        run = tmp_path / f"grid{seed}" / "seed_0"
        assert run_cli("eval", str(run), *sweep, cwd=work).returncode == 0
    assert sorted(p.name for p in (work / "runs" / "eval").iterdir()) == [
        "grid0-seed_0-observation-noise",
        "grid1-seed_0-observation-noise",
    ]


@pytest.mark.parametrize("command", ["export", "eval", "render", "demos"])
def test_a_symlinked_output_is_refused(ppo_run: Path, tmp_path: Path, command: str) -> None:
    target = tmp_path / "target"
    target.mkdir()
    (target / "mine.txt").write_text("keep")
    link = tmp_path / ("link.mp4" if command == "render" else "link")
    link.symlink_to(target)
    args = {
        "export": ["export", str(ppo_run), "--out", str(link)],
        "eval": ["eval", str(ppo_run), "--sweep", "observation-noise", "--out", str(link)],
        "render": ["render", str(ppo_run), "--out", str(link), "--overwrite"],
        "demos": ["demos", "record", str(ppo_run), "--episodes", "1", "--out", str(link)],
    }[command]
    result = run_cli(*args)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "is a symbolic link" in result.stderr
    assert link.is_symlink() and [p.name for p in target.iterdir()] == ["mine.txt"]
    assert not list(tmp_path.glob(".tmp-*"))


def test_temp_folders_of_killed_commands_are_removed(ppo_run: Path, tmp_path: Path) -> None:
    dead, alive = _dead_pid(), os.getpid()
    out = tmp_path / "export"
    for pid in (dead, alive):
        (tmp_path / f".tmp-export-{pid}").mkdir()
        (tmp_path / f".tmp-export-{pid}" / "policy.onnx").write_bytes(b"half")
    (tmp_path / ".tmp-other-1").mkdir()  # not this output's: never touched
    result = run_cli("export", str(ppo_run), "--out", str(out), process=True)  # not this pid
    assert result.returncode == 0, result.stderr
    left = sorted(p.name for p in tmp_path.glob(".tmp-*"))
    assert left == sorted([f".tmp-export-{alive}", ".tmp-other-1"])


def test_render_cell_needs_a_sweep(ppo_run: Path, tmp_path: Path) -> None:
    result = run_cli("render", str(ppo_run), "--out", str(tmp_path / "v.gif"), "--cell", "2")
    assert result.returncode == 2 and "--cell picks a cell of a sweep" in result.stderr
    assert not (tmp_path / "v.gif").exists()
