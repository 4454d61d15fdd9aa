"""Trainer fixtures: an isolated signing key per test, and a helper that runs the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml


@pytest.fixture(autouse=True)
def signing_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test signs with its own fresh key (ROBODRL_HOME), never the user's."""
    home = tmp_path / "robodrl-home"
    monkeypatch.setenv("ROBODRL_HOME", str(home))
    return home


def write_config(path: Path, **sections) -> Path:
    """Write a YAML config from keyword sections."""
    path.write_text(yaml.safe_dump(sections, sort_keys=False))
    return path


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 300):
    """Run ``python -m robodrl.cli`` as a user would; returns the CompletedProcess."""
    return subprocess.run(
        [sys.executable, "-m", "robodrl.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )
