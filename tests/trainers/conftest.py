"""Trainer fixtures: an isolated signing key per test, and a helper that runs the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.cli_in_process import run_in_process


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


def run_cli(
    *args: str,
    env: dict[str, str] | None = None,
    timeout: float = 300,
    cwd: Path | None = None,
    process: bool = False,
):
    """Run the ``robodrl`` command as a user would; returns the CompletedProcess. It runs in
    this process (:mod:`tests.cli_in_process`) unless ``process`` or the environment asks the
    command to kill itself (``KILL_AFTER_CHECKPOINT_ENV``): then ``python -m robodrl.cli``."""
    from robodrl.runs.session import KILL_AFTER_CHECKPOINT_ENV

    if not process and KILL_AFTER_CHECKPOINT_ENV not in (env or {}):
        return run_in_process(list(args), env=env, cwd=cwd)
    return subprocess.run(
        [sys.executable, "-m", "robodrl.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        cwd=cwd,
    )


def killed_and_resumed(config: Path, run: Path, env: dict[str, str] | None = None) -> None:
    """Train ``config`` into ``run``, SIGKILLed right after its first checkpoint, then
    ``--resume`` it to the end (the exact-resume tests compare it with a straight run)."""
    from robodrl.runs.session import KILL_AFTER_CHECKPOINT_ENV

    killed = run_cli("train", str(config), "--run-dir", str(run),
                     env={**(env or {}), KILL_AFTER_CHECKPOINT_ENV: "1"})  # fmt: skip
    assert killed.returncode == -9, killed.stderr
    resumed = run_cli("train", "--resume", str(run), env=env)
    assert resumed.returncode == 0, resumed.stderr


def final_model(run: Path) -> tuple[dict, str]:
    """The latest checkpoint's ``model.pt`` (robodrl's own algorithms) and the episode log."""
    import torch

    folder = run / "checkpoints" / (run / "checkpoints" / "latest").read_text().strip()
    saved = torch.load(folder / "model.pt", weights_only=True)
    return saved, (run / "logs" / "episodes.csv").read_text()


def network_tensors(saved: dict) -> dict:
    """Every network parameter of a robodrl ``model.pt`` (optimizer states left out), by
    dotted name: ``agent.*`` for the on-policy algorithms, ``actor.*``, ``critics.*`` and
    their targets for MADDPG."""
    nets = {k: v for k, v in saved.items() if not k.endswith("optimizer")}
    return {f"{net}.{name}": value for net, state in nets.items() for name, value in state.items()}
