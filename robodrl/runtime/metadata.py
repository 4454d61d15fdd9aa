"""A policy file's metadata, read and checked against its graph before anything uses it: the
sizes the graph really has, control ranges of ``act_dim`` finite values with low < high, a
positive control period, an observation layout inside the observation. A crafted or damaged
file is refused with the field it got wrong, never run as something else."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from robodrl.errors import RobodrlError


class RuntimePolicyError(RobodrlError, ValueError):
    """A policy file or an observation the runtime cannot use."""


#: metadata keys every robodrl policy file carries (``metadata_props``)
REQUIRED_METADATA = (
    "producer",
    "producer_version",
    "env_id",
    "obs_dim",
    "act_dim",
    "obs_layout",
    "actuator_names",
    "ctrl_low",
    "ctrl_high",
    "control_dt",
    "algorithm",
)


@dataclass(frozen=True)
class PolicyMetadata:
    """The checked facts of a policy file."""

    env_id: str
    obs_dim: int
    act_dim: int
    ctrl_low: np.ndarray
    ctrl_high: np.ndarray
    control_dt: float
    obs_layout: dict[str, tuple[int, int]]
    actuator_names: list[str]
    task_arguments: dict[str, Any]


def check_metadata(path: Path, meta: dict[str, str], session) -> PolicyMetadata:
    """Parse and check ``meta`` (the file's ``metadata_props``) against ``session``'s graph."""
    missing = [key for key in REQUIRED_METADATA if key not in meta]
    if missing:
        raise RuntimePolicyError(
            f"{path}: not a robodrl policy file, metadata keys missing: {missing}"
        )
    field = MetadataFields(path, meta)
    obs_dim, act_dim = field.positive_int("obs_dim"), field.positive_int("act_dim")
    _check_graph(path, session, obs_dim, act_dim)
    low = field.vector("ctrl_low", act_dim)
    high = field.vector("ctrl_high", act_dim)
    if not (low < high).all():
        index = int(np.argmax(~(low < high)))
        raise RuntimePolicyError(
            f"{path}: metadata ctrl_low[{index}] = {low[index]} is not below ctrl_high[{index}]"
            f" = {high[index]}; every control range needs low < high"
        )
    control_dt = field.number("control_dt")
    if not 0 < control_dt <= 10:
        raise RuntimePolicyError(
            f"{path}: metadata control_dt = {control_dt}; a control period is in (0, 10] s"
        )
    names = field.json("actuator_names", list)
    if len(names) != act_dim or not all(isinstance(n, str) for n in names):
        raise RuntimePolicyError(
            f"{path}: metadata actuator_names must be {act_dim} names (act_dim), got {names!r:.80}"
        )
    return PolicyMetadata(
        env_id=str(meta["env_id"]),
        obs_dim=obs_dim,
        act_dim=act_dim,
        ctrl_low=low.astype(np.float32),
        ctrl_high=high.astype(np.float32),
        control_dt=control_dt,
        obs_layout=field.layout("obs_layout", obs_dim),
        actuator_names=names,
        task_arguments=field.json("task_arguments", dict) if "task_arguments" in meta else {},
    )


def _check_graph(path: Path, session, obs_dim: int, act_dim: int) -> None:
    inputs, outputs = session.get_inputs(), session.get_outputs()
    if len(inputs) != 1 or inputs[0].name != "obs":
        raise RuntimePolicyError(f"{path}: expected one input named 'obs'")
    action = [o for o in outputs if o.name == "action"]
    if not action:
        raise RuntimePolicyError(f"{path}: expected an output named 'action'")
    for name, shape, size, key in (
        ("input 'obs'", inputs[0].shape, obs_dim, "obs_dim"),
        ("output 'action'", action[0].shape, act_dim, "act_dim"),
    ):
        last = shape[-1] if shape else None
        if len(shape or ()) != 2 or (isinstance(last, int) and last != size):
            raise RuntimePolicyError(
                f"{path}: metadata {key} = {size}, but the graph's {name} has shape {shape}; "
                "the file's metadata does not describe its network"
            )


class MetadataFields:
    """Typed reads of a file's metadata values (JSON text), each error naming the field."""

    def __init__(self, path: Path, meta: dict[str, str]) -> None:
        self.path, self.meta = path, meta

    def fail(self, key: str, expected: str) -> RuntimePolicyError:
        return RuntimePolicyError(
            f"{self.path}: metadata {key} = {self.meta.get(key)!r:.80} is not {expected}"
        )

    def json(self, key: str, kind: type) -> Any:
        try:
            value = json.loads(self.meta[key])
        except (ValueError, RecursionError):
            raise self.fail(key, f"valid JSON ({kind.__name__})") from None
        if not isinstance(value, kind):
            raise self.fail(key, f"a JSON {kind.__name__}")
        return value

    def positive_int(self, key: str) -> int:
        text = self.meta[key]
        if not text.isdigit() or not 0 < int(text) <= 1_000_000:
            raise self.fail(key, "a whole number from 1 to 1,000,000")
        return int(text)

    def number(self, key: str) -> float:
        try:
            value = float(self.meta[key])
        except ValueError:
            raise self.fail(key, "a number") from None
        if not math.isfinite(value):
            raise self.fail(key, "a finite number")
        return value

    def vector(self, key: str, size: int) -> np.ndarray:
        values = self.json(key, list)
        if len(values) != size or not all(_is_number(v) for v in values):
            raise self.fail(key, f"a list of {size} finite numbers (act_dim)")
        return np.asarray(values, dtype=np.float64)

    def layout(self, key: str, obs_dim: int) -> dict[str, tuple[int, int]]:
        layout = self.json(key, dict)
        for span in layout.values():
            ok = isinstance(span, list) and len(span) == 2 and all(type(v) is int for v in span)
            if not ok or not 0 <= span[0] < span[1] <= obs_dim:
                raise self.fail(key, f"a map of name -> [start, stop] within 0..{obs_dim}")
        return {k: (v[0], v[1]) for k, v in layout.items()}


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
