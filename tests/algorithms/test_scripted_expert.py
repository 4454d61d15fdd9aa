"""``expert: scripted``: dagger asks the task's own scripted controller for labels. A tiny real
run on the Franka-class arm's push stores exactly the script's actions for the states it
visited, exports through the parity gate, and resumes; configs that cannot have a script are
refused naming the field."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import torch

from robodrl.errors import ConfigError
from robodrl.export.exporter import export_run
from robodrl.make import make_core
from robodrl.resolve import validate_config
from robodrl.runs.train import train
from tests.trainers.conftest import run_cli, write_config

PUSH = {"id": "robodrl/ManipulatorPush-v0", "task": {"robot": "franka_class"}, "num_envs": 4}


def _config(**changes) -> dict:
    return {
        "env": PUSH,
        "algorithm": {
            "name": "dagger",
            "hyperparameters": {"n_steps": 10, "updates_per_round": 5, "beta_decay": 0.5},
        },
        "expert": "scripted",
        "policy": {"net_arch": [32, 32]},
        "total_steps": 80,
        "eval": {"every_steps": 100_000, "episodes": 1},
        "checkpoint": {"every_steps": 40},
        **changes,
    }


def test_dagger_labels_the_visited_states_with_the_scripted_pusher(tmp_path: Path) -> None:
    run = tmp_path / "run"
    train(validate_config(_config()), run)
    latest = run / "checkpoints" / (run / "checkpoints" / "latest").read_text().strip()
    dataset = torch.load(latest / "dataset.pt", weights_only=True)
    states, labels = dataset["states"].numpy(), dataset["labels"].numpy()
    assert len(states) == len(labels) == 80  # 2 rounds x 10 steps x 4 simulations
    core = make_core(PUSH["id"], 4, robot="franka_class")
    script = core.task.scripted_expert(core.obs_layout)
    assert np.allclose(labels, np.clip(script.act(states), -1, 1), atol=1e-6)
    assert (labels[:, -1] == -script.open).all()  # the pusher keeps its fingers closed
    _, manifest = export_run(run, tmp_path / "export")
    assert manifest["parity"]["passed"] and manifest["closed_loop"]["passed"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"env": {"id": "robodrl/Pendulum-v0"}}, "expert: scripted: robodrl/Pendulum-v0 has no"),
        ({"env": {"id": "robodrl/ManipulatorReach-v0"}}, "ManipulatorReach-v0 has no scripted"),
        ({"algorithm": {"name": "ppo"}}, "expert: only dagger ask"),
    ],
)
def test_a_task_without_a_script_is_refused(change: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        validate_config(_config(**change))


def test_a_script_for_another_action_mode_is_refused_naming_it(tmp_path: Path) -> None:
    env = {**PUSH, "task": {"robot": "franka_class", "action": "joint"}}
    config = write_config(tmp_path / "c.yaml", **_config(env=env))
    result = run_cli("train", str(config), "--run-dir", str(tmp_path / "run"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "expert: scripted: the scripted push needs action=end_effector" in result.stderr
    assert "action=joint" in result.stderr
    assert not (tmp_path / "run").exists() or not any((tmp_path / "run").iterdir())


def test_a_path_named_scripted_is_a_path(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match=re.escape(f"expert: {tmp_path / 'scripted'} does not")):
        validate_config(_config(expert="./scripted"))


def test_an_entry_that_never_varied_keeps_its_raw_scale() -> None:
    """A goal always on the table (its height never varies in the data): divided by a spread of
    almost nothing, 5 mm of sensor noise on it would reach the network as a saturated input; it
    keeps variance 1, while the entries that varied are scaled by their spread."""
    from robodrl.algorithms.imitation.supervised import observation_statistics
    from robodrl.policy import normalize

    rng = np.random.default_rng(0)
    data = np.column_stack([rng.normal(0.3, 0.1, 1000), np.full(1000, 0.02)])
    stats = observation_statistics(data, validate_config(_config()))
    assert stats["var"][1] == 1.0 and abs(stats["var"][0] - 0.01) < 0.002
    noisy = normalize(np.array([[0.3, 0.025]]), stats)  # the goal's height 5 mm off
    assert abs(noisy[0, 1]) < 0.01 and abs(noisy[0, 0]) < 0.1
