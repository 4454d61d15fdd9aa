"""Demonstrations on disk as Minari datasets (HDF5 storage).

A dataset folder ``DATASET`` holds Minari's own layout, ``DATASET/data/metadata.json`` and
``DATASET/data/main_data.hdf5``, so Minari reads it as it is
(``minari.MinariDataset("DATASET/data")``, or ``minari.load_dataset(name)`` with
``MINARI_DATASETS_PATH`` set to the parent folder), plus ``DATASET/robodrl.json``, robodrl's
record of the files it wrote. robodrl's own facts go where Minari keeps extra facts: the
dataset metadata holds a ``robodrl`` section (env id, task arguments, sizes, the recorded
policy, the recording settings, the reference returns) and Minari's ``ref_max_score`` /
``ref_min_score``; each episode's metadata holds its seed and its randomized values
(``randomization.<label>``). The whole folder is written beside its place and renamed into it.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import numpy as np

from robodrl.datasets.demonstrations import DatasetError, Demonstrations
from robodrl.datasets.hdf5_reader import PREFIX, read_episodes
from robodrl.files.atomic import OutputError, disk_full, free_bytes, output_folder, refuse_link
from robodrl.files.signing import SEAL, UntrustedRunError, tree_digest, verified_copy

INDEX = "robodrl.json"
#: Minari's dataset ids: ``<name>-v<version>`` (the folder name is the id)
DATASET_NAME = r"[\w.:-]+-v\d+"
KIND = "demos"


def _spaces(obs_dim: int, act_dim: int):
    import gymnasium as gym

    observation = gym.spaces.Box(-np.inf, np.inf, (obs_dim,), np.float32)
    return observation, gym.spaces.Box(-1.0, 1.0, (act_dim,), np.float32)


def _env_spec(demos: Demonstrations):
    """The Gymnasium spec of the task as recorded: its task arguments, randomization and
    perturbations (so ``dataset.recover_environment()`` gives the recorded env)."""
    import gymnasium as gym

    spec = gym.spec(demos.env_id)
    robustness = {
        key: demos.settings[key]
        for key in ("randomization", "perturbations")
        if demos.settings.get(key) is not None
    }
    kwargs = {**spec.kwargs, **demos.task_arguments, **robustness}
    return dataclasses.replace(spec, kwargs=kwargs)


def check_dataset_out(out: Path, *, overwrite: bool) -> None:
    """Refuse a link, a file, a name Minari cannot list, or a folder already holding files
    unless ``overwrite``."""
    refuse_link(out)
    if not re.fullmatch(DATASET_NAME, out.absolute().name):
        raise OutputError(
            f"{out}: a Minari dataset folder is named <name>-v<version> (Minari lists datasets "
            f"by folder name, and MINARI_DATASETS_PATH may point at its parent); give "
            f"{out.with_name(_suggested_name(out.absolute().name))}"
        )
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} is a file; give a folder for the dataset")
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise OutputError(
            f"{out} already holds files; robodrl keeps them: give a new folder, or pass "
            "--overwrite to replace a dataset robodrl recorded there"
        )


def _suggested_name(name: str) -> str:
    return (re.sub(r"[^\w.:-]+", "-", name).strip("-") or "demos") + "-v0"


def save_demonstrations(demos: Demonstrations, out: str | Path, *, overwrite: bool = False) -> Path:
    """Write ``demos`` as a Minari dataset folder ``out``; an existing dataset is kept unless
    ``overwrite`` (and even then only a folder robodrl wrote as a dataset is replaced)."""
    from minari.data_collector.episode_buffer import EpisodeBuffer
    from minari.dataset.minari_storage import MinariStorage

    demos.check(out)
    out = Path(out)
    check_dataset_out(out, overwrite=overwrite)
    needed = dataset_bytes(demos.num_steps, len(demos.episodes), demos.obs_dim, demos.act_dim)
    if needed > free_bytes(out):  # HDF5 crashes on a disk that fills while it writes
        raise disk_full(out, needed=needed, exact=True)
    observation_space, action_space = _spaces(demos.obs_dim, demos.act_dim)
    with output_folder(out, kind=KIND, index=INDEX, seal=SEAL) as tmp:
        storage = MinariStorage.new(
            (tmp / "data").absolute(),  # Minari's size count doubles a relative path
            observation_space=observation_space,
            action_space=action_space,
            env_spec=_env_spec(demos),
            data_format="hdf5",
        )
        storage.update_episodes(
            EpisodeBuffer(
                id=i,
                seed=e.seed,
                observations=e.observations.astype(np.float32),
                actions=e.actions.astype(np.float32),
                rewards=e.rewards.astype(np.float64),
                terminations=e.terminations.astype(bool),
                truncations=e.truncations.astype(bool),
                infos={},
            )
            for i, e in enumerate(demos.episodes)
        )
        storage.update_episode_metadata(
            {"seed": e.seed, **{PREFIX + k: np.asarray(v) for k, v in e.randomization.items()}}
            for e in demos.episodes
        )
        storage.update_metadata(_metadata(demos, out))
        (tmp / INDEX).write_text(json.dumps({"dataset": "data"}) + "\n")
    return out


def dataset_bytes(steps: int, episodes: int, obs_dim: int, act_dim: int) -> int:
    """Bytes a dataset of this size takes on disk, with room to spare (HDF5's chunks take about
    four times the raw arrays for short episodes)."""
    raw = steps * (4 * (obs_dim + act_dim) + 8 + 2) + episodes * 4 * obs_dim
    return 5 * raw + (64 << 10)


def _metadata(demos: Demonstrations, out: Path) -> dict[str, Any]:
    import minari

    metadata: dict[str, Any] = {
        "dataset_id": out.absolute().name,
        "algorithm_name": demos.source or "robodrl",
        "minari_version": str(minari.__version__),
        "robodrl": {
            "env_id": demos.env_id,
            "task_arguments": demos.task_arguments,
            "obs_dim": demos.obs_dim,
            "act_dim": demos.act_dim,
            "source": demos.source,
            "settings": demos.settings,
            "reference": demos.reference,
        },
    }
    if demos.reference:
        metadata["ref_max_score"] = demos.reference["demonstrator_return"]
        metadata["ref_min_score"] = demos.reference["random_return"]
    return metadata


def _data_folder(path: Path) -> Path:
    if not path.exists():
        raise DatasetError(f"{path}: no such dataset (record one with `robodrl demos record`)")
    for folder in (path / "data", path):
        if (folder / "metadata.json").is_file():
            return folder
    raise DatasetError(
        f"{path}: not a Minari dataset folder (no data/metadata.json); give the folder "
        "`robodrl demos record --out` wrote"
    )


def _signed_root(folder: Path) -> Path:
    """The folder a dataset's signature covers: the one holding robodrl's index."""
    return folder.parent if (folder.parent / INDEX).is_file() else folder


def load_demonstrations(path: str | Path, *, trust: bool = False) -> Demonstrations:
    """Read and check a dataset folder (``robodrl demos record``'s output, or its ``data``).

    A dataset this account recorded verifies against its signed manifest; any other needs
    ``trust``. Either way robodrl reads the files itself (never through an env the dataset
    describes) from a private copy, so what was verified is what is read."""
    path = Path(path)
    folder = _data_folder(path)
    root = _signed_root(folder)
    try:
        with verified_copy(root, trust=trust) as copy:
            inner = copy / folder.relative_to(root)
            demos = _read_dataset(inner, folder)
            demos.digest = tree_digest(copy)
    except UntrustedRunError as err:
        raise DatasetError(
            f"{err} (`robodrl demos info --trust`; in a training config, demos_trust: true)"
        ) from None
    demos.check(path)
    return demos


def _read_dataset(inner: Path, folder: Path) -> Demonstrations:
    metadata_file = folder / "metadata.json"
    try:
        metadata = json.loads((inner / "metadata.json").read_text())
        facts = dict(metadata["robodrl"])
        header = {k: facts[k] for k in ("env_id", "task_arguments", "obs_dim", "act_dim")}
        count = metadata.get("total_episodes", 0)
    except (OSError, ValueError, RecursionError) as err:
        raise DatasetError(f"{metadata_file}: unreadable ({err})") from None
    except (KeyError, TypeError):
        raise DatasetError(
            f"{metadata_file}: a Minari dataset without robodrl's section (env_id, "
            "task_arguments, obs_dim, act_dim); robodrl learns from datasets it recorded"
        ) from None
    for key in ("obs_dim", "act_dim", "total_episodes"):
        value = count if key == "total_episodes" else header[key]
        if type(value) is not int or not 0 <= value <= 10_000_000:
            raise DatasetError(f"{metadata_file}: {key} = {value!r:.40} is not a whole number")
    if count == 0:
        raise DatasetError(f"{folder}: the dataset holds no episodes; record some first")
    if not isinstance(header["env_id"], str) or not isinstance(header["task_arguments"], dict):
        raise DatasetError(f"{metadata_file}: env_id must be a string, task_arguments a map")
    episodes = read_episodes(inner / "main_data.hdf5", count, header["obs_dim"], header["act_dim"])
    extras = {key: facts.get(key) or {} for key in ("settings", "reference")}
    if not all(isinstance(value, dict) for value in extras.values()):
        raise DatasetError(f"{metadata_file}: robodrl.settings and .reference must be maps")
    return Demonstrations(
        **header, episodes=episodes, source=str(facts.get("source", "")), **extras
    )
