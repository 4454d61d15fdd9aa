"""Datasets robodrl is handed: it reads them itself, never builds an env from their spec, never
follows their data outside the file, and needs --trust for one it did not record and sign."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import h5py
import numpy as np
import pytest

from robodrl.datasets import DatasetError, load_demonstrations, save_demonstrations
from robodrl.datasets.recording import record_demonstrations
from robodrl.runs.loading import load_policy
from tests.trainers.conftest import run_cli, write_config


@pytest.fixture(scope="module")
def dataset(ppo_run: Path, tmp_path_factory: pytest.TempPathFactory, signing_home_session):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ROBODRL_HOME", str(signing_home_session))
        demos = record_demonstrations(load_policy(ppo_run), 2, seed=3)
        return save_demonstrations(demos, tmp_path_factory.mktemp("demos") / "pendulum-v0")


def _copy(dataset: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(dataset, tmp_path / "copy"))


def _evil_spec(dataset: Path, marker: Path) -> None:
    """Metadata without an observation space, whose env spec runs a shell command."""
    from gymnasium.envs.registration import EnvSpec

    path = dataset / "data" / "metadata.json"
    metadata = json.loads(path.read_text())
    metadata.pop("observation_space")
    spec = EnvSpec(id="Evil-v0", entry_point="os:system", kwargs={"command": f"touch {marker}"})
    metadata["env_spec"] = spec.to_json()
    path.write_text(json.dumps(metadata))


def test_a_dataset_s_env_spec_never_runs(dataset: Path, tmp_path: Path) -> None:
    import minari

    marker = tmp_path / "marker"
    crafted = _copy(dataset, tmp_path)
    _evil_spec(crafted, marker)
    with pytest.raises(TypeError):  # the attack is real: Minari's own reader runs the command
        minari.MinariDataset(crafted / "data")
    assert marker.exists()
    marker.unlink()

    refused = run_cli("demos", "info", str(crafted))
    assert refused.returncode == 2 and "changed since it was signed" in refused.stderr
    assert "--trust" in refused.stderr and "Traceback" not in refused.stderr
    trusted = run_cli("demos", "info", str(crafted), "--trust")
    assert trusted.returncode == 0, trusted.stderr
    assert "2 episodes, 400 steps" in trusted.stdout
    config = write_config(
        tmp_path / "bc.yaml",
        env={"id": "robodrl/Pendulum-v0", "num_envs": 2},
        algorithm={"name": "bc"},
        demos=str(crafted),
        total_steps=400,
        eval={"every_steps": 400, "episodes": 1},
    )
    untrusted = run_cli("train", str(config), "--run-dir", str(tmp_path / "bc"))
    assert untrusted.returncode == 2 and "demos_trust: true" in untrusted.stderr
    assert not (tmp_path / "bc").exists()
    train = run_cli("train", str(config), "--run-dir", str(tmp_path / "bc"), "--trust")
    assert train.returncode == 0, train.stderr
    assert not marker.exists()


def test_an_unsigned_dataset_needs_trust(dataset: Path, tmp_path: Path) -> None:
    unsigned = _copy(dataset, tmp_path)
    (unsigned / "manifest.json").unlink()
    with pytest.raises(DatasetError, match=r"no manifest\.json, so it cannot be verified"):
        load_demonstrations(unsigned)
    assert load_demonstrations(unsigned, trust=True).num_steps == 400
    assert load_demonstrations(dataset).num_steps == 400  # signed here: no trust needed


def _replace(handle: h5py.File, name: str, make) -> None:
    del handle[name]
    make(name)


@pytest.mark.parametrize("kind", ["external link", "soft link", "external storage", "virtual"])
def test_data_outside_the_file_is_refused(dataset: Path, tmp_path: Path, kind: str) -> None:
    crafted = _copy(dataset, tmp_path)
    outside = tmp_path / "elsewhere.h5"
    actions = np.zeros((200, 1), np.float32)
    with h5py.File(outside, "w") as other:
        other["actions"] = actions
    raw = tmp_path / "actions.raw"
    actions.tofile(raw)
    name = "episode_0/actions"
    with h5py.File(crafted / "data" / "main_data.hdf5", "r+") as handle:
        if kind == "external link":
            _replace(
                handle, name, lambda n: handle.__setitem__(n, h5py.ExternalLink(outside, "actions"))
            )
        elif kind == "soft link":
            _replace(
                handle, name, lambda n: handle.__setitem__(n, h5py.SoftLink("/episode_1/actions"))
            )
        elif kind == "external storage":
            _replace(handle, name, lambda n: handle.create_dataset(
                n, (200, 1), np.float32, external=[(str(raw), 0, actions.nbytes)]))  # fmt: skip
        else:
            layout = h5py.VirtualLayout((200, 1), np.float32)
            layout[:] = h5py.VirtualSource(str(outside), "actions", shape=(200, 1))
            _replace(handle, name, lambda n: handle.create_virtual_dataset(n, layout))
    with pytest.raises(DatasetError, match="reads a dataset's data only from its own file"):
        load_demonstrations(crafted, trust=True)


def test_the_digest_covers_the_metadata(dataset: Path, tmp_path: Path) -> None:
    copy = _copy(dataset, tmp_path)
    before = load_demonstrations(copy).digest
    path = copy / "data" / "metadata.json"
    metadata = json.loads(path.read_text())
    metadata["robodrl"]["task_arguments"] = {}  # unchanged meaning, changed bytes
    path.write_text(json.dumps(metadata, indent=2))
    assert load_demonstrations(copy, trust=True).digest != before


def test_demos_of_other_task_arguments_are_refused(dataset: Path, tmp_path: Path) -> None:
    from robodrl.resolve import validate_config
    from robodrl.runs.train import train

    config = validate_config(
        {
            "env": {"id": "robodrl/Pendulum-v0", "num_envs": 2, "task": {"frame_skip": 4}},
            "algorithm": {"name": "bc"},
            "demos": str(dataset),
            "total_steps": 400,
        }
    )
    with pytest.raises(DatasetError, match=r"recorded with task arguments \{\}.*frame_skip"):
        train(config, tmp_path / "run")
    assert not (tmp_path / "run").exists()
