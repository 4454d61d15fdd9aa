"""Every algorithm trains on the batched env; save → load keeps its actions; learning continues."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from robodrl.algorithms.registry import get_algorithm
from robodrl.algorithms.sb3.build import build_env, build_model
from robodrl.resolve import validate_config
from tests.conftest import TINY_HYPERPARAMETERS

TINY = TINY_HYPERPARAMETERS


@pytest.mark.parametrize("env_id", ["Pendulum", "ArmReach"])
@pytest.mark.parametrize("name", list(TINY))
def test_trains_saves_loads_and_continues(name: str, env_id: str, tmp_path: Path) -> None:
    config = validate_config(
        {
            "env": {"id": env_id, "num_envs": 4},
            "algorithm": {"name": name, "hyperparameters": TINY[name]},
            "policy": {"net_arch": [32, 32]},
            "total_steps": 256,
        }
    )
    env = build_env(config)
    model = build_model(config, env)
    model.learn(256)
    assert model.num_timesteps >= 256
    obs = np.random.default_rng(0).normal(size=(16, env.observation_space.shape[0]))
    before, _ = model.predict(obs.astype(np.float32), deterministic=True)
    model.save(tmp_path / "model.zip")
    loaded = get_algorithm(name).sb3_class().load(tmp_path / "model.zip", env=env, device="cpu")
    after, _ = loaded.predict(obs.astype(np.float32), deterministic=True)
    np.testing.assert_array_equal(before, after)
    loaded.learn(128, reset_num_timesteps=False)
    assert loaded.num_timesteps >= model.num_timesteps + 128
