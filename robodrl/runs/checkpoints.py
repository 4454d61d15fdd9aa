"""Checkpoints: everything a run needs to continue exactly, written atomically and signed.

A checkpoint folder holds the algorithm's own files (SB3: ``model.zip``, ``replay_buffer.pkl``;
robodrl's algorithms: ``model.pt``), ``normalizer.json``, ``state.json`` (step counter,
python / numpy / torch RNG states, the learner's state: env physics and random streams, last
observations, schedule progress) and a signed ``manifest.json``. It is staged in a temp
folder, fsynced and renamed into place; only then does ``checkpoints/latest`` point to it.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from robodrl.algorithms.registry import Checkpoint
from robodrl.errors import RobodrlError
from robodrl.files.atomic import staged_folder, write_text
from robodrl.files.signing import (
    MANIFEST,
    UntrustedRunError,
    manifest_for,
    verified_copy,
    verify_folder,
)
from robodrl.runs.bindings import run_bindings

if TYPE_CHECKING:
    from robodrl.algorithms.registry import Learner

STEP_PREFIX = "step_"


class CheckpointError(RobodrlError):
    """A checkpoint that is missing, or damaged so that it cannot be loaded."""


def write_checkpoint(folder: Path, learner: Learner, *, extra: dict[str, Any]) -> None:
    """Stage, sign and atomically place a checkpoint of ``learner`` at ``folder``."""
    with staged_folder(folder) as tmp:
        learner.save(tmp)
        normalizer = learner.normalizer_state()
        if normalizer is not None:
            (tmp / "normalizer.json").write_text(json.dumps(normalizer))
        state = {
            "num_timesteps": int(learner.num_timesteps),
            "rng": learner.rng_state(),
            "learner": learner.state(),
            **extra,
        }
        (tmp / "state.json").write_text(json.dumps(state))
        (tmp / MANIFEST).write_text(json.dumps(manifest_for(tmp), indent=1))


def step_folders(checkpoints: Path) -> list[Path]:
    """Complete step checkpoints, oldest first."""
    if not checkpoints.is_dir():
        return []
    folders = [p for p in checkpoints.iterdir() if is_checkpoint_name(p.name) and _own_dir(p)]
    return sorted(folders, key=lambda p: int(p.name[len(STEP_PREFIX) :]))


def is_checkpoint_name(name: str) -> bool:
    """``step_<digits>``: the only names ``latest`` and the pruner act on."""
    return re.fullmatch(rf"{STEP_PREFIX}\d+", name) is not None


def _own_dir(path: Path) -> bool:
    """A real folder of the run (not a link that could lead anywhere)."""
    return path.is_dir() and not path.is_symlink()


def mark_latest(checkpoints: Path, folder: Path) -> None:
    """Point ``checkpoints/latest`` at ``folder`` (atomic)."""
    write_text(checkpoints / "latest", folder.name + "\n")


def prune(checkpoints: Path, keep_last: int) -> None:
    """Remove all but the newest ``keep_last`` step checkpoints, and leftover temp folders."""
    for folder in step_folders(checkpoints)[:-keep_last]:
        shutil.rmtree(folder, ignore_errors=True)
    for leftover in checkpoints.glob(".tmp-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in checkpoints.glob(".old-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def latest_checkpoint(checkpoints: Path) -> Path:
    """The folder ``latest`` names, or the newest complete step folder if it is missing."""
    pointer = checkpoints / "latest"
    if pointer.is_file():
        name = pointer.read_text(errors="replace").strip()
        if not is_checkpoint_name(name) or pointer.is_symlink():
            raise CheckpointError(
                f"{pointer} names {name[:80]!r}; it may only name a {STEP_PREFIX}<n> folder of "
                f"this run (checkpoints: {checkpoint_names(checkpoints)}); pick one with "
                "--checkpoint NAME"
            )
        folder = checkpoints / name
        if _own_dir(folder) and (folder / MANIFEST).is_file():
            return folder
    complete = [f for f in step_folders(checkpoints) if (f / MANIFEST).is_file()]
    if not complete:
        raise CheckpointError(f"{checkpoints}: no complete checkpoint to resume from")
    return complete[-1]


def read_state(copy: Path, folder: Path) -> tuple[dict[str, Any], dict | None]:
    """The plain-JSON parts of a verified copy of the checkpoint ``folder``."""
    try:
        state = json.loads((copy / "state.json").read_text())
        normalizer = copy / "normalizer.json"
        return state, json.loads(normalizer.read_text()) if normalizer.is_file() else None
    except (OSError, ValueError) as err:
        raise CheckpointError(f"{folder}: cannot read its state: {err}") from None


def checkpoint_names(checkpoints: Path) -> list[str]:
    """Every checkpoint folder's name: ``best`` (if any), then the steps, oldest first."""
    best = ["best"] if _own_dir(checkpoints / "best") else []
    return best + [f.name for f in step_folders(checkpoints)]


def find_checkpoint(run_dir: Path, which: str) -> Path:
    """``best`` (if the run has one, else the latest), ``latest``, or a checkpoint folder name."""
    checkpoints = run_dir / "checkpoints"
    if which == "best" and _own_dir(checkpoints / "best"):
        return checkpoints / "best"
    if which in ("best", "latest"):
        return latest_checkpoint(checkpoints)
    if not is_checkpoint_name(which) or not _own_dir(checkpoints / which):
        raise CheckpointError(
            f"{run_dir}: no checkpoint {which!r}; checkpoints: {checkpoint_names(checkpoints)}"
        )
    return checkpoints / which


def _verifying(checkpoints: Path, *, but: Path) -> list[str]:
    """Names of the checkpoints, other than ``but``, whose signature verifies."""
    names = []
    for name in checkpoint_names(checkpoints):
        if checkpoints / name != but:
            try:
                verify_folder(checkpoints / name)
                names.append(name)
            except UntrustedRunError:
                pass
    return names


def with_alternatives(err: Exception | str, folder: Path) -> str:
    """``err``, followed by the run's other checkpoints that verify (to pick with
    ``--checkpoint``)."""
    others = _verifying(folder.parent, but=folder)
    hint = f"checkpoints that verify: {', '.join(others)}; pick one with --checkpoint NAME"
    return f"{err}; {hint if others else 'no other checkpoint of this run verifies'}"


@contextlib.contextmanager
def loading(folder: Path) -> Iterator[None]:
    """Around an algorithm reading a verified checkpoint: a file that still cannot be loaded (a
    damaged one under ``--trust``) becomes a ``CheckpointError`` naming the intact ones."""
    try:
        yield
    except RobodrlError:  # already says what is wrong (a changed dataset, a bad config)
        raise
    except Exception as err:  # a damaged file fails anywhere inside torch, SB3 or pickle
        message = f"{folder}: cannot load it ({type(err).__name__}: {err})"
        raise CheckpointError(with_alternatives(message, folder)) from None


@contextlib.contextmanager
def opened_checkpoint(
    run_dir: Path, which: str, *, trust: bool, bound: dict[str, str] | None = None
) -> Iterator[Checkpoint]:
    """Find a checkpoint, copy it where no one else can write, verify the copy, read it, and
    yield it (a :class:`~robodrl.algorithms.registry.Checkpoint`: the copy, its state and
    normalizer) for the algorithm to load (any failure names the checkpoints that verify).

    The signed state must be bound to the run's files as they are now (its config and robot
    copy, :func:`~robodrl.runs.bindings.run_bindings`): a checkpoint signed for other files is
    refused unless ``trust``. ``bound``: those digests, where the caller has them already."""
    folder = find_checkpoint(run_dir, which)
    with contextlib.ExitStack() as stack:
        try:
            copy = stack.enter_context(verified_copy(folder, trust=trust))
            state, normalizer = read_state(copy, folder)
            if not trust:
                check_bound(folder, state, run_bindings(run_dir) if bound is None else bound)
        except (UntrustedRunError, CheckpointError) as err:
            raise type(err)(with_alternatives(err, folder)) from None
        with loading(folder):
            yield Checkpoint(copy, state, normalizer)


def check_bound(folder: Path, state: dict[str, Any], bound: dict[str, str]) -> None:
    """Refuse a checkpoint whose signed state was written for other run files."""
    signed = state.get("bound", {})
    for name, digest in bound.items():
        if signed.get(name) != digest:
            when = "was edited since" if name in signed else "is not covered by"
            raise UntrustedRunError(
                f"{folder}: the run's {name} {when} this checkpoint's signature, so it may "
                "not describe the policy (a changed control_dt or robot would run it wrongly); "
                "restore the file, or pass --trust if you made the change on purpose"
            )
