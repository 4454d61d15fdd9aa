"""Checkpoints this account did not sign, or that changed, are never unpickled."""

from __future__ import annotations

import json
import pickle
import stat
from pathlib import Path

import pytest

from robodrl.files.signing import manifest_for, signing_key
from tests.trainers.conftest import run_cli, write_config


class _Payload:
    """A pickle that creates a canary file when loaded."""

    def __init__(self, canary: Path) -> None:
        self.canary = canary

    def __reduce__(self):
        return (Path.touch, (self.canary,))


@pytest.fixture(scope="module")
def trained_sac_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small SAC run (it has a pickled replay buffer) and its own signing home."""
    root = tmp_path_factory.mktemp("sac")
    home = root / "home"
    config = write_config(
        root / "config.yaml",
        env={"id": "Pendulum", "num_envs": 2},
        algorithm={"name": "sac", "hyperparameters": {"learning_starts": 32, "batch_size": 16}},
        total_steps=128,
        eval={"every_steps": 1000, "episodes": 1},
        checkpoint={"every_steps": 64},
    )
    run = root / "run"
    result = run_cli("train", str(config), "--run-dir", str(run), env={"ROBODRL_HOME": str(home)})
    assert result.returncode == 0, result.stderr
    return run, home


def _copy(run: Path, tmp_path: Path) -> tuple[Path, Path]:
    import shutil

    target = tmp_path / "run"
    shutil.copytree(run, target)
    latest = target / "checkpoints" / (target / "checkpoints" / "latest").read_text().strip()
    return target, latest


def test_key_is_private(signing_home: Path) -> None:
    signing_key()
    mode = stat.S_IMODE((signing_home / "signing.key").stat().st_mode)
    assert mode == 0o600


def test_tampered_checkpoint_is_refused(trained_sac_run, tmp_path: Path) -> None:
    run, home = trained_sac_run
    copy, latest = _copy(run, tmp_path)
    state = json.loads((latest / "state.json").read_text())
    state["num_timesteps"] += 1
    (latest / "state.json").write_text(json.dumps(state))
    result = run_cli("train", "--resume", str(copy), env={"ROBODRL_HOME": str(home)})
    assert result.returncode == 2
    assert "state.json changed since it was signed" in result.stderr and "--trust" in result.stderr


@pytest.mark.parametrize("resign", [False, True])
def test_planted_malicious_pickle_never_runs(
    trained_sac_run, tmp_path: Path, resign: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    run, home = trained_sac_run
    copy, latest = _copy(run, tmp_path)
    canary = tmp_path / "canary"
    (latest / "replay_buffer.pkl").write_bytes(pickle.dumps(_Payload(canary)))
    if resign:  # the attacker rewrites the manifest, signing with their own key
        monkeypatch.setenv("ROBODRL_HOME", str(tmp_path / "attacker"))
        (latest / "manifest.json").write_text(json.dumps(manifest_for(latest)))
    result = run_cli("train", "--resume", str(copy), env={"ROBODRL_HOME": str(home)})
    assert result.returncode == 2
    expected = "signature does not verify" if resign else "replay_buffer.pkl changed"
    assert expected in result.stderr
    assert not canary.exists()


def test_run_from_another_account_is_refused(trained_sac_run, tmp_path: Path) -> None:
    run, _ = trained_sac_run
    copy, _ = _copy(run, tmp_path)
    other = {"ROBODRL_HOME": str(tmp_path / "someone-else")}
    result = run_cli("train", "--resume", str(copy), env=other)
    assert result.returncode == 2
    assert "another account" in result.stderr


def test_unlisted_file_is_refused(trained_sac_run, tmp_path: Path) -> None:
    run, home = trained_sac_run
    copy, latest = _copy(run, tmp_path)
    (latest / "extra.pkl").write_bytes(b"x")
    result = run_cli("train", "--resume", str(copy), env={"ROBODRL_HOME": str(home)})
    assert result.returncode == 2 and "not in the signed manifest: ['extra.pkl']" in result.stderr
