"""A robot (a quadruped's or an arm's description) as one self-contained folder: the description,
its MJCF and every file the MJCF reads.

A run keeps such a copy (``robodrl train`` writes it into the run), so evaluation, export and
resume never depend on files that may move or change after training. The MJCF is written with
``MjSpec.to_xml`` (includes inlined), and each mesh, texture, heightfield and skin file is copied
into ``assets/`` beside it.
"""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import mujoco
import yaml

from robodrl.envs.legged.robot import RobotDescription
from robodrl.envs.manipulator.robot import ArmDescription
from robodrl.errors import ConfigError
from robodrl.files.signing import sha256_file

Description = RobotDescription | ArmDescription
DESCRIPTION_FILE = "robot.yaml"
MJCF_FILE = "robot.xml"
ASSETS = "assets"


def _asset_elements(spec: mujoco.MjSpec) -> list[tuple[object, str, str]]:
    """(element, attribute, folder attribute) for every asset that names a file."""
    found = []
    for mesh in spec.meshes:
        found.append((mesh, "file", "meshdir"))
    for group in (spec.textures, spec.hfields, spec.skins):
        found += [(element, "file", "texturedir") for element in group]
    return [(e, a, d) for e, a, d in found if getattr(e, a, "")]


def _asset_source(spec: mujoco.MjSpec, mjcf: Path, name: str, folder_attribute: str) -> Path:
    path = Path(name)
    if not path.is_absolute():
        path = mjcf.parent / (getattr(spec, folder_attribute) or "") / path
    if not path.is_file():
        raise ConfigError(f"{mjcf}: the MJCF reads {name!r}, but there is no file at {path}")
    return path


def _includes(mjcf: Path, seen: set[Path] | None = None) -> list[Path]:
    """The MJCF and every file it ``<include>``s, recursively."""
    seen = set() if seen is None else seen
    mjcf = mjcf.resolve()
    if mjcf in seen:
        return []
    seen.add(mjcf)
    files = [mjcf]
    try:
        root = ET.parse(mjcf).getroot()
    except (ET.ParseError, OSError):
        return files  # MuJoCo's own parser reports what is wrong when the model is built
    for element in root.iter("include"):
        name = element.get("file")
        if name:
            files += _includes(mjcf.parent / name, seen)
    return files


def source_files(robot: Description) -> list[Path]:
    """Every file the robot is made of: the description, the MJCF, its includes and assets."""
    mjcf = robot.mjcf_path()
    files = [Path(robot.source)] if robot.source else []
    files += _includes(mjcf)
    spec = _load(mjcf)
    files += [_asset_source(spec, mjcf, getattr(e, a), d) for e, a, d in _asset_elements(spec)]
    return [f.resolve() for f in files]


def fingerprint(robot: Description) -> dict[str, str]:
    """sha256 of each file the robot is made of, by absolute path."""
    return {str(f): sha256_file(f) for f in source_files(robot)}


def _load(mjcf: Path) -> mujoco.MjSpec:
    try:
        return mujoco.MjSpec.from_file(str(mjcf))
    except Exception as err:  # MuJoCo raises ValueError for parse errors
        raise ConfigError(f"robot MJCF {str(mjcf)!r}: {err}") from None


def write_package(robot: RobotDescription, folder: Path) -> Path:
    """Write the robot as a self-contained folder; return its description's path."""
    mjcf = robot.mjcf_path()
    spec = _load(mjcf)
    (folder / ASSETS).mkdir(parents=True, exist_ok=True)
    for i, (element, attribute, folder_attribute) in enumerate(_asset_elements(spec)):
        source = _asset_source(spec, mjcf, getattr(element, attribute), folder_attribute)
        target = f"{ASSETS}/{i:03d}_{source.name}"
        shutil.copyfile(source, folder / target)
        setattr(element, attribute, target)
    spec.meshdir = ""
    spec.texturedir = ""
    spec.modelfiledir = str(folder)  # to_xml compiles: the copied assets resolve from here
    (folder / MJCF_FILE).write_text(spec.to_xml())
    document = robot.model_dump(mode="json", exclude={"source"}, exclude_none=True)
    document["mjcf"] = MJCF_FILE
    header = f"# the robot this run trained on: a copy of {robot.source or 'a robot description'}\n"
    (folder / DESCRIPTION_FILE).write_text(header + yaml.safe_dump(document, sort_keys=False))
    return folder / DESCRIPTION_FILE
