"""The lean rollout forward pass gives SB3's actions, values and log-probabilities bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from stable_baselines3.common.policies import ActorCriticPolicy

from robodrl.algorithms.sb3.build import build_env, build_model
from robodrl.algorithms.sb3.lean_policy import LeanActorCriticPolicy
from robodrl.resolve import validate_config
from tests.conftest import TINY_HYPERPARAMETERS


def _model(name: str, activation: str = "tanh", **hyperparameters):
    config = validate_config(
        {
            "env": {"id": "Cheetah", "num_envs": 4},
            "algorithm": {
                "name": name,
                "hyperparameters": {**TINY_HYPERPARAMETERS[name], **hyperparameters},
            },
            "policy": {"net_arch": {"pi": [32, 16], "vf": [24]}, "activation": activation},
            "total_steps": 64,
        }
    )
    return build_model(config, build_env(config))


def _both(policy: LeanActorCriticPolicy, obs: torch.Tensor, deterministic: bool):
    """(lean, SB3) outputs from the same random state."""
    outputs = []
    for forward in (policy.forward, lambda o, d: ActorCriticPolicy.forward(policy, o, d)):
        torch.manual_seed(7)
        with torch.no_grad():
            outputs.append(forward(obs, deterministic))
    return outputs


@pytest.mark.parametrize("deterministic", [False, True])
@pytest.mark.parametrize(
    ("name", "activation"), [("ppo", "tanh"), ("a2c", "relu"), ("trpo", "elu")]
)
def test_lean_forward_equals_sb3(name: str, activation: str, deterministic: bool) -> None:
    model = _model(name, activation)
    policy = model.policy
    assert isinstance(policy, LeanActorCriticPolicy)
    model.learn(64)  # trained weights and log_std, not only the initial ones
    obs = torch.as_tensor(np.random.default_rng(0).normal(size=(9, 17)), dtype=torch.float32)
    lean, sb3 = _both(policy, obs, deterministic)
    assert policy._plan is not None  # the lean path ran, not the fallback
    for mine, theirs in zip(lean, sb3, strict=True):
        assert mine.shape == theirs.shape
        assert torch.equal(mine, theirs)


def test_gsde_falls_back_to_sb3() -> None:
    policy = _model("ppo", use_sde=True).policy
    obs = torch.zeros((3, 17))
    lean, sb3 = _both(policy, obs, deterministic=False)
    assert policy._plan is None
    assert all(torch.equal(a, b) for a, b in zip(lean, sb3, strict=True))


def test_saved_model_loads_with_the_lean_policy(tmp_path) -> None:
    model = _model("ppo")
    model.save(tmp_path / "model.zip")
    loaded = type(model).load(tmp_path / "model.zip", device="cpu")
    assert type(loaded.policy) is LeanActorCriticPolicy
    obs = np.random.default_rng(1).normal(size=(5, 17)).astype(np.float32)
    np.testing.assert_array_equal(
        model.predict(obs, deterministic=True)[0], loaded.predict(obs, deterministic=True)[0]
    )
