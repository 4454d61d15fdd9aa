"""lean_ppo's step size: the KL-adaptive rule (``desired_kl``), a real training that follows it,
a config that sets it beside the linear schedule refused with both fields named, and the linear
schedule over the budget or over ``final_learning_rate_steps``."""

from __future__ import annotations

import copy

import pytest

from robodrl.algorithms.ppo import ADAPTIVE_RATE_BOUNDS, adapted_rate
from robodrl.algorithms.registry import get_algorithm
from robodrl.errors import ConfigError
from robodrl.resolve import validate_config
from tests.conftest import RecordingHooks

CONFIG = {
    "env": {"id": "robodrl/Pendulum-v0", "num_envs": 8},
    "algorithm": {
        "name": "lean_ppo",
        "hyperparameters": {"n_steps": 32, "n_epochs": 4, "n_minibatches": 4, "desired_kl": 1e-6},
    },
    "policy": {"net_arch": [16, 16]},
    "total_steps": 1024,
}


def test_the_rule_slows_down_speeds_up_and_stays_in_bounds() -> None:
    assert adapted_rate(1e-3, kl=0.05, desired=0.01) == pytest.approx(1e-3 / 1.5)
    assert adapted_rate(1e-3, kl=0.001, desired=0.01) == pytest.approx(1.5e-3)
    assert adapted_rate(1e-3, kl=0.01, desired=0.01) == 1e-3
    low, high = ADAPTIVE_RATE_BOUNDS
    assert adapted_rate(low, kl=1.0, desired=0.01) == low
    assert adapted_rate(high, kl=0.0, desired=0.01) == high


class RateHooks(RecordingHooks):
    def __init__(self) -> None:
        super().__init__()
        self.rates: list[float] = []

    def record(self, key: str, value: float) -> None:
        if key == "train/learning_rate":
            self.rates.append(value)


def rates(desired_kl: float) -> list[float]:
    config = copy.deepcopy(CONFIG)
    config["algorithm"]["hyperparameters"]["desired_kl"] = desired_kl
    learner = get_algorithm("lean_ppo").build(validate_config(config))
    hooks = RateHooks()
    learner.learn(2 * 32 * 8, hooks)
    return hooks.rates


def test_the_step_size_follows_the_policys_divergence_in_training() -> None:
    """A tiny desired KL: every minibatch step moves the policy more than that, and 15 of the
    first update's 16 minibatches divide the step size by 1.5 (to the lower bound). A huge one:
    every minibatch multiplies it by 1.5 (to the upper bound)."""
    low, high = ADAPTIVE_RATE_BOUNDS
    assert rates(1e-6)[0] == pytest.approx(max(low, 1e-3 * 1.5 / 1.5**15))
    assert rates(10.0) == pytest.approx([high, high])


def test_the_schedule_and_the_adaptive_rate_cannot_both_be_set() -> None:
    config = copy.deepcopy(CONFIG)
    config["algorithm"]["hyperparameters"]["final_learning_rate"] = 1e-4
    with pytest.raises(ConfigError, match=r"desired_kl.*final_learning_rate.*not both"):
        validate_config(config)
    config["algorithm"]["hyperparameters"]["desired_kl"] = 0.0
    with pytest.raises(ConfigError, match="desired_kl"):
        validate_config(config)


def scheduled(**hyperparameters) -> list[float]:
    config = copy.deepcopy(CONFIG)
    del config["algorithm"]["hyperparameters"]["desired_kl"]
    config["algorithm"]["hyperparameters"].update(hyperparameters)
    learner = get_algorithm("lean_ppo").build(validate_config(config))
    hooks = RateHooks()
    learner.learn(4 * 32 * 8, hooks)  # four iterations of 256 steps
    return hooks.rates


def test_the_schedule_reaches_its_final_rate_at_the_steps_it_is_given() -> None:
    """Over the budget by default; with ``final_learning_rate_steps``, by those steps, then
    the final rate stays."""
    over_budget = scheduled(final_learning_rate=1e-4)
    assert over_budget == pytest.approx([1e-3 - 0.9e-3 * f for f in (0.25, 0.5, 0.75, 1.0)])
    by_steps = scheduled(final_learning_rate=1e-4, final_learning_rate_steps=512)
    assert by_steps == pytest.approx([5.5e-4, 1e-4, 1e-4, 1e-4])


def test_final_learning_rate_steps_needs_a_final_rate() -> None:
    config = copy.deepcopy(CONFIG)
    del config["algorithm"]["hyperparameters"]["desired_kl"]
    config["algorithm"]["hyperparameters"]["final_learning_rate_steps"] = 512
    with pytest.raises(ConfigError, match=r"final_learning_rate_steps: .* set final_learning_rate"):
        validate_config(config)
    config["algorithm"]["hyperparameters"]["final_learning_rate_steps"] = 0
    with pytest.raises(ConfigError, match="final_learning_rate_steps"):
        validate_config(config)
