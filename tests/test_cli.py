"""The ``robodrl`` command as a user runs it."""

from __future__ import annotations

import subprocess
import sys

import pytest

import robodrl


def _run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "robodrl.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_envs_lists_every_id_with_sizes() -> None:
    result = _run("envs")
    assert result.returncode == 0, result.stderr
    for env_id in robodrl.env_ids():
        assert env_id in result.stdout
    line = next(x for x in result.stdout.splitlines() if "robodrl/Quadruped-v0" in x)
    assert "44" in line and "12" in line and "50" in line  # obs, act, control Hz
    for team_id in robodrl.team_ids():
        assert team_id in result.stdout
    assert "front_left (23 -> 3)" in result.stdout  # each agent's observation and actuators


def test_demo_prints_a_rollout_summary_of_each_task() -> None:
    result = _run("demo", "--no-train")
    assert result.returncode == 0, result.stderr
    for env_id in robodrl.env_ids():
        assert env_id in result.stdout
    assert "random" in result.stdout and "env steps/s" in result.stdout


def test_version_and_the_listing_commands() -> None:
    version = _run("--version")
    assert version.returncode == 0 and version.stdout.strip() == f"robodrl {robodrl.__version__}"
    recipes = _run("recipes")
    assert recipes.returncode == 0, recipes.stderr
    line = next(x for x in recipes.stdout.splitlines() if "pendulum_ppo" in x)
    assert "robodrl/Pendulum-v0" in line and "200,000" in line and "-235.7" in line
    sweeps = _run("sweeps", "Legged")
    assert sweeps.returncode == 0 and "push" in sweeps.stdout and "payload" in sweeps.stdout
    presets = _run("presets", "Pendulum")
    assert presets.returncode == 0 and "dr-default" in presets.stdout
    unknown = _run("sweeps", "Pendulim")
    assert unknown.returncode == 2 and "did you mean" in unknown.stderr
    planner = _run("train", "pendulum_mpc")
    assert planner.returncode == 2 and "pendulum_mpc is a planner" in planner.stderr
    assert "expert: pendulum_mpc" in planner.stderr


def test_no_command_is_a_usage_error() -> None:
    result = _run()
    assert result.returncode == 2 and "usage" in result.stderr


def test_demo_pipeline_runs_end_to_end(tmp_path, monkeypatch) -> None:
    """The demo's train → export → sweep on a shortened copy of the recipe (the full one is
    slow; `make test-slow` runs it)."""
    import yaml
    from rich.console import Console

    from robodrl.demo import DEMO_RECIPE, pipeline_demo

    monkeypatch.setenv("ROBODRL_HOME", str(tmp_path / "home"))
    recipe = yaml.safe_load(DEMO_RECIPE.read_text())
    recipe["total_steps"] = 4096
    recipe["eval"] = {"every_steps": 4096, "episodes": 2}
    short = tmp_path / "short.yaml"
    short.write_text(yaml.safe_dump(recipe))
    console = Console(record=True, width=200)
    made = pipeline_demo(console, recipe=short, run_dir=tmp_path / "demo")
    text = console.export_text()
    assert f"run: {made['run']}" in text and "robustness report:" in text
    assert "max |onnx - torch|" in text and "latency p50" in text
    assert (made["exported"] / "policy.onnx").is_file() and made["report"].is_file()


def test_legged_demo_pipeline_sweeps_pushes_and_payloads_with_videos(tmp_path, monkeypatch) -> None:
    """``robodrl demo`` on a shortened copy of the robust quadruped recipe (1 s
    episodes, 8 simulations): both reports, each with the nominal and worst-cell GIFs."""
    import yaml
    from rich.console import Console

    from robodrl.demo import LEGGED_RECIPE, legged_demo

    monkeypatch.setenv("ROBODRL_HOME", str(tmp_path / "home"))
    recipe = yaml.safe_load(LEGGED_RECIPE.read_text())
    recipe["env"]["num_envs"] = 8
    recipe["env"]["task"]["episode_seconds"] = 1.0
    recipe["total_steps"] = 1024
    recipe["eval"] = {"every_steps": 1024, "episodes": 2}
    short = tmp_path / "short.yaml"
    short.write_text(yaml.safe_dump(recipe))
    console = Console(record=True, width=200)
    made = legged_demo(console, recipe=short, run_dir=tmp_path / "demo")
    assert [r.parent.name for r in made["reports"]] == ["report", "report-payload"]
    for report in made["reports"]:
        page = report.read_text()
        assert page.count("data:image/gif;base64,") == 2 and "worst cell" in page
    assert (made["exported"] / "policy.onnx").is_file()
    text = console.export_text()
    assert "report-payload" in text and "of 50 control steps on average" in text


@pytest.mark.slow
def test_make_demo_walks_the_quadruped(tmp_path) -> None:
    """``make demo``'s job in full: the robust quadruped recipe, trained, exported and swept."""
    # 10M steps: about 15 minutes on the 2-core box (README), so the default 5-minute limit
    # could never pass
    result = _run("demo", "--run-dir", str(tmp_path / "demo"), timeout=2400)
    assert result.returncode == 0, result.stderr
    assert "report-payload" in result.stdout and "of 1000 control steps" in result.stdout
    assert (tmp_path / "demo" / "export" / "policy.onnx").is_file()


@pytest.mark.slow
def test_make_demo_swings_the_pendulum_up(tmp_path) -> None:
    result = _run("demo", "--quick", "--run-dir", str(tmp_path / "demo"))
    assert result.returncode == 0, result.stderr
    assert "swung up and balanced" in result.stdout and "robustness report:" in result.stdout
