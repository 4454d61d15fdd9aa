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

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import numpy as np

from robodrl.atomic import OutputError, output_folder
from robodrl.datasets.demonstrations import DatasetError, Demonstrations, Episode

INDEX = "robodrl.json"
KIND = "demos"
PREFIX = "randomization."


def _spaces(obs_dim: int, act_dim: int):
    import gymnasium as gym

    observation = gym.spaces.Box(-np.inf, np.inf, (obs_dim,), np.float32)
    return observation, gym.spaces.Box(-1.0, 1.0, (act_dim,), np.float32)


def _env_spec(env_id: str, task_arguments: dict[str, Any]):
    """The Gymnasium spec of the task (so ``dataset.recover_environment()`` works)."""
    import gymnasium as gym

    spec = gym.spec(env_id)
    return spec.copy(kwargs={**spec.kwargs, **task_arguments}) if hasattr(spec, "copy") else spec


def check_dataset_out(out: Path, *, overwrite: bool) -> None:
    """Refuse a file, or a folder already holding files unless ``overwrite``."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} is a file; give a folder for the dataset")
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise OutputError(
            f"{out} already holds files; robodrl keeps them: give a new folder, or pass "
            "--overwrite to replace a dataset robodrl recorded there"
        )


def save_demonstrations(demos: Demonstrations, out: str | Path, *, overwrite: bool = False) -> Path:
    """Write ``demos`` as a Minari dataset folder ``out``; an existing dataset is kept unless
    ``overwrite`` (and even then only a folder robodrl wrote as a dataset is replaced)."""
    from minari.data_collector.episode_buffer import EpisodeBuffer
    from minari.dataset.minari_storage import MinariStorage

    demos.check(out)
    out = Path(out)
    check_dataset_out(out, overwrite=overwrite)
    observation_space, action_space = _spaces(demos.obs_dim, demos.act_dim)
    with output_folder(out, kind=KIND, index=INDEX) as tmp:
        storage = MinariStorage.new(
            (tmp / "data").absolute(),  # Minari's size count doubles a relative path
            observation_space=observation_space,
            action_space=action_space,
            env_spec=_env_spec(demos.env_id, demos.task_arguments),
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


def _metadata(demos: Demonstrations, out: Path) -> dict[str, Any]:
    import minari

    name = re.sub(r"[^A-Za-z0-9_-]+", "-", out.resolve().name).strip("-") or "demos"
    metadata: dict[str, Any] = {
        "dataset_id": f"{name.removesuffix('-v0')}-v0",
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


def load_demonstrations(path: str | Path) -> Demonstrations:
    """Read and check a dataset folder (``robodrl demos record``'s output, or its ``data``)."""
    path = Path(path)
    folder = _data_folder(path)
    try:
        metadata = json.loads((folder / "metadata.json").read_text())
        facts = metadata["robodrl"]
        header = {k: facts[k] for k in ("env_id", "task_arguments", "obs_dim", "act_dim")}
    except (OSError, ValueError) as err:
        raise DatasetError(f"{folder / 'metadata.json'}: unreadable ({err})") from None
    except (KeyError, TypeError):
        raise DatasetError(
            f"{folder / 'metadata.json'}: a Minari dataset without robodrl's section (env_id, "
            "task_arguments, obs_dim, act_dim); robodrl learns from datasets it recorded"
        ) from None
    if int(metadata.get("total_episodes", 0)) == 0:
        raise DatasetError(f"{path}: the dataset holds no episodes; record some first")
    episodes = _read_episodes(folder, int(metadata["total_episodes"]))
    demos = Demonstrations(
        **header,
        episodes=episodes,
        source=str(facts.get("source", "")),
        settings=dict(facts.get("settings", {})),
        reference=dict(facts.get("reference", {})),
        digest=_digest(folder),
    )
    demos.check(path)
    return demos


def _digest(folder: Path) -> str:
    """sha256 of the dataset's episode data files."""
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.hdf5")):
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def _read_episodes(folder: Path, count: int) -> list[Episode]:
    from minari.dataset.minari_storage import MinariStorage

    try:
        storage = MinariStorage.read(folder.absolute())
        data = list(storage.get_episodes(range(count)))
        extras = list(storage.get_episode_metadata(range(count)))
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise DatasetError(
            f"{folder}: the episode data cannot be read ({type(err).__name__}: {err}); the "
            "file is truncated or corrupt: record the dataset again"
        ) from None
    episodes = []
    for raw, extra in zip(data, extras, strict=True):
        randomization = {
            key.removeprefix(PREFIX): np.asarray(value)
            for key, value in extra.items()
            if key.startswith(PREFIX)
        }
        episodes.append(
            Episode(
                observations=np.asarray(raw["observations"]),
                actions=np.asarray(raw["actions"]),
                rewards=np.asarray(raw["rewards"]),
                terminations=np.asarray(raw["terminations"]),
                truncations=np.asarray(raw["truncations"]),
                seed=int(extra["seed"]),
                randomization=randomization,
            )
        )
    return episodes
