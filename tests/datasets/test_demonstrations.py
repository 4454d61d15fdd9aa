"""Demonstrations: recorded on the batched core, stored as real Minari datasets, read back
exactly; every wrong dataset gets an error naming what is wrong, and nothing a user had is lost."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import h5py
import minari
import numpy as np
import pytest

from robodrl.datasets import DatasetError, Demonstrations, load_demonstrations
from robodrl.datasets.recording import record_demonstrations
from robodrl.datasets.storage import save_demonstrations
from robodrl.files.atomic import OutputError
from robodrl.runs.loading import load_policy
from tests.trainers.conftest import run_cli


@pytest.fixture(autouse=True)
def _expert_home(expert_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROBODRL_HOME", str(expert_home))


@pytest.fixture(scope="module")
def randomized(pendulum_expert: Path, expert_home: Path) -> Demonstrations:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ROBODRL_HOME", str(expert_home))
        policy = load_policy(pendulum_expert)
    return record_demonstrations(policy, 3, seed=7, randomization="dr-default", source="x")


def test_a_dataset_round_trips_exactly(randomized: Demonstrations, tmp_path: Path) -> None:
    loaded = load_demonstrations(save_demonstrations(randomized, tmp_path / "demos-v0"))
    assert len(loaded.episodes) == 3 and loaded.num_steps == randomized.num_steps
    for a, b in zip(randomized.episodes, loaded.episodes, strict=True):
        for name in ("observations", "actions", "rewards", "terminations", "truncations"):
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
        assert a.seed == b.seed
        assert a.randomization.keys() == b.randomization.keys() and a.randomization
        for label, value in a.randomization.items():
            np.testing.assert_array_equal(value, b.randomization[label], err_msg=label)
    for name in ("env_id", "task_arguments", "obs_dim", "act_dim", "source", "settings"):
        assert getattr(loaded, name) == getattr(randomized, name), name
    assert loaded.reference == randomized.reference
    assert [e.seed for e in loaded.episodes] == [7, 8, 9]
    assert loaded.settings["randomization"]["params"][0]["name"] == "pole_mass"  # the preset
    # each episode ran its own randomized model
    assert len({float(e.randomization["pole_mass"].ravel()[0]) for e in loaded.episodes}) == 3


def test_minari_reads_the_dataset_as_its_own(pendulum_demos: Path) -> None:
    dataset = minari.MinariDataset(pendulum_demos / "data")
    assert dataset.total_episodes == 10 and dataset.total_steps == 2000
    episode = next(dataset.iterate_episodes())
    assert episode.observations.shape == (201, 3) and episode.actions.shape == (200, 1)
    env = dataset.recover_environment()
    assert env.observation_space.shape == (3,)
    demos = load_demonstrations(pendulum_demos)
    expected = demos.reference["demonstrator_return"]
    assert minari.get_normalized_score(dataset, np.array([expected]))[0] == pytest.approx(1.0)


def test_recording_is_seeded_per_episode(pendulum_expert: Path) -> None:
    policy = load_policy(pendulum_expert)
    all_four = record_demonstrations(policy, 4, seed=20)
    last_two = record_demonstrations(policy, 2, seed=22)
    for a, b in zip(all_four.episodes[2:], last_two.episodes, strict=True):
        np.testing.assert_array_equal(a.observations, b.observations)
        np.testing.assert_array_equal(a.actions, b.actions)
    # the expert swings up, random torques do not: the normalized score's two ends
    assert all_four.reference["demonstrator_return"] > all_four.reference["random_return"] + 500


def test_the_commands_record_and_summarize(pendulum_expert: Path, tmp_path: Path) -> None:
    out = tmp_path / "demos-v0"
    home = {"ROBODRL_HOME": str(pendulum_expert.parent.parent / "unused")}
    unsigned = run_cli("demos", "record", str(pendulum_expert), "--episodes", "2",
                       "--out", str(out), env=home)  # fmt: skip
    assert unsigned.returncode == 2 and "trust" in unsigned.stderr and not out.exists()
    recorded = run_cli("demos", "record", str(pendulum_expert), "--episodes", "2", "--out",
                       str(out), "--trust")  # fmt: skip
    assert recorded.returncode == 0, recorded.stderr
    nowhere = run_cli("demos", "info", str(tmp_path / "nowhere"))
    assert nowhere.returncode == 2 and "no such dataset" in nowhere.stderr
    assert "Traceback" not in nowhere.stderr
    bad = run_cli("demos", "record", str(pendulum_expert), "--episodes", "0", "--out",
                  str(tmp_path / "zero"), "--trust")  # fmt: skip
    assert bad.returncode == 2 and "--episodes must be >= 1" in bad.stderr
    info = run_cli("demos", "info", str(out))
    assert info.returncode == 0, info.stderr
    assert "2 episodes, 400 steps of robodrl/Pendulum-v0" in info.stdout
    assert "random actions" in info.stdout
    again = run_cli("demos", "record", str(pendulum_expert), "--episodes", "3", "--out",
                    str(out), "--trust")  # fmt: skip
    assert again.returncode == 2 and "--overwrite" in again.stderr
    assert load_demonstrations(out).num_steps == 400
    replaced = run_cli("demos", "record", str(pendulum_expert), "--episodes", "3", "--out",
                       str(out), "--trust", "--overwrite")  # fmt: skip
    assert replaced.returncode == 0, replaced.stderr
    assert load_demonstrations(out).num_steps == 600


def test_overwrite_never_replaces_a_folder_of_the_user_s(
    pendulum_demos: Path, tmp_path: Path
) -> None:
    mine = tmp_path / "mine-v0"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    demos = load_demonstrations(pendulum_demos)
    with pytest.raises(OutputError, match="did not write"):
        save_demonstrations(demos, mine, overwrite=True)
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]
    own = save_demonstrations(demos, tmp_path / "own-v0")
    (own / "notes.txt").write_text("mine too")
    with pytest.raises(OutputError, match=r"notes\.txt"):
        save_demonstrations(demos, own, overwrite=True)
    assert (own / "notes.txt").read_text() == "mine too"


def test_an_interrupted_write_leaves_the_previous_dataset(
    pendulum_demos: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from minari.dataset.minari_storage import MinariStorage

    out = save_demonstrations(load_demonstrations(pendulum_demos), tmp_path / "demos-v0")
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    smaller = load_demonstrations(pendulum_demos)
    smaller.episodes = smaller.episodes[:2]

    def interrupted(self, metadata):
        raise KeyboardInterrupt

    monkeypatch.setattr(MinariStorage, "update_metadata", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_demonstrations(smaller, out, overwrite=True)
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in tmp_path.iterdir()] == ["demos-v0"]  # no staging folder left


# -- wrong datasets -------------------------------------------------------------------------------
def test_missing_and_foreign_folders_are_named(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="no such dataset"):
        load_demonstrations(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DatasetError, match=r"not a Minari dataset folder \(no data/metadata"):
        load_demonstrations(tmp_path / "empty")


def _copy(pendulum_demos: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(pendulum_demos, tmp_path / "copy"))


def test_a_truncated_data_file_is_refused(pendulum_demos: Path, tmp_path: Path) -> None:
    copy = _copy(pendulum_demos, tmp_path)
    data = copy / "data" / "main_data.hdf5"
    data.write_bytes(data.read_bytes()[: data.stat().st_size // 2])
    with pytest.raises(DatasetError, match="changed since it was signed"):
        load_demonstrations(copy)
    with pytest.raises(DatasetError, match="truncated or corrupt"):
        load_demonstrations(copy, trust=True)


def test_corrupt_metadata_is_refused(pendulum_demos: Path, tmp_path: Path) -> None:
    copy = _copy(pendulum_demos, tmp_path)
    (copy / "data" / "metadata.json").write_text('{"total_episodes": 10, ')
    with pytest.raises(DatasetError, match=r"metadata.json: unreadable"):
        load_demonstrations(copy, trust=True)
    (copy / "data" / "metadata.json").write_text(json.dumps({"total_episodes": 10}))
    with pytest.raises(DatasetError, match="without robodrl's section"):
        load_demonstrations(copy, trust=True)


def test_an_empty_dataset_is_refused(pendulum_demos: Path, tmp_path: Path) -> None:
    copy = _copy(pendulum_demos, tmp_path)
    metadata = json.loads((copy / "data" / "metadata.json").read_text())
    (copy / "data" / "metadata.json").write_text(json.dumps({**metadata, "total_episodes": 0}))
    with pytest.raises(DatasetError, match="holds no episodes"):
        load_demonstrations(copy, trust=True)
    demos = load_demonstrations(pendulum_demos)
    demos.episodes = []
    with pytest.raises(DatasetError, match="holds no episodes"):
        save_demonstrations(demos, tmp_path / "out-v0")
    assert not (tmp_path / "out-v0").exists()


def test_nan_in_demonstrations_is_named(pendulum_demos: Path, tmp_path: Path) -> None:
    copy = _copy(pendulum_demos, tmp_path)
    with h5py.File(copy / "data" / "main_data.hdf5", "r+") as handle:
        handle["episode_3/actions"][17, 0] = np.nan
    with pytest.raises(DatasetError, match=r"episode 3 actions\[17, 0\] is nan"):
        load_demonstrations(copy, trust=True)
    demos = load_demonstrations(pendulum_demos)
    demos.episodes[1].observations[5, 2] = np.inf
    with pytest.raises(DatasetError, match=r"episode 1 observations\[5, 2\] is inf"):
        save_demonstrations(demos, tmp_path / "out-v0")
    assert not (tmp_path / "out-v0").exists()


def test_a_dataset_of_another_task_is_named(pendulum_demos: Path) -> None:
    demos = load_demonstrations(pendulum_demos)
    with pytest.raises(DatasetError, match="recorded on robodrl/Pendulum-v0, not robodrl/Hopper"):
        demos.check_fits("robodrl/Hopper-v0", 11, 3)
    with pytest.raises(DatasetError, match=r"have 3 observations and 1 actions .* has 4 and 1"):
        demos.check_fits("robodrl/Pendulum-v0", 4, 1)
