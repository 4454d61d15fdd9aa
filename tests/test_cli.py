"""The ``robodrl`` command as a user runs it."""

from __future__ import annotations

import subprocess
import sys

import robodrl


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "robodrl.cli", *args], capture_output=True, text=True, timeout=300
    )


def test_envs_lists_every_id_with_sizes() -> None:
    result = _run("envs")
    assert result.returncode == 0, result.stderr
    for env_id in robodrl.env_ids():
        assert env_id in result.stdout
    line = next(x for x in result.stdout.splitlines() if "robodrl/Quadruped-v0" in x)
    assert "44" in line and "12" in line and "50" in line  # obs, act, control Hz


def test_demo_prints_a_rollout_summary_of_each_task() -> None:
    result = _run("demo")
    assert result.returncode == 0, result.stderr
    for env_id in robodrl.env_ids():
        assert env_id in result.stdout
    assert "random" in result.stdout and "env steps/s" in result.stdout


def test_no_command_is_a_usage_error() -> None:
    result = _run()
    assert result.returncode == 2 and "usage" in result.stderr
