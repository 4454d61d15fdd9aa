"""A run directory's policy at one checkpoint, verified before anything is unpickled, through
the algorithm that trained it; or an exported ONNX file. What evaluation and export load."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from robodrl.config import TrainConfig
from robodrl.errors import ConfigError
from robodrl.policy import OnnxFilePolicy, OnnxTeamPolicy, Policy, TrainedPolicy
from robodrl.runs.bindings import CONFIG_FILE
from robodrl.runs.run import Run


def run_config(run_dir: Path, *, trust: bool = False) -> TrainConfig:
    """The resolved config a run saved, on the run's own copy of its robot; a folder without
    one is not a run."""
    return Run.open(run_dir, trust=trust).config


def load_run_policy(
    run_dir: str | Path, *, checkpoint: str = "best", trust: bool = False
) -> TrainedPolicy:
    """The deterministic policy of ``checkpoint`` (``best``, ``latest`` or ``step_N``)."""
    return Run.open(run_dir, trust=trust).policy(checkpoint)


def load_run_adversaries(run_dir: str | Path, *, checkpoint: str = "best", trust: bool = False):
    """The trained adversaries of an adversarial run (``rarl``) at ``checkpoint``: the task,
    their :class:`~robodrl.robustness.adversary.AdversarySpec` and deterministic forces."""
    return Run.open(run_dir, trust=trust).adversaries(checkpoint)


def load_policy(path: str | Path | Run, *, trust: bool = False) -> Policy:
    """A run (an opened one, or its directory: its best checkpoint), an ``.onnx`` file, a folder
    holding one, an exported team's folder (one file per agent), or a planner YAML file."""
    from robodrl.lookup import find_planner, is_planner_file

    if isinstance(path, Run):
        return path.policy()
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
        return Run.open(path, trust=trust).policy()
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
