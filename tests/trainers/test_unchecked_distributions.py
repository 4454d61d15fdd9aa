"""Training skips torch.distributions' checks, loses no error for it, and restores the setting."""

from __future__ import annotations

import pytest
import torch

from robodrl.algorithms.sb3.build import build_env, build_model, unchecked_distributions
from robodrl.errors import InvalidActionError
from robodrl.resolve import validate_config
from tests.conftest import TINY_HYPERPARAMETERS


def test_checks_are_off_inside_and_restored_after() -> None:
    nan_mean = torch.tensor([float("nan")])
    with pytest.raises(ValueError, match="loc"):
        torch.distributions.Normal(nan_mean, torch.ones(1))
    with unchecked_distributions():
        torch.distributions.Normal(nan_mean, torch.ones(1))  # no check, no error
    with pytest.raises(ValueError, match="loc"):
        torch.distributions.Normal(nan_mean, torch.ones(1))


@pytest.mark.parametrize("name", ["ppo", "sac"])
def test_a_nan_policy_is_still_refused_with_the_actuator_named(name: str) -> None:
    config = validate_config(
        {
            "env": {"id": "Cheetah", "num_envs": 2},
            "algorithm": {"name": name, "hyperparameters": TINY_HYPERPARAMETERS[name]},
            "total_steps": 64,
        }
    )
    model = build_model(config, build_env(config))
    actor = model.policy.actor if name == "sac" else model.policy.action_net
    with torch.no_grad():
        for parameter in actor.parameters():
            parameter.fill_(float("nan"))
    if name == "sac":
        model.learning_starts = 0  # act with the policy from the first step
    with unchecked_distributions(), pytest.raises(InvalidActionError, match="actuator 'back_hip'"):
        model.learn(64)
    assert torch.distributions.Distribution._validate_args  # restored after the error
