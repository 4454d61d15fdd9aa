"""Inputs a user gets wrong, each refused with the field named: text where a number belongs,
NaN sweep bounds, a GPU that is not there, task arguments of the wrong kind, a batch too big
for memory; and the inputs that are right but were refused (``--set x=1e-3``, inline DR)."""

from __future__ import annotations

import re

import gymnasium
import pytest
import torch

import robodrl
from robodrl.errors import ConfigError, TaskArgumentError
from robodrl.evaluation.sweep import load_sweep
from robodrl.make import make_core
from robodrl.resolve import load_config, validate_config
from robodrl.robustness.loading import load_section
from tests.trainers.conftest import run_cli, write_config

BASE = {
    "env": {"id": "Pendulum", "num_envs": 2},
    "algorithm": {"name": "ppo", "hyperparameters": {"n_steps": 32, "batch_size": 64}},
    "total_steps": 64,
    "eval": {"every_steps": 64, "episodes": 1},
}
MASS = {
    "body": "*",
    "quantity": "mass",
    "distribution": {"type": "uniform", "low": 0.9, "high": 1.1},
}


@pytest.mark.parametrize(
    ("section", "document", "field"),
    [
        (
            "perturbations",
            {"observation_noise": [{"group": "all", "std": "0.5"}]},
            "perturbations.observation_noise[0].std",
        ),
        ("perturbations", {"action_noise_std": "0.1"}, "perturbations.action_noise_std"),
        (
            "randomization",
            {"params": [{**MASS, "distribution": {"type": "uniform", "low": "0.9", "high": 1.1}}]},
            "randomization.params[0].distribution.uniform.low",
        ),
        ("randomization", {"every_seconds": "2"}, "randomization.every_seconds"),
    ],
)
def test_presets_refuse_text_where_numbers_belong(section: str, document: dict, field: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(field) + ": .*got '"):
        load_section(document, "robodrl/Pendulum-v0", section)


@pytest.mark.parametrize(
    "values",
    [
        {"low": float("nan"), "high": 1.0, "num": 3},
        {"low": 0.0, "high": float("inf"), "num": 3},
        [0.0, float("nan")],
    ],
)
def test_sweeps_refuse_nan_bounds(values) -> None:
    sweep = {"axes": [{"name": "noise", "perturb": "action_noise_std", "values": values}]}
    with pytest.raises(ConfigError, match=r"axes\[0\]\.values.*finite number"):
        load_sweep(sweep, "robodrl/Pendulum-v0")


def test_set_on_the_command_line_reads_1e_minus_3_as_a_number(tmp_path) -> None:
    config = write_config(tmp_path / "config.yaml", **BASE)
    loaded = load_config(config, ["algorithm.hyperparameters.learning_rate=1e-3"])
    assert loaded.algorithm.hyperparameters["learning_rate"] == 0.001
    loaded = load_config(config, ["algorithm.hyperparameters.ent_coef=5E-4"])
    assert loaded.algorithm.hyperparameters["ent_coef"] == 0.0005


def test_inline_randomization_is_validated_and_used() -> None:
    config = validate_config(
        {**BASE, "env": {"id": "Pendulum", "randomization": {"params": [MASS]}}}
    )
    assert config.env.randomization == {"params": [MASS]}
    wrong = {"params": [{**MASS, "quantity": "mas"}]}
    with pytest.raises(
        ConfigError, match=r"env\.randomization\.params\[0\]: unknown quantity 'mas'"
    ):
        validate_config({**BASE, "env": {"id": "Pendulum", "randomization": wrong}})
    with pytest.raises(
        ConfigError, match=r"env\.randomization: unknown preset 'dr-nope'.*dr-default"
    ):
        validate_config({**BASE, "env": {"id": "Pendulum", "randomization": "dr-nope"}})
    with pytest.raises(
        ConfigError, match=r"env\.perturbations\.action_noise_std: .*greater than or equal to 0"
    ):
        validate_config(
            {**BASE, "env": {"id": "Pendulum", "perturbations": {"action_noise_std": -1}}}
        )


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA GPU")
def test_cuda_without_a_gpu_is_refused(tmp_path) -> None:
    config = write_config(tmp_path / "config.yaml", **{**BASE, "device": "cuda"})
    result = run_cli("train", str(config), "--run-dir", str(tmp_path / "run"))
    assert result.returncode == 2 and "device: cuda" in result.stderr and "auto" in result.stderr
    assert not (tmp_path / "run").exists()
    auto = write_config(tmp_path / "auto.yaml", **{**BASE, "device": "auto"})
    assert run_cli("train", str(auto), "--run-dir", str(tmp_path / "a")).returncode == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"control_weight": "abc"}, "control_weight must be a finite number"),
        ({"control_weight": float("nan")}, "control_weight must be a finite number"),
        ({"frame_skip": 2.5}, "frame_skip must be an integer"),
        ({"frame_skip": True}, "frame_skip must be an integer"),
        ({"episode_seconds": [1]}, "episode_seconds must be a finite number"),
    ],
)
def test_gym_make_refuses_task_arguments_of_the_wrong_kind(kwargs: dict, message: str) -> None:
    with pytest.raises(TaskArgumentError, match=message):
        gymnasium.make("robodrl/Cheetah-v0", **kwargs)


def test_range_arguments_need_two_numbers() -> None:
    with pytest.raises(TaskArgumentError, match="target_radius must be 2 finite numbers"):
        make_core("ArmReach", 1, target_radius=(0.1, "x"))
    make_core("ArmReach", 1, target_radius=[0.2, 0.3])  # a YAML list is fine


def test_a_batch_too_big_for_memory_is_refused_at_once() -> None:
    with pytest.raises(
        TaskArgumentError,
        match=r"num_envs=1,000,000 needs about .* GiB.*use "
        r"num_envs <= [\d,]+",
    ):
        robodrl.make_vec("robodrl/Cheetah-v0", 10**6)
