"""Shared fixtures: every registered id, and a helper to roll out a core with fixed actions."""

from __future__ import annotations

import os

os.environ.setdefault("MUJOCO_GL", "egl")  # offscreen rendering; must precede importing MuJoCo

import numpy as np
import pytest

import robodrl

ENV_IDS = robodrl.env_ids()

#: hyperparameters small enough to train every algorithm for a few hundred steps in a test
TINY_HYPERPARAMETERS = {
    "ppo": {"n_steps": 64, "batch_size": 128, "n_epochs": 2},
    "a2c": {"n_steps": 8},
    "trpo": {"n_steps": 128, "batch_size": 128},
    "sac": {"learning_starts": 200, "batch_size": 64, "buffer_size": 2000},
    "td3": {"learning_starts": 200, "batch_size": 64, "buffer_size": 2000},
    "ddpg": {"learning_starts": 200, "batch_size": 64, "buffer_size": 2000},
}


@pytest.fixture(autouse=True, scope="session")
def _sb3_logs_stay_in_the_test_folder(tmp_path_factory: pytest.TempPathFactory):
    """Tests that drive an SB3 model directly (not through robodrl, which gives it a logger)
    would leave SB3's default /tmp/SB3-<time> folders behind; they go under pytest's folder."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SB3_LOGDIR", str(tmp_path_factory.mktemp("sb3-logs")))
        yield


@pytest.fixture(params=ENV_IDS)
def env_id(request: pytest.FixtureRequest) -> str:
    return request.param


def action_sequence(num_steps: int, num_envs: int, action_dim: int, seed: int = 123) -> np.ndarray:
    """A fixed sequence of random actions in [-1, 1], ``(num_steps, num_envs, action_dim)``."""
    return np.random.default_rng(seed).uniform(-1, 1, (num_steps, num_envs, action_dim))


class RecordingHooks:
    """The run machinery's hooks (``robodrl.algorithms.registry.RunHooks``) for a learner
    driven by a test: nothing is evaluated or saved; finished episodes are kept to look at."""

    def __init__(self) -> None:
        self.episodes: list[dict] = []

    def rollout_start(self, learner) -> None: ...
    def rollout_end(self, learner) -> None: ...
    def record(self, key: str, value: float) -> None: ...

    def episodes_done(self, learner, episodes: list[dict]) -> None:
        self.episodes += episodes


# -- a Pendulum expert and its demonstrations (imitation tests) ---------------------------------
@pytest.fixture(scope="session")
def expert_home(tmp_path_factory: pytest.TempPathFactory):
    """The signing home the expert run was written with (tests that load it set it)."""
    return tmp_path_factory.mktemp("expert-home")


@pytest.fixture(scope="session")
def pendulum_expert(tmp_path_factory: pytest.TempPathFactory, expert_home):
    """The Pendulum PPO recipe trained for 100k steps (about 15 s): it swings up and balances."""
    from robodrl.resolve import load_config
    from robodrl.runs.train import train

    config = load_config("pendulum_ppo", ["total_steps=100000", "eval.every_steps=50000"])
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ROBODRL_HOME", str(expert_home))
        run, _ = train(config, tmp_path_factory.mktemp("expert") / "run")
    return run


@pytest.fixture(scope="session")
def pendulum_demos(pendulum_expert, tmp_path_factory: pytest.TempPathFactory, expert_home):
    """10 demonstrated Pendulum episodes of the expert (seeds 0-9), as a dataset folder."""
    from robodrl.datasets.recording import record_demonstrations
    from robodrl.datasets.storage import save_demonstrations
    from robodrl.runs.loading import load_policy

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ROBODRL_HOME", str(expert_home))
        demos = record_demonstrations(load_policy(pendulum_expert), 10, seed=0, source="expert")
        return save_demonstrations(demos, tmp_path_factory.mktemp("demos") / "pendulum-v0")
