"""Every code block of the README runs as written, in order, with tiny budgets: the Python
snippets, the commands and the YAML a reader copies (see ``tests/docs/blocks.py``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from tests.docs.blocks import blocks, reader_env, run_bash, run_python, save_files, tiny

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
#: the file a reader brings for "Your robot's MJCF, as it comes": a quadruped robodrl did not
#: write a description for by hand (its description was written by `robodrl robot init`)
READER_ROBOT = ROOT / "robodrl" / "envs" / "legged" / "robots" / "mini.xml"


def test_the_readme_blocks_are_found_and_every_skip_says_why() -> None:
    found = blocks(README.read_text())
    assert sum(b.language == "python" for b in found) >= 5
    assert sum(b.language == "bash" for b in found) >= 10
    for block in found:
        if block.directive == "skip":
            assert len(block.argument) > 10, f"{block.where}: a skip needs its reason"


def test_tiny_budgets_change_only_the_budget() -> None:
    assert tiny("robodrl eval runs/c3 --sweep push --episodes 5 --seed 0") == (
        "robodrl eval runs/c3 --sweep push --seed 0 --episodes 1"
    )
    trained = tiny("robodrl train cheetah_ppo --run-dir runs/c3  # a recipe")
    assert trained.startswith("robodrl train cheetah_ppo --run-dir runs/c3 --set total_steps=")
    resumed = tiny("robodrl train --resume runs/c3 --set total_steps=2000000")
    assert resumed == "robodrl train --resume runs/c3 --set total_steps=4096"
    assert tiny("robodrl demos info demos/p-v0") == "robodrl demos info demos/p-v0"


def test_every_readme_block_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work, home = tmp_path / "reader", tmp_path / "home"
    work.mkdir()
    shutil.copy(READER_ROBOT, work / "my_robot.xml")
    monkeypatch.chdir(work)
    monkeypatch.setenv("ROBODRL_HOME", str(home))
    env = reader_env(home)
    found = blocks(README.read_text())
    save_files(found, work)
    namespace: dict = {"__name__": "__readme__"}
    ran, skipped = 0, []
    for block in found:
        if block.directive == "skip":
            skipped.append(f"{block.where}: {block.argument}")
        elif block.language == "yaml":
            yaml.safe_load(block.code)
        elif block.language == "python":
            run_python(block, namespace, README)
        elif block.language == "bash":
            run_bash(block, work, env)
        else:
            continue
        ran += block.directive != "skip"
    print(f"{ran} blocks ran; skipped: {skipped}")
    assert ran >= 25
