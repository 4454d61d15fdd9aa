"""The deploy tests' policy files: tiny legged and arm policies, each trained and exported once."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from robodrl.cli import main


@pytest.fixture(scope="package")
def legged_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny legged policy for the Go1-class robot."""
    env = {"id": "robodrl/Legged-v1", "num_envs": 8, "task": {"robot": "go1_class"}}
    return tiny_export(tmp_path_factory.mktemp("deploy"), env)


def tiny_export(root: Path, env: dict, algorithm: str = "lean_ppo", steps: int = 128) -> Path:
    """Train a tiny policy for ``env`` (a config's env section) and export it: the exported
    folder (a team's) or its ``policy.onnx``."""
    config = {
        "env": env,
        "algorithm": {"name": algorithm, "hyperparameters": {"n_steps": 16, "n_epochs": 1}},
        "policy": {"net_arch": [16, 16]},
        "total_steps": steps,
    }
    (root / "tiny.yaml").write_text(yaml.safe_dump(config))
    assert main(["train", str(root / "tiny.yaml"), "--run-dir", str(root / "run")]) == 0
    assert main(["export", str(root / "run"), "--out", str(root / "out")]) == 0
    single = root / "out" / "policy.onnx"
    return single if single.is_file() else root / "out"


@pytest.fixture(scope="package")
def arm_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny joint-target reach policy for the Franka-class arm."""
    task = {"robot": "franka_class", "action": "joint"}
    env = {"id": "robodrl/ManipulatorReach-v0", "num_envs": 8, "task": task}
    return tiny_export(tmp_path_factory.mktemp("arm"), env)


@pytest.fixture(scope="package")
def hand_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny end-effector reach policy (its actions are the hand's motion)."""
    task = {"robot": "franka_class", "action": "end_effector"}
    env = {"id": "robodrl/ManipulatorReach-v0", "num_envs": 8, "task": task}
    return tiny_export(tmp_path_factory.mktemp("hand"), env)


@pytest.fixture(scope="package")
def team_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny team of four leg agents (IPPO) for the Go1-class robot, exported as a folder."""
    env = {"id": "robodrl/LeggedLegs-v0", "num_envs": 8, "task": {"robot": "go1_class"}}
    return tiny_export(tmp_path_factory.mktemp("team"), env, "ippo", 512)
