"""GAIL and AIRL on a tiny budget: they train an SB3 generator on their learned reward, a
killed run resumes bit for bit (generator, normalizer and discriminator), the policy exports
with the parity gate, AIRL's reward trains a fresh policy; wrong settings name the field."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch

from robodrl.algorithms.imitation.adversarial import Transitions, demonstrated_transitions
from robodrl.algorithms.imitation.gail import GAILDiscriminator
from robodrl.datasets.storage import load_demonstrations
from robodrl.errors import ConfigError
from robodrl.export.exporter import export_run
from robodrl.resolve import validate_config
from robodrl.runs.inputs import prepare_inputs
from tests.trainers.conftest import killed_and_resumed, run_cli, write_config

GENERATOR = {"n_steps": 64, "batch_size": 128, "n_epochs": 2}


@pytest.fixture(autouse=True)
def _expert_home(expert_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROBODRL_HOME", str(expert_home))


def _sections(algorithm: str, demos: Path | None, **hp) -> dict:
    sections = {
        "env": {"id": "robodrl/Pendulum-v0", "num_envs": 4, "task": {"episode_seconds": 2.0}},
        "algorithm": {
            "name": algorithm,
            "hyperparameters": {"generator_hyperparameters": GENERATOR, "disc_updates": 4, **hp},
        },
        "total_steps": 1024,
        "eval": {"every_steps": 256, "episodes": 2},
        "checkpoint": {"every_steps": 512, "keep_last": 2},
    }
    if demos is not None:
        sections["demos"] = str(demos)
    return sections


def _final(run: Path) -> tuple[dict, dict, str]:
    folder = run / "checkpoints" / (run / "checkpoints" / "latest").read_text().strip()
    with zipfile.ZipFile(folder / "model.zip") as archive:
        policy = torch.load(io.BytesIO(archive.read("policy.pth")), weights_only=True)
    reward = torch.load(folder / "reward.pt", weights_only=True)["reward"]
    return policy, reward, (run / "logs" / "episodes.csv").read_text()


@pytest.fixture(scope="module")
def short_demos(pendulum_expert: Path, tmp_path_factory, expert_home: Path) -> Path:
    """Demonstrations of the 2-second episodes the tests train on."""
    from robodrl.datasets.recording import record_demonstrations
    from robodrl.datasets.storage import save_demonstrations
    from robodrl.runs.loading import load_policy

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ROBODRL_HOME", str(expert_home))
        expert = load_policy(pendulum_expert)
        expert.task_arguments = {"episode_seconds": 2.0}
        demos = record_demonstrations(expert, 8, seed=0)
        return save_demonstrations(demos, tmp_path_factory.mktemp("short") / "demos-v0")


@pytest.mark.parametrize(("algorithm", "hp"), [
    pytest.param("gail", {"gradient_penalty": 1.0}, marks=pytest.mark.slow),
    ("airl", {})])  # fmt: skip
def test_killed_and_resumed_equals_a_straight_run_and_exports(
    algorithm: str, hp: dict, short_demos: Path, tmp_path: Path, expert_home: Path
) -> None:
    config = write_config(tmp_path / "config.yaml", **_sections(algorithm, short_demos, **hp))
    home = {"ROBODRL_HOME": str(expert_home)}
    straight = run_cli("train", str(config), "--run-dir", str(tmp_path / "straight"), env=home)
    assert straight.returncode == 0, straight.stderr
    killed_and_resumed(config, tmp_path / "stopped", home)
    (policy_a, reward_a, log_a), (policy_b, reward_b, log_b) = (
        _final(tmp_path / "straight"),
        _final(tmp_path / "stopped"),
    )
    for name, value in policy_a.items():
        assert torch.equal(value, policy_b[name]), name
    for name, value in reward_a.items():
        assert torch.equal(value, reward_b[name]), name
    assert log_a == log_b and log_a.count("\n") > 10
    events = (tmp_path / "straight" / "logs").rglob("events.out.tfevents.*")
    assert any(b"train/discriminator_loss" in p.read_bytes() for p in events)
    out, manifest = export_run(tmp_path / "stopped", tmp_path / "export")
    assert manifest["parity"]["passed"] and manifest["algorithm"] == algorithm
    assert (out / "policy.onnx").is_file()


def test_airl_s_reward_trains_a_fresh_policy(short_demos: Path, tmp_path: Path) -> None:
    from robodrl.runs.train import train

    first, _ = train(validate_config(_sections("airl", short_demos)), tmp_path / "airl")
    reuse = _sections("airl", None, reward_run=str(first))
    reuse["seed"] = 3
    run, summary = train(validate_config(reuse), tmp_path / "reuse")
    assert summary["steps"] >= 1024
    learned = torch.load(
        next((first / "checkpoints").glob("best")) / "reward.pt", weights_only=True
    )["reward"]
    final = _final(run)[1]
    for name, value in learned.items():  # the re-used reward stays as it was learned
        assert torch.equal(value, final[name]), name


def test_gail_s_absorbing_state_prices_falling(short_demos: Path) -> None:
    """A terminating step's reward adds gamma/(1-gamma) times the absorbing state's reward."""
    expert = demonstrated_transitions(load_demonstrations(short_demos))
    model = GAILDiscriminator((3, 1), expert, [16], gamma=0.9, penalty=0.0, form="logit")
    steps = expert.sample(4)
    ended = Transitions(steps.obs, steps.actions, steps.next_obs, torch.ones(4))
    with torch.no_grad():
        flag = torch.zeros(1, 5)
        flag[0, -1] = 1.0
        absorbing = model.net(flag).item()
        difference = model.reward(ended) - model.reward(steps)
    np.testing.assert_allclose(difference.numpy(), 9.0 * absorbing, rtol=1e-5)
    model.form = "positive"  # -log(1 - D): the absorbing state's reward is softplus(logit)
    with torch.no_grad():
        difference = model.reward(ended) - model.reward(steps)
    softplus = np.log1p(np.exp(absorbing))
    np.testing.assert_allclose(difference.numpy(), 9.0 * softplus, rtol=1e-5)
    assert (model.reward(steps).detach().numpy() > 0).all()
    assert len(model.inputs(ended)) == 8  # each terminating step adds an absorbing sample


def test_airl_s_absorbing_state_prices_falling(short_demos: Path) -> None:
    from robodrl.algorithms.imitation.airl import AIRLReward

    expert = demonstrated_transitions(load_demonstrations(short_demos))
    model = AIRLReward(3, expert, [16], gamma=0.9, log_prob=lambda o, a: torch.zeros(len(o)))
    steps = expert.sample(4)
    ended = Transitions(steps.obs, steps.actions, steps.next_obs, torch.ones(4))
    with torch.no_grad():
        loop = model.absorbing_f().item()
        flag = torch.zeros(1, 4)
        flag[0, -1] = 1.0
        h_absorbing = model.h(flag).squeeze().item()
        h_next = model.h(model._live(steps.next_obs)).squeeze(-1)
        difference = model.reward(ended) - model.reward(steps)
    # s' becomes the absorbing state, and the loop's value is added
    expected = 0.9 * (h_absorbing - h_next.numpy()) + 9.0 * loop
    np.testing.assert_allclose(difference.numpy(), expected, rtol=1e-4, atol=1e-5)
    assert len(model.logits(ended)) == 8  # each termination adds an absorbing loop


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"generator": "sac"}, "hyperparameters.generator"),
        ({"generator_hyperparameters": {"n_stepz": 8}}, "generator_hyperparameters.n_stepz"),
        ({"generator_hyperparameters": {"gamma": 1.5}}, "generator_hyperparameters.gamma"),
        ({"disc_updates": 0}, "hyperparameters.disc_updates"),
        ({"gradient_penalty": -1.0}, "hyperparameters.gradient_penalty"),
    ],
)
def test_wrong_adversarial_settings_name_the_field(
    change: dict, message: str, short_demos: Path
) -> None:
    sections = _sections("gail", short_demos)
    sections["algorithm"]["hyperparameters"].update(change)
    with pytest.raises(ConfigError, match=re.escape(message)):
        validate_config(sections)


def test_airl_needs_demonstrations_or_a_reward_to_re_use(short_demos: Path) -> None:
    with pytest.raises(ConfigError, match="demos: airl learns its reward from demonstrations"):
        validate_config(_sections("airl", None))
    with pytest.raises(ConfigError, match="reward_run: /nowhere is not a run directory"):
        validate_config(_sections("airl", None, reward_run="/nowhere"))
    with pytest.raises(ConfigError, match="leave demos out"):
        validate_config(_sections("airl", short_demos, reward_run=str(short_demos)))
    with pytest.raises(ConfigError, match="demos: gail learns from demonstrations"):
        validate_config(_sections("gail", None))


def test_a_reward_run_that_is_not_airl_is_refused(short_demos: Path, tmp_path: Path) -> None:
    from robodrl.runs.train import train

    sections = _sections("gail", short_demos)
    sections["total_steps"] = 256
    gail, _ = train(validate_config(sections), tmp_path / "gail")
    config = validate_config(_sections("airl", None, reward_run=str(gail)))
    with pytest.raises(ConfigError, match="is not an airl run"):
        prepare_inputs(config)
    assert json.loads((gail / "summary.json").read_text())["algorithm"] == "gail"
