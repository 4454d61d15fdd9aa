"""Find and validate robustness documents: a preset name, a YAML path, or a dict."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from robodrl.errors import ConfigError, format_validation_error
from robodrl.files.yamlio import load_yaml_file
from robodrl.registry import get_spec
from robodrl.robustness.spec import (
    CurriculumSpec,
    PerturbationSpec,
    RandomizationSpec,
    RobustnessSpec,
)
from robodrl.schema import validate_mapping

SECTIONS = ("randomization", "perturbations")


def presets_folder(env_id: str) -> Path:
    """The presets folder of ``env_id``'s task, beside its code (its registration says where:
    :meth:`~robodrl.registry.EnvSpec.presets_folder`)."""
    return get_spec(env_id).presets_folder()


def preset_names(env_id: str) -> list[str]:
    """Names of the presets available for ``env_id``."""
    folder = presets_folder(env_id)
    return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []


def _document(source: Any, env_id: str) -> tuple[dict[str, Any], str]:
    """The raw mapping behind ``source`` and a name for error messages."""
    if isinstance(source, dict):
        return source, "dict"
    if isinstance(source, Path) or (isinstance(source, str) and source.endswith((".yaml", ".yml"))):
        data, where = load_yaml_file(source), str(source)
    elif isinstance(source, str):
        path = presets_folder(env_id) / f"{source}.yaml"
        if not path.is_file():
            raise ConfigError(
                f"unknown preset {source!r} for {env_id}; presets: {preset_names(env_id)} "
                f"(in {path.parent}), or pass a YAML path or a dict"
            )
        data, where = load_yaml_file(path), str(path)
    else:
        raise ConfigError(
            f"expected a preset name, a YAML path or a dict, got {type(source).__name__}"
        )
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: the document must be a mapping, got {type(data).__name__}")
    return data, where


def load_robustness(source: Any, env_id: str) -> RobustnessSpec:
    """Validate a whole robustness document (both sections)."""
    if isinstance(source, RobustnessSpec):
        return source
    data, where = _document(source, env_id)
    try:
        return RobustnessSpec.model_validate(data)
    except ValidationError as err:
        raise ConfigError(f"{where}: {format_validation_error(err)}") from None


def load_section(source: Any, env_id: str, section: str) -> RandomizationSpec | PerturbationSpec:
    """One section of a document; a dict without section keys is taken as the section itself."""
    model = RandomizationSpec if section == "randomization" else PerturbationSpec
    if isinstance(source, model):
        return source
    if isinstance(source, dict) and "preset" in source:
        return _preset_with_overrides(source, env_id, section)
    data, where = _document(source, env_id)
    if isinstance(source, dict) and not any(key in data for key in SECTIONS):
        data = {section: data}
    try:
        spec = RobustnessSpec.model_validate(data)
    except ValidationError as err:
        raise ConfigError(f"{where}: {format_validation_error(err)}") from None
    return getattr(spec, section)


def _preset_with_overrides(
    source: dict[str, Any], env_id: str, section: str
) -> RandomizationSpec | PerturbationSpec:
    """``{preset: NAME or PATH, <field>: value, ...}``: that preset's section with the named
    fields replaced whole (``pushes: [...]`` replaces the preset's pushes)."""
    base = source["preset"]
    if not isinstance(base, str | Path):
        raise ConfigError(
            f"{section}.preset: a preset name or a YAML path, got {type(base).__name__}"
        )
    try:
        merged = load_section(base, env_id, section).model_dump()
    except ConfigError as err:
        raise ConfigError(f"{section}.preset: {err}") from None
    merged.update({key: value for key, value in source.items() if key != "preset"})
    try:
        spec = RobustnessSpec.model_validate({section: merged})
    except ValidationError as err:
        raise ConfigError(format_validation_error(err)) from None
    return getattr(spec, section)


def load_curriculum(source: CurriculumSpec | dict) -> CurriculumSpec:
    """A curriculum (``env.curriculum``: a mapping with ``steps``, ``start``, ``applies_to``)."""
    if isinstance(source, CurriculumSpec):
        return source
    what = "a mapping with steps (and start, applies_to)"
    field = "env.curriculum"
    return validate_mapping(CurriculumSpec, source, where=field, field=field, what=what)
