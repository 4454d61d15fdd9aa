"""What robot descriptions share, legged or arm: a YAML file (or a shipped name, or a mapping)
read into a strict model; the MJCF it names (a path next to the file, or a MuJoCo Menagerie
robot); per-joint values given as one number or as joint-name patterns."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from robodrl.errors import ConfigError, format_validation_error
from robodrl.files.atomic import OutputError, write_text
from robodrl.files.yamlio import load_yaml_file

MENAGERIE = "menagerie:"
HEADER = "# robodrl robot description, written by `robodrl robot init`"
Description = TypeVar("Description", bound=BaseModel)


def mjcf_path(mjcf: str, source: str) -> Path:
    """The MJCF file a description names: relative to the description's file, or fetched from
    MuJoCo Menagerie (``menagerie:<robot>[/<file>.xml]``)."""
    if mjcf.startswith(MENAGERIE):
        return menagerie_path(mjcf.removeprefix(MENAGERIE), source)
    path = Path(mjcf)
    if not path.is_absolute() and source:
        path = Path(source).parent / path
    if not path.is_file():
        raise ConfigError(f"{source or 'robot'}: mjcf: no file at {str(path)!r}")
    return path


def menagerie_path(name: str, source: str) -> Path:
    """``<robot>`` (its default model) or ``<robot>/<file>.xml`` of MuJoCo Menagerie, through
    the ``mujoco-menagerie`` package: it downloads the robot's folder on first use into its
    cache (``MENAGERIE_CACHE_DIR``), or reads a local checkout (``MENAGERIE_ROOT``)."""
    where = f"{source or 'robot'}: mjcf: {MENAGERIE}{name}"
    try:
        import mujoco_menagerie  # type: ignore[import-not-found]
    except ImportError:
        raise ConfigError(
            f"{where} needs the mujoco-menagerie package (pip install 'robodrl[menagerie]'); "
            "or give the MJCF file's path"
        ) from None
    robot_name, _, file = name.partition("/")
    try:
        robot = mujoco_menagerie.get(robot_name)
        file = file or robot.entry(robot.default_model).file
        folder = robot.path(progress=None)
    except LookupError as err:  # an unknown robot or entry point
        raise ConfigError(f"{where}: {err} (robots: python -m mujoco_menagerie list)") from None
    except mujoco_menagerie.MenagerieError as err:  # a failed download, a wrong root
        raise ConfigError(
            f"{where}: Menagerie could not provide {robot_name!r}: {err}. Without a network, "
            "point MENAGERIE_ROOT at a mujoco_menagerie checkout, or give the MJCF file's path"
        ) from None
    path = folder / file
    if not path.resolve().is_relative_to(folder.resolve()):
        raise ConfigError(f"{where}: {file!r} leads out of {robot_name}'s folder")
    if not path.is_file():
        files = sorted(p.name for p in folder.glob("*.xml"))
        raise ConfigError(f"{where}: {robot_name} has no {file!r}; its XML files: {files}")
    return path


def per_joint(value, field: str, joints: list[str], source: str) -> list[float]:
    """``value`` for each joint: one number for all, or the first matching pattern (glob) of a
    mapping; every joint must match one."""
    if not isinstance(value, dict):
        return [float(value)] * len(joints)
    values = []
    for joint in joints:
        match = next((v for p, v in value.items() if fnmatch.fnmatchcase(joint, p)), None)
        if match is None:
            raise ConfigError(
                f"{source or 'robot'}: {field}: no pattern matches joint {joint!r} "
                f"(patterns: {sorted(value)}; joints: {joints})"
            )
        values.append(float(match))
    return values


def shipped_names(package: str) -> list[str]:
    """The descriptions a package ships in its ``robots/`` folder."""
    folder = resources.files(package).joinpath("robots")
    return sorted(
        p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml")
    )


def read_description(
    robot: str | dict | Description, model: type[Description], package: str
) -> Description:
    """A description from a name ``package`` ships, a YAML path or a mapping."""
    if isinstance(robot, model):
        return robot
    if isinstance(robot, dict):
        data, source = dict(robot), str(robot.get("source", ""))
    elif isinstance(robot, str) and robot.endswith((".yaml", ".yml")):
        if not Path(robot).is_file():
            raise ConfigError(f"robot description {robot!r}: no such file")
        data, source = load_yaml_file(robot), str(Path(robot).resolve())
    elif isinstance(robot, str):
        if robot not in shipped_names(package):
            raise ConfigError(
                f"unknown robot {robot!r}; robodrl ships {shipped_names(package)}, or pass the "
                "path of a robot description (.yaml)"
            )
        path = resources.files(package).joinpath("robots", f"{robot}.yaml")
        data, source = load_yaml_file(str(path)), str(path)
    else:
        raise ConfigError(f"robot must be a name, a .yaml path or a mapping, got {robot!r}")
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: a robot description is a mapping, got {type(data).__name__}")
    try:
        return model.model_validate({**data, "source": source})
    except ValidationError as err:
        raise ConfigError(f"{source or 'robot'}: {format_validation_error(err)}") from None


# -- writing a description (robodrl robot init) -------------------------------------------------
@dataclass(frozen=True)
class Finding:
    """One field of the description, its value and where it came from."""

    field: str
    value: Any
    source: str


def render(document: dict, found: list[Finding], mjcf: Path) -> str:
    """The description as YAML, each field with the reason it was chosen."""
    lines = [f"{HEADER} from {mjcf.name}", "# units: rad, m, N·m, N·m/rad, N·m·s/rad, kg·m²"]
    reasons = {f.field: f.source for f in found}
    for field, value in document.items():
        lines.append(f"# {field}: {reasons[field]}")
        lines.append(yaml.safe_dump({field: value}, sort_keys=False, width=100).rstrip())
    return "\n".join(lines) + "\n"


def write_description(text: str, out: Path) -> None:
    """Write atomically; never replace a file that ``robot init`` did not write."""
    if out.exists():
        try:
            ours = out.is_file() and out.read_text().startswith(HEADER)
        except (OSError, UnicodeDecodeError):
            ours = False
        if not ours:
            raise OutputError(
                f"{out} exists and was not written by `robodrl robot init`; robodrl never "
                "replaces it: give another --out"
            )
    write_text(out, text)
