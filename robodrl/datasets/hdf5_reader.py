"""robodrl's own reader of a Minari HDF5 dataset's episodes, for files it is handed.

Minari's reader is never used on a dataset robodrl loads: where the metadata lacks an
observation space, Minari builds the env from the dataset's ``env_spec``, whose entry point may
be any callable. This reader opens the HDF5 file with h5py and refuses what could make it read
outside the file (external or soft links, external storage, virtual datasets) before it reads
a value; every array's declared shape is checked before it is allocated.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from robodrl.datasets.demonstrations import DatasetError, Episode, episode_shapes

PREFIX = "randomization."
#: the arrays an episode group holds
FIELDS = ("observations", "actions", "rewards", "terminations", "truncations")
#: the most a dataset may declare (compressed data could otherwise expand without bound)
MAX_BYTES = 16 << 30


def read_episodes(file: Path, count: int, obs_dim: int, act_dim: int) -> list[Episode]:
    """``count`` episodes of ``file`` (Minari's HDF5 layout: ``episode_<i>`` groups)."""
    import h5py

    try:
        with h5py.File(file, "r") as handle:
            refuse_outside_references(handle, file)
            groups = [_group(handle, i, file) for i in range(count)]
            _check_sizes(groups, file, obs_dim, act_dim)
            return [_episode(group, i, file) for i, group in enumerate(groups)]
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise DatasetError(
            f"{file}: the episode data cannot be read ({type(err).__name__}: {err}); the file "
            "is truncated or corrupt: record the dataset again"
        ) from None


def refuse_outside_references(handle, file: Path) -> None:
    """Refuse links and storage that point outside ``file`` (they could read any file)."""
    import h5py

    found: list[str] = []

    def visit(name: str, link) -> None:
        if isinstance(link, h5py.ExternalLink | h5py.SoftLink):
            found.append(f"{name} is a {type(link).__name__}")
        elif isinstance(handle.get(name), h5py.Dataset):
            dataset = handle[name]
            if dataset.is_virtual:
                found.append(f"{name} is a virtual dataset")
            elif dataset.external:
                found.append(f"{name} is stored in external files")

    handle.visititems_links(visit)
    if found:
        raise DatasetError(
            f"{file}: {'; '.join(found[:3])}: robodrl reads a dataset's data only from its own "
            "file; record the dataset again, or copy the data into the file"
        )


def _group(handle, index: int, file: Path):
    import h5py

    group = handle.get(f"episode_{index}")
    if not isinstance(group, h5py.Group):
        raise DatasetError(f"{file}: no episode_{index} group; the dataset is incomplete")
    for name in FIELDS:
        if not isinstance(group.get(name), h5py.Dataset):
            raise DatasetError(f"{file}: episode_{index} has no {name} array")
    return group


def _check_sizes(groups: list, file: Path, obs_dim: int, act_dim: int) -> None:
    """Shapes and dtypes from the file's headers, before anything is read."""
    total = 0
    for index, group in enumerate(groups):
        steps = group["actions"].shape[0] if group["actions"].ndim else -1
        for name, shape in episode_shapes(steps, obs_dim, act_dim).items():
            dataset = group[name]
            if dataset.shape != shape or dataset.dtype.kind not in "fiub":
                raise DatasetError(
                    f"{file}: episode_{index}/{name} is {dataset.dtype} {dataset.shape}, "
                    f"expected numbers of shape {shape} (metadata: obs_dim {obs_dim}, "
                    f"act_dim {act_dim})"
                )
            total += dataset.size * dataset.dtype.itemsize
    if total > MAX_BYTES:
        raise DatasetError(
            f"{file}: the episodes declare {total / 2**30:.1f} GiB, more than robodrl loads "
            f"({MAX_BYTES >> 30} GiB); split the dataset"
        )


def _episode(group, index: int, file: Path) -> Episode:
    attrs = dict(group.attrs)
    try:
        seed = int(attrs["seed"])
    except (KeyError, TypeError, ValueError):
        raise DatasetError(f"{file}: episode_{index} has no integer seed attribute") from None
    return Episode(
        observations=np.asarray(group["observations"][()]),
        actions=np.asarray(group["actions"][()]),
        rewards=np.asarray(group["rewards"][()]),
        terminations=np.asarray(group["terminations"][()]).astype(bool),
        truncations=np.asarray(group["truncations"][()]).astype(bool),
        seed=seed,
        randomization={
            key.removeprefix(PREFIX): np.asarray(value, dtype=np.float64)
            for key, value in attrs.items()
            if key.startswith(PREFIX)
        },
    )
