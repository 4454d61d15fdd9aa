"""robodrl's own VPG through the same CLI commands as PPO: it trains, checkpoints, is killed
and resumes bit for bit, is evaluated in a sweep, and exports through the parity gate."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from tests.trainers.conftest import final_model, killed_and_resumed, run_cli, write_config

CONFIG = {
    "env": {"id": "Pendulum", "num_envs": 4, "task": {"episode_seconds": 1.0}},
    "algorithm": {"name": "vpg", "hyperparameters": {"n_steps": 32, "value_batch_size": 64}},
    "policy": {"net_arch": [32, 32], "log_std_init": -0.5},
    "total_steps": 1024,
    "eval": {"every_steps": 256, "episodes": 2},
    "checkpoint": {"every_steps": 512, "keep_last": 2},
}


def _final(run: Path) -> tuple[dict, str, str]:
    saved, episodes = final_model(run)
    return saved, episodes, (run / "logs" / "evaluations.jsonl").read_text()


@pytest.fixture(scope="module")
def straight(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("vpg")
    config = write_config(root / "config.yaml", **CONFIG)
    result = run_cli("train", str(config), "--run-dir", str(root / "run"),
                     env={"ROBODRL_HOME": str(root / "home")})  # fmt: skip
    assert result.returncode == 0, result.stderr
    return root / "run"


def test_killed_and_resumed_vpg_equals_a_straight_run(straight: Path, tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.yaml", **CONFIG)
    stopped = tmp_path / "stopped"
    home = {"ROBODRL_HOME": str(straight.parent / "home")}
    killed_and_resumed(config, stopped, home)
    saved_a, episodes_a, evals_a = _final(straight)
    saved_b, episodes_b, evals_b = _final(stopped)
    for key, value in saved_a["agent"].items():
        assert torch.equal(value, saved_b["agent"][key]), key
    assert (
        saved_a["policy_optimizer"]["state"].keys() == saved_b["policy_optimizer"]["state"].keys()
    )
    assert episodes_a == episodes_b and episodes_a.count("\n") > 10
    assert evals_a == evals_b
    summary = json.loads((stopped / "summary.json").read_text())
    assert summary["algorithm"] == "vpg" and summary["steps"] == 1024


def test_vpg_is_swept_and_exported_with_parity(straight: Path, tmp_path: Path) -> None:
    home = {"ROBODRL_HOME": str(straight.parent / "home")}
    out = tmp_path / "export"
    exported = run_cli("export", str(straight), "--out", str(out), env=home)
    assert exported.returncode == 0, exported.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["algorithm"] == "vpg" and manifest["parity"]["passed"]
    assert manifest["parity"]["max_abs_diff"] <= 1e-5 and manifest["closed_loop"]["passed"]
    report = tmp_path / "report"
    policies = [str(straight), str(out / "policy.onnx")]
    sweep = ["--sweep", "observation-noise", "--episodes", "2", "--out", str(report)]
    swept = run_cli("eval", *policies, *sweep, env=home)
    assert swept.returncode == 0, swept.stderr
    results = json.loads((report / "results.json").read_text())
    run_cells, onnx_cells = (p["cells"] for p in results["policies"])
    np.testing.assert_allclose(
        [c["mean_return"] for c in run_cells], [c["mean_return"] for c in onnx_cells], atol=1e-3
    )
