"""The run files a checkpoint's signed state is bound to: the config (all of it but
``total_steps``, which a resume may raise) and the run's robot copy. A checkpoint written for
other files is refused on load, so an edited ``config.yaml`` cannot change what a policy means
(its control rate, its task arguments) without a word."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from robodrl.errors import RobodrlError
from robodrl.files.signing import MANIFEST, sha256_file
from robodrl.files.yamlio import load_yaml_file

CONFIG_FILE = "config.yaml"
ROBOT_FOLDER = "robot"
#: the one config field a resumed run may change (to train longer)
UNBOUND_FIELDS = ("total_steps",)
#: a config that could not be read
_UNREAD = object()


def run_bindings(run_dir: Path, document: Any = _UNREAD) -> dict[str, str]:
    """Digests of ``run_dir``'s config (without ``total_steps``) and robot copy (if any).
    ``document``: the config as already read (a :class:`~robodrl.runs.run.Run` reads it once);
    left out, the file is read."""
    if document is _UNREAD:
        document = _read(run_dir / CONFIG_FILE)
    bound = {CONFIG_FILE: document_digest(document)}
    robot = run_dir / ROBOT_FOLDER / MANIFEST
    if robot.is_file():
        bound[ROBOT_FOLDER] = sha256_file(robot)
    return bound


def _read(path: Path) -> Any:
    """The config document; an unreadable config gets a digest no checkpoint holds."""
    try:
        return load_yaml_file(path)
    except (OSError, RobodrlError, ValueError):
        return _UNREAD


def document_digest(document: Any) -> str:
    """sha256 of a config document with its unbound fields left out."""
    if document is _UNREAD:
        return "unreadable"
    if isinstance(document, dict):
        document = {k: v for k, v in document.items() if k not in UNBOUND_FIELDS}
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()
