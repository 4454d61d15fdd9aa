"""lean_ppo's mirror loss teaches the policy to act the same on both sides, also when it is
computed on a share of each minibatch (``symmetry_fraction``), and a wrong share is refused."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from robodrl.algorithms.ppo import PPOLearner
from robodrl.errors import RobodrlError
from robodrl.resolve import load_config
from tests.conftest import RecordingHooks


def config(symmetry_coef: float, fraction: float = 1.0):
    return load_config("quadruped_robust_ppo", [
        "env.num_envs=16", "env.randomization=null", "env.perturbations=null",
        "env.curriculum=null", "policy.net_arch=[32,32]", "algorithm.hyperparameters.n_steps=16",
        f"algorithm.hyperparameters.symmetry_coef={symmetry_coef}",
        f"algorithm.hyperparameters.symmetry_fraction={fraction}",
    ])  # fmt: skip


def asymmetry(learner: PPOLearner, raw: np.ndarray) -> float:
    """Mean |π(mirror(s)) - mirror(π(s))| over ``raw`` observations."""
    mirror_obs, mirror_action = learner.core.task.mirror_maps()
    with torch.no_grad():
        mean = learner.agent.actor(learner.policy_input(raw)).numpy()
        mirrored = learner.agent.actor(learner.policy_input(raw @ mirror_obs.T)).numpy()
    return float(np.abs(mirrored - mean @ mirror_action.T).mean())


def trained_asymmetry(symmetry_coef: float, fraction: float = 1.0) -> float:
    learner = PPOLearner(config(symmetry_coef, fraction))
    raw = np.asarray(learner.obs, dtype=np.float32).copy()
    learner.learn(16 * 16 * 12, RecordingHooks())
    return asymmetry(learner, raw)


def test_the_mirror_loss_on_a_quarter_of_each_minibatch_still_teaches_symmetry() -> None:
    without = trained_asymmetry(0.0)
    whole = trained_asymmetry(5.0)
    quarter = trained_asymmetry(5.0, 0.25)
    assert whole < 0.5 * without
    assert quarter < 0.5 * without


@pytest.mark.parametrize("fraction", [0, -0.5, 1.5])
def test_a_share_outside_0_to_1_is_refused_by_name(fraction: float) -> None:
    with pytest.raises(RobodrlError, match="symmetry_fraction") as refused:
        config(0.5, fraction)
    assert "Traceback" not in str(refused.value)
