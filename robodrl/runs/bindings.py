"""The run files a checkpoint's signed state is bound to: the config (all of it but
``total_steps``, which a resume may raise) and the run's robot copy. A checkpoint written for
other files is refused on load, so an edited ``config.yaml`` cannot change what a policy means
(its control rate, its task arguments) without a word."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from robodrl.errors import RobodrlError
from robodrl.signing import MANIFEST, sha256_file
from robodrl.yamlio import load_yaml_file

CONFIG_FILE = "config.yaml"
ROBOT_FOLDER = "robot"
#: the one config field a resumed run may change (to train longer)
UNBOUND_FIELDS = ("total_steps",)


def run_bindings(run_dir: Path) -> dict[str, str]:
    """Digests of ``run_dir``'s config (without ``total_steps``) and robot copy (if any)."""
    bound = {CONFIG_FILE: config_digest(run_dir / CONFIG_FILE)}
    robot = run_dir / ROBOT_FOLDER / MANIFEST
    if robot.is_file():
        bound[ROBOT_FOLDER] = sha256_file(robot)
    return bound


def config_digest(path: Path) -> str:
    """sha256 of the config document with its unbound fields left out; an unreadable config
    gets a digest no checkpoint holds."""
    try:
        document = load_yaml_file(path)
    except (OSError, RobodrlError, ValueError):
        return "unreadable"
    if isinstance(document, dict):
        document = {k: v for k, v in document.items() if k not in UNBOUND_FIELDS}
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()
