"""A run's ``config.yaml`` is read once by the pipeline: train writes it, one
:class:`~robodrl.runs.run.Run` reads it, and export and the sweeps receive that run."""

from __future__ import annotations

import builtins
import io
import pathlib
from pathlib import Path

import pytest
from rich.console import Console

from robodrl.pipeline import run_pipeline
from robodrl.resolve import load_config
from robodrl.runs.run import Run

SWEEP = {
    "name": "tiny-noise",
    "episodes": 1,
    "axes": [
        {
            "name": "obs_noise_std",
            "perturb": "observation_noise",
            "group": "all",
            "values": [0.0, 0.1],
        },
    ],
}


def _counting(patch: pytest.MonkeyPatch, watched: Path) -> list[str]:
    """Patch every way a file's bytes are read; record each read of ``watched``."""
    reads: list[str] = []
    inside = [False]  # Path.read_bytes opens through Path.open and io.open: count it once

    def wrap(name, original, path_of):
        def reading(*args, **kwargs):
            if inside[0]:
                return original(*args, **kwargs)
            try:
                if Path(path_of(*args)).absolute() == watched:
                    reads.append(name)
            except TypeError:
                pass  # a file descriptor, not a path
            inside[0] = True
            try:
                return original(*args, **kwargs)
            finally:
                inside[0] = False

        return reading

    first = lambda *args: args[0]  # noqa: E731
    for name in ("read_text", "read_bytes", "open"):
        original = getattr(pathlib.Path, name)
        patch.setattr(pathlib.Path, name, wrap(f"Path.{name}", original, first))
    patch.setattr(builtins, "open", wrap("open", builtins.open, first))
    patch.setattr(io, "open", wrap("io.open", io.open, first))
    return reads


def test_the_pipeline_reads_the_run_config_once(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("ROBODRL_HOME", str(tmp_path / "home"))
    config = load_config(
        "pendulum_ppo",
        ["total_steps=2048", "env.num_envs=4", "eval.every_steps=1024", "eval.episodes=2"],
    )
    run_dir = tmp_path / "run"
    watched = (run_dir / "config.yaml").absolute()
    with pytest.MonkeyPatch.context() as patch:
        reads = _counting(patch, watched)
        made = run_pipeline(config, run_dir=run_dir, sweep=SWEEP, console=Console(quiet=True))
    assert made["report"].is_file() and (made["exported"] / "policy.onnx").is_file()
    # train writes it (and signs its checkpoints from what it wrote); the Run reads it once
    assert reads == ["Path.read_bytes"], reads
    # the count sees a read: opening the run again is one more
    with pytest.MonkeyPatch.context() as patch:
        reads = _counting(patch, watched)
        Run.open(run_dir).policy()
    assert reads == ["Path.read_bytes"], reads
