"""Exact resume with every shipped recipe's settings (gSDE included) and every algorithm."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
import torch
import yaml

from robodrl.lookup import RECIPES, recipe_names
from tests.conftest import TINY_HYPERPARAMETERS
from tests.trainers.conftest import killed_and_resumed, network_tensors, run_cli, write_config

ON_POLICY = {"n_steps": 32, "batch_size": 64, "n_epochs": 2}
OFF_POLICY = {"learning_starts": 100, "batch_size": 32, "buffer_size": 5000}


def _final(run: Path) -> tuple[dict, dict, str]:
    """The latest checkpoint's parameters (SB3's model.zip or robodrl's model.pt), normalizer
    and the episode log."""
    checkpoint = run / "checkpoints" / (run / "checkpoints" / "latest").read_text().strip()
    folder = checkpoint / "protagonist"  # rarl: one folder per player
    folder = folder if folder.is_dir() else checkpoint
    if (folder / "model.zip").is_file():
        with zipfile.ZipFile(folder / "model.zip") as archive:
            params = torch.load(io.BytesIO(archive.read("policy.pth")), weights_only=True)
    else:
        params = network_tensors(torch.load(folder / "model.pt", weights_only=True))
    normalizer = json.loads((checkpoint / "normalizer.json").read_text())
    return params, normalizer, (run / "logs" / "episodes.csv").read_text()


def _shrunk(hp: dict) -> dict:
    """Hyperparameters with the sizes a test affords (rarl's players' too)."""
    hp = {k: _shrunk(v) if k in ("protagonist", "adversary") else v for k, v in hp.items()}
    if "hyperparameters" in hp:
        hp["hyperparameters"] = _shrunk(hp["hyperparameters"])
    hp.update({k: v for k, v in {**ON_POLICY, **OFF_POLICY}.items() if k in hp})
    return hp


def _small(config: dict) -> dict:
    """A recipe at a test's budget: its algorithm settings kept, its sizes shrunk."""
    hp = _shrunk(config["algorithm"].get("hyperparameters", {}))
    return {
        **config,
        "env": {**config["env"], "num_envs": 4},
        "algorithm": {**config["algorithm"], "hyperparameters": hp},
        "total_steps": 1024,
        "eval": {"every_steps": 256, "episodes": 2},
        "checkpoint": {"every_steps": 512, "keep_last": 2},
    }


CASES = {
    f"recipe:{name}": _small(yaml.safe_load((RECIPES / f"{name}.yaml").read_text()))
    for name in recipe_names()
}
for _name in ("a2c", "trpo", "td3", "ddpg"):
    CASES[_name] = {
        "env": {"id": "Pendulum", "num_envs": 4},
        "algorithm": {"name": _name, "hyperparameters": TINY_HYPERPARAMETERS[_name]},
        "total_steps": 1024,
        "eval": {"every_steps": 256, "episodes": 2},
        "checkpoint": {"every_steps": 512, "keep_last": 2},
    }
CASES["sac-gsde"] = {
    **CASES["td3"],
    "algorithm": {"name": "sac", "hyperparameters": {**OFF_POLICY, "use_sde": True}},
}


def test_the_recipes_include_gsde() -> None:
    assert CASES["recipe:pendulum_ppo"]["algorithm"]["hyperparameters"]["use_sde"] is True


#: the default suite keeps on-policy SB3 with gSDE and off-policy SAC with gSDE; every other
#: recipe and algorithm runs in `make test-slow` (the algorithms' own tests resume them too)
DEFAULT_CASES = ("recipe:pendulum_ppo", "sac-gsde")


@pytest.mark.parametrize(
    "case",
    [c if c in DEFAULT_CASES else pytest.param(c, marks=pytest.mark.slow) for c in sorted(CASES)],
)
def test_killed_and_resumed_run_equals_straight_run(case: str, tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.yaml", **CASES[case])
    straight, stopped = tmp_path / "straight", tmp_path / "stopped"
    result = run_cli("train", str(config), "--run-dir", str(straight))
    assert result.returncode == 0, result.stderr
    killed_and_resumed(config, stopped)
    params_a, norm_a, episodes_a = _final(straight)
    params_b, norm_b, episodes_b = _final(stopped)
    for key in params_a:
        assert torch.equal(params_a[key], params_b[key]), key
    assert norm_a == norm_b and episodes_a == episodes_b
    evaluations = [(run / "logs" / "evaluations.jsonl").read_text() for run in (straight, stopped)]
    assert evaluations[0] == evaluations[1]
