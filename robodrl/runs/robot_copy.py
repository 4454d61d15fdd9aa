"""The run owns its robot: at train start the robot description and its MJCF (with meshes and
textures) are copied into ``<run>/robot/``, hashed and signed; evaluation, export and resume use
that copy from any folder. A source file changed or moved since training is reported, never used.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from robodrl.config import TrainConfig
from robodrl.envs.legged.check import check_robot
from robodrl.envs.legged.robot import load_robot, robot_names
from robodrl.envs.legged.task import LeggedTask
from robodrl.envs.manipulator.check import check_arm
from robodrl.envs.manipulator.robot import arm_names, load_arm
from robodrl.envs.manipulator.task import ManipulatorTask
from robodrl.envs.multi.registry import robot_of
from robodrl.envs.package import DESCRIPTION_FILE, fingerprint, write_package
from robodrl.errors import ConfigError
from robodrl.files.atomic import staged_folder, write_text
from robodrl.files.signing import (
    MANIFEST,
    UntrustedRunError,
    manifest_for,
    robodrl_home,
    sha256_file,
    verify_folder,
)
from robodrl.registry import get_spec, task_arguments
from robodrl.runs.bindings import ROBOT_FOLDER

SOURCES = "sources.json"


class RobotSourceChangedWarning(UserWarning):
    """A robot file a run was trained on changed or moved since; the run's copy is used."""


#: part of a cached check's key: raised when `robot check` gains a line, so a robot checked
#: before is checked again (2: the torque headroom line)
CHECK_REVISION = 2


class RobotCheckWarning(UserWarning):
    """A robot passes ``robot check`` with warnings (a sagging base, ringing joints): it trains,
    but a policy may learn slowly (``docs/robots.md``)."""


class RobotKind(NamedTuple):
    """How a kind of robot description is read, named and checked."""

    load: Callable[[str], Any]
    shipped: Callable[[], list[str]]
    check: Callable[[Any], list]


KINDS = {
    LeggedTask: RobotKind(load_robot, robot_names, check_robot),
    ManipulatorTask: RobotKind(load_arm, arm_names, check_arm),
}


def user_robot(config: TrainConfig) -> tuple[str, RobotKind] | None:
    """The robot description path a config names and its kind (None for a shipped robot or a
    task of its own robot)."""
    robot_id, robot_task, _ = robot_of(config.env.id, config.env.task)
    task_class = get_spec(robot_id).task_class()
    kind = next((k for base, k in KINDS.items() if issubclass(task_class, base)), None)
    if kind is None:
        return None
    robot = robot_task.get("robot", task_arguments(robot_id).get("robot"))
    if not isinstance(robot, str) or robot in kind.shipped():
        return None
    return robot, kind


def check_new_robot(config: TrainConfig) -> None:
    """Run ``robot check`` on a robot description this account has not trained before (cached
    by the hash of its files); a robot that fails is refused before the run starts, and one that
    only warns is trained with a :class:`RobotCheckWarning` (every time, from the cache)."""
    found = user_robot(config)
    if found is None:
        return
    robot, kind = found
    description = kind.load(robot)
    files = "".join(sorted(fingerprint(description).values()))
    digest = hashlib.sha256(f"{CHECK_REVISION}:{files}".encode())
    record = robodrl_home() / "robot-checks" / f"{digest.hexdigest()}.json"
    warned = _cached_warnings(record)
    if warned is None:
        checks = kind.check(description)
        failed = [f"{c.physics} {c.name}: {c.value}".strip() for c in checks if c.failed]
        if failed:
            raise ConfigError(
                f"env.task.robot {robot}: the robot fails `robodrl robot check` ("
                + "; ".join(failed)
                + f"); run `robodrl robot check {robot}` for the whole table"
            )
        warned = [f"{c.physics} {c.name}: {c.value}" for c in checks if c.status == "warn"]
        record.parent.mkdir(parents=True, exist_ok=True)
        entry = {"robot": str(description.source), "passed": True, "warnings": warned}
        write_text(record, json.dumps(entry) + "\n")
    if warned:
        warnings.warn(
            f"env.task.robot {robot}: `robodrl robot check` warns ({'; '.join(warned)}); a "
            "robot that sags or rings at its standing pose can learn slowly, and one with far "
            "more torque than it needs can learn an odd gait; `robodrl robot check "
            f"{robot}` prints the whole table (for a quadruped, with the gains robot init's "
            "rules give)",
            RobotCheckWarning,
            stacklevel=2,
        )


def _cached_warnings(record: Path) -> list[str] | None:
    """The warnings of a robot's passed check, or None when it has not been checked (a record
    that does not read back, or one written before records kept warnings, is checked again)."""
    try:
        entry = json.loads(record.read_text())
        return [str(line) for line in entry["warnings"]]
    except (OSError, ValueError, LookupError, TypeError):
        return None


def own_robot(config: TrainConfig, run_dir: Path) -> None:
    """Copy the config's robot (a description path) into ``run_dir/robot``, signed."""
    found = user_robot(config)
    if found is None:
        return
    robot, kind = found
    description = kind.load(robot)
    sources = fingerprint(description)
    with staged_folder(run_dir / ROBOT_FOLDER) as folder:
        write_package(description, folder)
        (folder / SOURCES).write_text(json.dumps(sources, indent=1) + "\n")
        (folder / MANIFEST).write_text(json.dumps(manifest_for(folder), indent=1))


def robot_overrides(run_dir: Path, *, trust: bool = False) -> list[str]:
    """``--set`` overrides that point a run's config at the run's own robot copy (none if the
    run has none); reports source files that changed since training."""
    folder = run_dir / ROBOT_FOLDER
    if not folder.is_dir():
        return []
    verify_folder(folder, trust=trust)
    if _signed_here(folder):  # sources.json names paths: follow only what this account wrote
        _report_changes(folder)
    path = str((folder / DESCRIPTION_FILE).resolve())
    return [f"env.task.robot={json.dumps(path)}"]


def _signed_here(folder: Path) -> bool:
    try:
        verify_folder(folder)
    except UntrustedRunError:
        return False
    return True


def _report_changes(folder: Path) -> None:
    try:
        sources = json.loads((folder / SOURCES).read_text())
    except (OSError, ValueError):
        return
    for name, digest in sources.items():
        path = Path(name)
        if not path.is_file():
            state = "is gone"
        elif sha256_file(path) != digest:
            state = "changed since training"
        else:
            continue
        warnings.warn(
            f"{name} {state}; the run uses its own copy in {folder}",
            RobotSourceChangedWarning,
            stacklevel=3,
        )
