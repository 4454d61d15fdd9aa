"""Export fixtures: small trained runs, signed with a key of the test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from robodrl.export.exporter import export_run
from robodrl.resolve import validate_config
from robodrl.runs.train import train
from tests.conftest import TINY_HYPERPARAMETERS

TINY = TINY_HYPERPARAMETERS


def train_small(root: Path, name: str, env_id: str = "Pendulum", **sections) -> Path:
    """Train ``name`` for 1,024 steps into ``root/<name>`` and return the run directory."""
    config = validate_config(
        {
            "env": {"id": env_id, "num_envs": 4},
            "algorithm": {"name": name, "hyperparameters": TINY[name]},
            "policy": {"net_arch": [32, 32]},
            "total_steps": 1024,
            "eval": {"every_steps": 512, "episodes": 2},
            "checkpoint": {"every_steps": 512},
            **sections,
        }
    )
    run, _ = train(config, root / f"{name}-{env_id.lower()}")
    return run


@pytest.fixture(scope="session")
def signing_home_session(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("robodrl-home")


@pytest.fixture(autouse=True)
def _signing_home(signing_home_session: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROBODRL_HOME", str(signing_home_session))


@pytest.fixture(scope="session")
def ppo_run(tmp_path_factory: pytest.TempPathFactory, signing_home_session: Path) -> Path:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ROBODRL_HOME", str(signing_home_session))
        return train_small(tmp_path_factory.mktemp("runs"), "ppo")


@pytest.fixture(scope="session")
def policy_file(
    ppo_run: Path, tmp_path_factory: pytest.TempPathFactory, signing_home_session: Path
) -> Path:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ROBODRL_HOME", str(signing_home_session))
        out, _ = export_run(ppo_run, tmp_path_factory.mktemp("export") / "pendulum")
    return out / "policy.onnx"  # the session's PPO run, exported once
