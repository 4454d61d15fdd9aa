"""The deploy tests' policy file: a tiny legged policy, trained and exported once."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from robodrl.cli import main


@pytest.fixture(scope="package")
def legged_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("deploy")
    config = {
        "env": {"id": "robodrl/Legged-v1", "num_envs": 8, "task": {"robot": "go1_class"}},
        "algorithm": {"name": "lean_ppo", "hyperparameters": {"n_steps": 16, "n_epochs": 1}},
        "policy": {"net_arch": [16, 16]},
        "total_steps": 128,
    }
    (root / "legged.yaml").write_text(yaml.safe_dump(config))
    assert main(["train", str(root / "legged.yaml"), "--run-dir", str(root / "run")]) == 0
    assert main(["export", str(root / "run"), "--out", str(root / "out")]) == 0
    return root / "out" / "policy.onnx"
