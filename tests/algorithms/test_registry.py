"""The algorithm registry: names resolve through it, unknown names and hyperparameters are
refused with the valid ones listed, for SB3 entries and robodrl's own alike."""

from __future__ import annotations

import pytest

from robodrl.algorithms.registry import ENTRIES, algorithm_names, get_algorithm
from robodrl.errors import ConfigError
from robodrl.resolve import validate_config

BASE = {"env": {"id": "Pendulum", "num_envs": 2}, "total_steps": 64}


def test_every_entry_declares_itself() -> None:
    assert algorithm_names() == list(ENTRIES)
    assert {"ppo", "a2c", "trpo", "sac", "td3", "ddpg", "vpg"} <= set(algorithm_names())
    for name in algorithm_names():
        entry = get_algorithm(name)
        assert entry.name == name and entry.description
        kinds = entry.capabilities
        assert kinds.on_policy != kinds.off_policy
        assert entry.hyperparameter_names() == sorted(entry.hyperparameter_names())
    assert get_algorithm("vpg").capabilities.on_policy
    assert get_algorithm("sac").capabilities.off_policy


def test_unknown_algorithm_lists_the_registered_ones() -> None:
    with pytest.raises(
        ConfigError,
        match=r"algorithm\.name: unknown algorithm 'vgp' \(did you "
        r"mean 'vpg'\?\); registered algorithms: ppo, a2c, trpo, sac, td3, ddpg, "
        r"vpg",
    ):
        validate_config({**BASE, "algorithm": {"name": "vgp"}})


@pytest.mark.parametrize("name", ["ppo", "sac", "vpg"])
def test_unknown_hyperparameter_names_it_and_lists_the_valid(name: str) -> None:
    with pytest.raises(ConfigError) as err:
        validate_config({**BASE, "algorithm": {"name": name, "hyperparameters": {"lr": 0.1}}})
    message = str(err.value)
    assert f"algorithm.hyperparameters.lr: {name} takes no such hyperparameter" in message
    assert "learning_rate" in message and "valid: " in message


def test_vpg_hyperparameters_are_checked_strictly() -> None:
    for hp, field in [
        ({"n_steps": 0}, "n_steps"),
        ({"gamma": 1.5}, "gamma"),
        ({"learning_rate": "fast"}, "learning_rate"),
        ({"normalize_advantages": 1}, "normalize_advantages"),
    ]:
        with pytest.raises(ConfigError, match=rf"algorithm\.hyperparameters\.{field}: "):
            validate_config({**BASE, "algorithm": {"name": "vpg", "hyperparameters": hp}})
    config = validate_config(
        {**BASE, "algorithm": {"name": "vpg", "hyperparameters": {"n_steps": 8}},
         "policy": {"log_std_init": -0.5}}
    )  # fmt: skip
    assert config.algorithm.name == "vpg"
    with pytest.raises(ConfigError, match=r"policy\.log_std_init: .*ppo, a2c, trpo, vpg"):
        validate_config({**BASE, "algorithm": {"name": "sac"}, "policy": {"log_std_init": -1.0}})


@pytest.mark.parametrize(
    ("name", "hyperparameters"),
    [("ppo", {"n_steps": 32, "batch_size": 64}), ("sac", {"learning_starts": 16})],
)
def test_an_sb3_learner_without_a_log_folder_writes_nothing_elsewhere(
    name: str, hyperparameters: dict, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Left alone, SB3 makes a /tmp/SB3-<time> folder on every learn() call."""
    import tempfile

    from tests.conftest import RecordingHooks

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    algorithm = {"name": name, "hyperparameters": hyperparameters}
    learner = get_algorithm(name).build(validate_config({**BASE, "algorithm": algorithm}))
    learner.learn(64, RecordingHooks())
    learner.learn(128, RecordingHooks())
    assert learner.num_timesteps == 128
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("SB3")] == []
