"""A run directory's policy at one checkpoint, verified before anything is unpickled, through
the algorithm that trained it; or an exported ONNX file. What evaluation and export load."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from pathlib import Path

from robodrl.algorithms.registry import get_algorithm
from robodrl.config import TrainConfig, load_config
from robodrl.errors import ConfigError
from robodrl.policy import OnnxFilePolicy, OnnxTeamPolicy, Policy, TrainedPolicy
from robodrl.runs.bindings import CONFIG_FILE
from robodrl.runs.checkpoints import CheckpointError, opened_checkpoint
from robodrl.runs.robot_copy import robot_overrides
from robodrl.signing import MANIFEST, sha256_file


def run_config(run_dir: Path, *, trust: bool = False) -> TrainConfig:
    """The resolved config a run saved, on the run's own copy of its robot; a folder without
    one is not a run."""
    run_dir = Path(run_dir)
    if not (run_dir / CONFIG_FILE).is_file():
        raise CheckpointError(f"{run_dir}: not a run directory (no {CONFIG_FILE})")
    return load_config(run_dir / CONFIG_FILE, robot_overrides(run_dir, trust=trust))


def load_run_policy(
    run_dir: str | Path, *, checkpoint: str = "best", trust: bool = False
) -> TrainedPolicy:
    """The deterministic policy of ``checkpoint`` (``best``, ``latest`` or ``step_N``)."""
    run_dir = Path(run_dir)
    config = run_config(run_dir, trust=trust)
    with opened_checkpoint(run_dir, checkpoint, trust=trust) as opened:
        policy = get_algorithm(config.algorithm.name).load_policy(config, *opened)
        copy = opened[0]  # a private copy: name the run's own folder, and what was verified
        manifest = copy / MANIFEST
        return dataclasses.replace(
            policy,
            checkpoint=run_dir / "checkpoints" / copy.name,
            checkpoint_sha256=sha256_file(manifest) if manifest.is_file() else "",
        )


def load_run_adversaries(run_dir: str | Path, *, checkpoint: str = "best", trust: bool = False):
    """The trained adversaries of an adversarial run (``rarl``) at ``checkpoint``: their
    :class:`~robodrl.robustness.adversary.AdversarySpec` and deterministic forces."""
    run_dir = Path(run_dir)
    config = run_config(run_dir, trust=trust)
    entry = get_algorithm(config.algorithm.name)
    if not entry.capabilities.adversarial:
        raise ConfigError(
            f"--adversary {run_dir}: trained with {config.algorithm.name}, which has no "
            "adversary; give a run trained with algorithm rarl, or 'random'"
        )
    with opened_checkpoint(run_dir, checkpoint, trust=trust) as opened:
        folder, state, _ = opened
        return config.env.id, *entry.load_adversaries(config, folder, state)


def load_policy(path: str | Path, *, trust: bool = False) -> Policy:
    """A run directory (its best checkpoint), an ``.onnx`` file, a folder holding one, an
    exported team's folder (one file per agent), or a planner YAML file."""
    from robodrl.lookup import find_planner, is_planner_file

    path = find_planner(path)
    if is_planner_file(path):
        from robodrl.planners import load_planner

        return load_planner(path)
    if path.is_dir() and _is_team_export(path):
        return OnnxTeamPolicy(path)
    if path.is_dir() and (path / "policy.onnx").is_file():
        path = path / "policy.onnx"
    if path.suffix == ".onnx":
        return OnnxFilePolicy(path)
    if path.is_dir() and (path / CONFIG_FILE).is_file():
        return load_run_policy(path, trust=trust)
    raise ConfigError(
        f"{path}: not a run directory (config.yaml), an exported .onnx policy, an exported "
        "team or a planner YAML file"
    )


def _is_team_export(folder: Path) -> bool:
    try:
        return "team" in json.loads((folder / "manifest.json").read_text())
    except (OSError, ValueError, TypeError):
        return False


def output_label(policies: list[str | Path]) -> str:
    """A default output folder name that tells the policies apart: each one's folder name, with
    its parent's where the name alone is a layout's (``seed_0``) or a file's (``policy.onnx``)."""
    names = []
    for path in (Path(p).absolute() for p in policies):
        name = path.stem if path.suffix in (".onnx", ".yaml", ".yml") else path.name
        if re.fullmatch(r"seed_\d+|policy|data|best|latest", name) and path.parent.name:
            name = f"{path.parent.name}-{name}"
        names.append(name)
    label = "+".join(names)
    if len(label) > 80:
        digest = hashlib.sha256(label.encode()).hexdigest()[:8]
        label = f"{label[:70]}-{digest}"
    return label
