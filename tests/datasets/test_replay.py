"""Every recorded episode replays bit for bit from its seed and the recorded settings, and the
dataset is a Minari dataset Minari lists and rebuilds the recorded env of."""

from __future__ import annotations

import json
from pathlib import Path

import gymnasium as gym
import minari
import numpy as np
import pytest
import yaml

from robodrl.datasets import load_demonstrations, save_demonstrations
from robodrl.datasets.recording import record_demonstrations
from robodrl.files.atomic import OutputError
from robodrl.runs.loading import load_policy
from tests.trainers.conftest import run_cli


@pytest.fixture(autouse=True)
def _expert_home(expert_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROBODRL_HOME", str(expert_home))


@pytest.fixture(scope="module")
def perturbed(pendulum_expert: Path, tmp_path_factory, expert_home: Path) -> Path:
    """Three randomized and perturbed episodes (per-step sensor noise), recorded by the CLI."""
    out = tmp_path_factory.mktemp("shared") / "pendulum-dr-v0"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ROBODRL_HOME", str(expert_home))
        result = run_cli("demos", "record", str(pendulum_expert), "--episodes", "3", "--seed",
                         "40", "--randomization", "dr-default", "--perturbations", "dr-default",
                         "--out", str(out))  # fmt: skip
    assert result.returncode == 0, result.stderr
    return out


def _replay(env: gym.Env, episode) -> np.ndarray:
    obs, _ = env.reset(seed=episode.seed)
    observed = [obs]
    for action in episode.actions:
        obs, *_ = env.step(action)
        observed.append(obs)
    return np.array(observed)


def test_every_episode_replays_bit_for_bit(perturbed: Path) -> None:
    demos = load_demonstrations(perturbed)
    settings = demos.settings
    assert isinstance(settings["randomization"], dict)  # the preset, as the settings it was
    env = gym.make(
        demos.env_id,
        randomization=settings["randomization"],
        perturbations=settings["perturbations"],
        **demos.task_arguments,
    )
    for episode in demos.episodes:
        np.testing.assert_array_equal(_replay(env, episode), episode.observations)
    recovered = minari.MinariDataset(perturbed / "data").recover_environment()
    for episode in demos.episodes:
        np.testing.assert_array_equal(_replay(recovered, episode), episode.observations)
    nominal = gym.make(demos.env_id)  # the settings matter: without them it differs
    assert not np.array_equal(_replay(nominal, demos.episodes[0]), demos.episodes[0].observations)


def test_minari_lists_robodrl_s_datasets(perturbed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(perturbed.parent))
    listed = minari.list_local_datasets()
    assert list(listed) == ["pendulum-dr-v0"]
    assert minari.load_dataset("pendulum-dr-v0").total_episodes == 3


def test_the_recorded_policy_is_named_not_located(perturbed: Path, pendulum_expert) -> None:
    metadata = json.loads((perturbed / "data" / "metadata.json").read_text())
    assert metadata["robodrl"]["source"] == pendulum_expert.name
    assert str(pendulum_expert.parent) not in (perturbed / "data" / "metadata.json").read_text()


def test_a_folder_minari_cannot_list_is_refused(pendulum_expert: Path, tmp_path: Path) -> None:
    demos = record_demonstrations(load_policy(pendulum_expert), 1, seed=0)
    with pytest.raises(OutputError, match=r"named <name>-v<version>.*give .*pendulum-v0"):
        save_demonstrations(demos, tmp_path / "pendulum")
    assert not (tmp_path / "pendulum").exists()


def test_a_demonstrator_worse_than_random_is_refused(tmp_path: Path) -> None:
    planner = tmp_path / "spin.yaml"  # a planner that seeks the largest angle and speed
    planner.write_text(
        yaml.safe_dump(
            {
                "env": {"id": "robodrl/Pendulum-v0"},
                "planner": {"name": "predictive_sampling", "samples": 8,
                            "horizon_seconds": 0.5, "knots": 2},
                "objective": {"weights": {"angle": -1.0, "velocity": -1.0}},
            }
        )
    )  # fmt: skip
    out = tmp_path / "spin-v0"
    refused = run_cli("demos", "record", str(planner), "--episodes", "2", "--out", str(out))
    assert refused.returncode == 2 and "below uniformly random actions" in refused.stderr
    assert "--allow-worse-than-random" in refused.stderr and not out.exists()
    kept = run_cli("demos", "record", str(planner), "--episodes", "2", "--out", str(out),
                   "--allow-worse-than-random")  # fmt: skip
    assert kept.returncode == 0 and "warning:" in kept.stdout
    reference = load_demonstrations(out).reference
    assert reference["demonstrator_return"] < reference["random_return"]
