"""Checkpoints: everything a run needs to continue exactly, written atomically and signed.

A checkpoint folder holds ``model.zip`` (SB3: parameters and optimizer states),
``replay_buffer.pkl`` (off-policy), ``normalizer.json``, ``state.json`` (step counter,
python / numpy / torch / action-space RNG states, the env's physics and random streams, the
policy's last observation, schedule progress) and a signed ``manifest.json``. It is staged in a
temp folder, fsynced and renamed into place; only then does ``checkpoints/latest`` point to it.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import torch
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.off_policy_algorithm import OffPolicyAlgorithm

from robodrl.atomic import staged_folder, write_text
from robodrl.errors import RobodrlError
from robodrl.signing import MANIFEST, UntrustedRunError, manifest_for, verify_folder
from robodrl.trainers.normalize import ObservationNormalizer

STEP_PREFIX = "step_"


class CheckpointError(RobodrlError):
    """A checkpoint that is missing, or damaged so that it cannot be loaded."""


def track_noise_draws(model: BaseAlgorithm) -> None:
    """Remember the torch RNG state before each gSDE noise draw of ``model``.

    SB3 draws the exploration matrix just before ``on_rollout_start``, where robodrl writes
    checkpoints; a checkpoint records the state from before that draw, so a resumed run draws
    the same matrix again (``write_checkpoint(..., after_noise_draw=True)``).
    """
    if not getattr(model, "use_sde", False):
        return
    owner = model.actor if isinstance(model, OffPolicyAlgorithm) else model.policy
    draw = owner.reset_noise

    def reset_noise(*args: Any, **kwargs: Any) -> None:
        model._rng_before_noise = torch.get_rng_state()  # type: ignore[attr-defined]
        draw(*args, **kwargs)

    owner.reset_noise = reset_noise


def _rng_state(model: BaseAlgorithm, *, after_noise_draw: bool) -> dict[str, Any]:
    np_state = np.random.get_state()
    py_state = random.getstate()
    torch_state = torch.get_rng_state()
    if after_noise_draw and hasattr(model, "_rng_before_noise"):
        torch_state = model._rng_before_noise  # the draw is redone on resume
    return {
        "python": [py_state[0], list(py_state[1]), py_state[2]],
        "numpy": [np_state[0], np_state[1].tolist(), *np_state[2:]],
        "torch": torch_state.tolist(),
        "action_space": model.action_space.np_random.bit_generator.state,
    }


def _restore_rng(model: BaseAlgorithm, state: dict[str, Any]) -> None:
    version, values, gauss = state["python"]
    random.setstate((version, tuple(values), gauss))
    name, keys, *rest = state["numpy"]
    np.random.set_state((name, np.asarray(keys, dtype=np.uint32), *rest))
    torch.set_rng_state(torch.tensor(state["torch"], dtype=torch.uint8))
    model.action_space.np_random.bit_generator.state = state["action_space"]


def _array(value: Any) -> Any:
    return None if value is None else np.asarray(value).tolist()


def write_checkpoint(
    folder: Path, model: BaseAlgorithm, *, extra: dict[str, Any], after_noise_draw: bool = False
) -> None:
    """Stage, sign and atomically place a checkpoint of ``model`` at ``folder``
    (``after_noise_draw``: written at a rollout start, right after SB3's gSDE noise draw)."""
    env = model.get_env()
    with staged_folder(folder) as tmp:
        model.save(tmp / "model.zip")
        if isinstance(model, OffPolicyAlgorithm):
            model.save_replay_buffer(tmp / "replay_buffer.pkl")
        base = env
        if isinstance(env, ObservationNormalizer):
            (tmp / "normalizer.json").write_text(json.dumps(env.state_dict()))
            base = env.venv
        state = {
            "num_timesteps": int(model.num_timesteps),
            "rng": _rng_state(model, after_noise_draw=after_noise_draw),
            "env": base.state_dict(),
            "last_obs": _array(model._last_obs),
            "last_obs_dtype": str(np.asarray(model._last_obs).dtype),
            "last_original_obs": _array(getattr(model, "_last_original_obs", None)),
            "last_episode_starts": _array(model._last_episode_starts),
            **extra,
        }
        (tmp / "state.json").write_text(json.dumps(state))
        (tmp / MANIFEST).write_text(json.dumps(manifest_for(tmp), indent=1))


def step_folders(checkpoints: Path) -> list[Path]:
    """Complete step checkpoints, oldest first."""
    if not checkpoints.is_dir():
        return []
    folders = [p for p in checkpoints.iterdir() if p.is_dir() and p.name.startswith(STEP_PREFIX)]
    return sorted(folders, key=lambda p: int(p.name[len(STEP_PREFIX) :]))


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
        folder = checkpoints / pointer.read_text().strip()
        if folder.is_dir() and (folder / MANIFEST).is_file():
            return folder
    complete = [f for f in step_folders(checkpoints) if (f / MANIFEST).is_file()]
    if not complete:
        raise CheckpointError(f"{checkpoints}: no complete checkpoint to resume from")
    return complete[-1]


def read_checkpoint(folder: Path, *, trust: bool) -> tuple[dict[str, Any], dict | None]:
    """Verify a checkpoint's signature (unless ``trust``), then read its plain-JSON parts."""
    verify_folder(folder, trust=trust)
    try:
        state = json.loads((folder / "state.json").read_text())
        normalizer = folder / "normalizer.json"
        return state, json.loads(normalizer.read_text()) if normalizer.is_file() else None
    except (OSError, ValueError) as err:
        raise CheckpointError(f"{folder}: cannot read its state: {err}") from None


def checkpoint_names(checkpoints: Path) -> list[str]:
    """Every checkpoint folder's name: ``best`` (if any), then the steps, oldest first."""
    best = ["best"] if (checkpoints / "best").is_dir() else []
    return best + [f.name for f in step_folders(checkpoints)]


def find_checkpoint(run_dir: Path, which: str) -> Path:
    """``best`` (if the run has one, else the latest), ``latest``, or a checkpoint folder name."""
    checkpoints = run_dir / "checkpoints"
    if which == "best" and (checkpoints / "best").is_dir():
        return checkpoints / "best"
    if which in ("best", "latest"):
        return latest_checkpoint(checkpoints)
    if "/" in which or not (checkpoints / which).is_dir():
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


def _with_alternatives(err: Exception, folder: Path) -> str:
    others = _verifying(folder.parent, but=folder)
    hint = f"checkpoints that verify: {', '.join(others)}; pick one with --checkpoint NAME"
    return f"{err}; {hint if others else 'no other checkpoint of this run verifies'}"


def open_checkpoint(
    run_dir: Path, which: str, *, trust: bool
) -> tuple[Path, dict[str, Any], dict | None]:
    """Find, verify and read a checkpoint; a failure names the checkpoints that do verify."""
    folder = find_checkpoint(run_dir, which)
    try:
        state, normalizer = read_checkpoint(folder, trust=trust)
    except (UntrustedRunError, CheckpointError) as err:
        raise type(err)(_with_alternatives(err, folder)) from None
    return folder, state, normalizer


def load_model(algorithm: type[BaseAlgorithm], folder: Path, **kwargs: Any) -> BaseAlgorithm:
    """``algorithm.load`` of a checkpoint's model; a damaged file is a ``CheckpointError``."""
    try:
        return algorithm.load(folder / "model.zip", **kwargs)
    except Exception as err:  # a damaged zip fails anywhere inside SB3, torch or zipfile
        message = f"{folder}: cannot load model.zip ({type(err).__name__}: {err})"
        raise CheckpointError(_with_alternatives(message, folder)) from None


def restore_into(model: BaseAlgorithm, folder: Path, state: dict[str, Any]) -> None:
    """Put a verified checkpoint's buffers, env state, observations and RNG states in place."""
    if isinstance(model, OffPolicyAlgorithm) and (folder / "replay_buffer.pkl").is_file():
        try:
            model.load_replay_buffer(folder / "replay_buffer.pkl")
        except Exception as err:  # a damaged pickle fails anywhere inside pickle / numpy
            message = f"{folder}: cannot load replay_buffer.pkl ({type(err).__name__}: {err})"
            raise CheckpointError(_with_alternatives(message, folder)) from None
    env = model.get_env()
    base = env.venv if isinstance(env, ObservationNormalizer) else env
    base.load_state_dict(state["env"])
    dtype = np.dtype(state["last_obs_dtype"])
    model._last_obs = np.asarray(state["last_obs"], dtype=dtype)
    if state["last_original_obs"] is not None:
        model._last_original_obs = np.asarray(state["last_original_obs"], dtype=dtype)
    model._last_episode_starts = np.asarray(state["last_episode_starts"], dtype=bool)
    _restore_rng(model, state["rng"])
