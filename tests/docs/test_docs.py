"""The README and every page of ``docs/`` as a reader meets them: every code block runs as
written, page after page in the site's navigation order, with tiny budgets (see
``tests/docs/blocks.py``); the tables generated from the code are current."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest
import yaml

from tests.docs.blocks import (
    blocks,
    plain_robodrl,
    reader_env,
    run_bash,
    run_python,
    save_files,
    tiny,
)

ROOT = Path(__file__).resolve().parents[2]
#: the file a reader brings for "Your robot's MJCF, as it comes": a quadruped robodrl did not
#: write a description for by hand (its description was written by `robodrl robot init`)
READER_ROBOT = ROOT / "robodrl" / "envs" / "legged" / "robots" / "mini.xml"
READER_ARM = ROOT / "robodrl" / "envs" / "manipulator" / "robots" / "franka_class.xml"


def pages() -> list[Path]:
    """The README, then the site's pages in navigation order."""
    site = yaml.safe_load((ROOT / "mkdocs.yml").read_text())
    nav = [next(iter(entry.values())) for entry in site["nav"]]
    return [ROOT / "README.md", *(ROOT / "docs" / page for page in nav)]


def test_every_page_of_the_site_is_in_the_navigation() -> None:
    listed = {p.name for p in pages()[1:]}
    assert listed == {p.name for p in (ROOT / "docs").glob("*.md")}


def test_the_blocks_are_found_and_every_skip_says_why() -> None:
    found = [block for page in pages() for block in blocks(page.read_text())]
    assert sum(b.language == "python" for b in found) >= 8
    assert sum(b.language == "bash" for b in found) >= 12
    for block in found:
        if block.directive == "skip":
            assert len(block.argument) > 10, f"{block.where}: a skip needs its reason"


def test_only_plain_commands_skip_the_shell() -> None:
    assert plain_robodrl("robodrl export runs/c3  # or; a comment") == [
        "robodrl",
        "export",
        "runs/c3",
    ]
    for shell in ("robodrl envs | head", "robodrl envs > x.txt", "robodrl eval $RUN", "ls runs"):
        assert plain_robodrl(shell) is None, shell


def test_tiny_budgets_change_only_the_budget() -> None:
    assert tiny("robodrl eval runs/c3 --sweep push --episodes 5 --seed 0") == (
        "robodrl eval runs/c3 --sweep push --seed 0 --episodes 1"
    )
    trained = tiny("robodrl train cheetah_ppo --run-dir runs/c3  # a recipe")
    assert trained.startswith("robodrl train cheetah_ppo --run-dir runs/c3 --set total_steps=")
    resumed = tiny("robodrl train --resume runs/c3 --set total_steps=2000000")
    assert resumed == "robodrl train --resume runs/c3 --set total_steps=4096"
    assert tiny("robodrl demos info demos/p-v0") == "robodrl demos info demos/p-v0"
    assert tiny("robodrl render runs/c3 --out c.mp4").endswith("--out c.mp4 --seconds 2")


def test_the_generated_tables_are_current() -> None:
    spec = importlib.util.spec_from_file_location("docs_tables", ROOT / "docs" / "tables.py")
    tables = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tables)
    cache: dict[str, str] = {}
    generated = 0
    for page in pages()[1:]:
        text = page.read_text()
        generated += text.count("<!-- generated: ")
        assert tables.filled(text, cache) == text, f"{page.name} is stale: run make docs-tables"
    assert generated >= 6
    written = tables.recipe_results((ROOT / "docs" / "results.md").read_text())
    assert tables.RECIPE_RESULTS.read_text() == written, "RESULTS.md is stale: make docs-tables"
    assert written.count("\n|") >= 100 and "## " in written  # every table, under its heading


def test_every_documented_block_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work, home = tmp_path / "reader", tmp_path / "home"
    work.mkdir()
    shutil.copy(READER_ROBOT, work / "my_robot.xml")
    shutil.copy(READER_ARM, work / "my_arm.xml")
    monkeypatch.chdir(work)
    monkeypatch.setenv("ROBODRL_HOME", str(home))
    env = reader_env(home)
    ran, skipped = 0, []
    for page in pages():
        found = blocks(page.read_text())
        save_files(found, work)
        namespace: dict = {"__name__": "__docs__"}  # each page's Python stands on its own
        for block in found:
            if block.directive == "skip":
                skipped.append(f"{page.name} {block.where}: {block.argument}")
                continue
            if block.language == "yaml":
                yaml.safe_load(block.code)
            elif block.language == "python":
                run_python(block, namespace, page)
            elif block.language == "bash":
                run_bash(block, work, env, page.name)
            else:
                continue
            ran += 1
    print(f"{ran} blocks ran; skipped: {skipped}")
    assert ran >= 30
