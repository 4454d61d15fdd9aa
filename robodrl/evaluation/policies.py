"""A policy under evaluation: a run directory (torch) or an exported ONNX file (the artifact
that ships), both answering ``act(raw_obs) -> actions in [-1, 1]`` for one task."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from robodrl.errors import ConfigError

CHUNK = 64


@dataclass
class EvaluatedPolicy:
    """What the evaluator needs of a policy: its name, task, and how it acts."""

    name: str
    source: Path
    env_id: str
    task_arguments: dict[str, Any]
    obs_dim: int
    act_dim: int
    _act: Any

    def act(self, obs: np.ndarray, core) -> np.ndarray:
        """Policy actions in [-1, 1] for raw observations of ``core``'s simulations.

        The network always sees blocks of ``CHUNK`` rows (the last one padded): float32 matrix
        products can round differently for different batch sizes, and a simulation's actions
        must not depend on how many others share its batch (a nominal cell inside a sweep must
        reproduce the nominal evaluation exactly).
        """
        actions = np.empty((len(obs), self.act_dim))
        for start in range(0, len(obs), CHUNK):
            block = obs[start : start + CHUNK]
            rows = len(block)
            if rows < CHUNK:
                block = np.concatenate([block, np.repeat(block[-1:], CHUNK - rows, axis=0)])
            actions[start : start + rows] = self._act(block, core)[:rows]
        return actions


def load_policy(path: str | Path, *, trust: bool = False) -> EvaluatedPolicy:
    """Load a run directory or a ``.onnx`` file (or a folder holding ``policy.onnx``)."""
    path = Path(path)
    if path.is_dir() and (path / "policy.onnx").is_file():
        path = path / "policy.onnx"
    if path.suffix == ".onnx":
        return _onnx_policy(path)
    if path.is_dir() and (path / "config.yaml").is_file():
        return _run_policy(path, trust=trust)
    raise ConfigError(f"{path}: not a run directory (config.yaml) or an exported .onnx policy")


def _onnx_policy(path: Path) -> EvaluatedPolicy:
    from robodrl.runtime import OnnxPolicy

    runtime = OnnxPolicy(path)
    meta = runtime.metadata

    def act(obs: np.ndarray, core) -> np.ndarray:
        return np.clip(core.ctrl_to_action(runtime.act(obs).astype(np.float64)), -1.0, 1.0)

    return EvaluatedPolicy(
        name=_onnx_name(path),
        source=path,
        env_id=meta["env_id"],
        task_arguments=json.loads(meta.get("task_arguments", "{}")),
        obs_dim=runtime.obs_dim,
        act_dim=runtime.act_dim,
        _act=act,
    )


def _onnx_name(path: Path) -> str:
    """``<run> (onnx)`` for ``<run>/export/policy.onnx``, ``<folder> (onnx)`` for
    ``<folder>/policy.onnx``, the file's stem otherwise."""
    if path.name != "policy.onnx":
        return f"{path.stem} (onnx)"
    folder = path.parent
    return f"{folder.parent.name if folder.name == 'export' else folder.name} (onnx)"


def _run_policy(run: Path, *, trust: bool) -> EvaluatedPolicy:
    from robodrl.export.exporter import load_trained
    from robodrl.trainers.sb3 import deterministic_action

    trained = load_trained(run, checkpoint="best", trust=trust)
    config, model, normalizer = trained.config, trained.model, trained.normalizer

    def act(obs: np.ndarray, core) -> np.ndarray:
        return deterministic_action(model, obs, normalizer)

    return EvaluatedPolicy(
        name=run.name,
        source=run,
        env_id=config.env.id,
        task_arguments=dict(config.env.task),
        obs_dim=int(model.observation_space.shape[0]),
        act_dim=int(model.action_space.shape[0]),
        _act=act,
    )
