"""Sweep YAML: a grid (or a random set) of cells over randomized quantities and perturbations.

::

    name: mass-friction
    kind: grid                  # grid | random
    episodes: 5                 # per cell (default; --episodes overrides)
    samples: 50                 # random sets only
    axes:
      - name: mass_scale        # every body's mass (and inertia) x value
        randomize: {body: "*", quantity: mass, operation: scale}
        values: {low: 0.5, high: 1.5, num: 11}   # or a list; random sets: {low, high}
      - name: obs_noise_std     # a perturbation; see PERTURBATION_AXES
        perturb: observation_noise
        group: all
        values: [0.0, 0.05, 0.1]
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field, ValidationError, model_validator

from robodrl.errors import ConfigError, format_validation_error
from robodrl.files.yamlio import load_yaml_file
from robodrl.robustness.loading import presets_folder
from robodrl.robustness.quantities import QUANTITIES
from robodrl.robustness.spec import AsTuple, Ordered
from robodrl.schema import Strict

#: perturbation axes and what their value means
PERTURBATION_AXES = {
    "observation_noise": "std of Gaussian noise on the observation group, obs units",
    "observation_latency_steps": "observation delay, control steps",
    "action_noise_std": "std of Gaussian noise on the action, [-1, 1] units",
    "action_latency_steps": "action delay, control steps",
    "motor_strength": "actuator force scale for the whole episode",
    "push_velocity": "velocity kick on `body`, m/s, every `interval_seconds`",
    "push_force": "force on `body`, N, for 0.1 s every `interval_seconds`",
    "adversary_force_scale": "the adversary's force cap x value (0: none, 1: its own cap); "
    "needs `robodrl eval --adversary RUN|random`",
}
ADVERSARY_AXIS = "adversary_force_scale"
INTEGER_AXES = ("observation_latency_steps", "action_latency_steps")


class Span(Ordered):
    """Evenly spaced values (grid) or a sampling range (random)."""

    low: float
    high: float
    num: Annotated[int, Field(ge=1, le=1000)] | None = None


class Axis(Strict):
    """One swept quantity."""

    name: str
    randomize: dict[str, Any] | None = None
    perturb: Literal[tuple(PERTURBATION_AXES)] | None = None  # type: ignore[valid-type]
    group: str = "all"
    body: str | None = None
    interval_seconds: Annotated[tuple[float, float], AsTuple] = (2.0, 3.0)
    values: list[float] | Span

    @model_validator(mode="after")
    def _one_target(self) -> Axis:
        if (self.randomize is None) == (self.perturb is None):
            raise ValueError("give exactly one of randomize: {...} or perturb: <name>")
        if self.randomize is not None:
            if "distribution" in self.randomize or "name" in self.randomize:
                raise ValueError("randomize: the axis supplies name and values; drop them")
            quantity = self.randomize.get("quantity")
            if quantity not in QUANTITIES:
                valid = ", ".join(QUANTITIES)
                raise ValueError(
                    f"randomize.quantity: unknown quantity {quantity!r}; valid: {valid}"
                )
        if self.perturb in ("push_velocity", "push_force") and self.body is None:
            raise ValueError(f"{self.perturb} needs body: <name>")
        if isinstance(self.values, list) and not self.values:
            raise ValueError("values: the list is empty")
        return self

    def grid_values(self) -> list[float]:
        """The axis's grid points."""
        if isinstance(self.values, list):
            return list(self.values)
        if self.values.num is None:
            raise ValueError(f"axis {self.name}: a grid needs values.num (or a list)")
        return np.linspace(self.values.low, self.values.high, self.values.num).tolist()

    def bounds(self) -> tuple[float, float]:
        """Smallest and largest value the axis takes."""
        if isinstance(self.values, list):
            return min(self.values), max(self.values)
        return self.values.low, self.values.high


class SweepSpec(Strict):
    """A robustness sweep over one task."""

    name: str = "sweep"
    description: str = ""
    kind: Literal["grid", "random"] = "grid"
    episodes: Annotated[int, Field(ge=1, le=1000)] = 5
    samples: Annotated[int, Field(ge=1, le=100_000)] = 50
    seed: Annotated[int, Field(ge=0)] = 0
    axes: list[Axis] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> SweepSpec:
        names = [a.name for a in self.axes]
        if len(set(names)) != len(names):
            raise ValueError(f"axis names must be unique: {names}")
        if sum(a.perturb == ADVERSARY_AXIS for a in self.axes) > 1:
            raise ValueError(f"one {ADVERSARY_AXIS} axis at most")
        return self

    def adversary_axis(self) -> str | None:
        """The name of the axis that scales an adversary's forces, if the sweep has one."""
        return next((a.name for a in self.axes if a.perturb == ADVERSARY_AXIS), None)

    def cells(self) -> list[dict[str, float]]:
        """Every cell as axis name → value."""
        if self.kind == "random":
            rng = np.random.default_rng(self.seed)
            columns = {a.name: rng.uniform(*a.bounds(), self.samples) for a in self.axes}
            cells = [{n: float(v[i]) for n, v in columns.items()} for i in range(self.samples)]
        else:
            grids = [a.grid_values() for a in self.axes]
            cells = [
                dict(zip([a.name for a in self.axes], c, strict=True))
                for c in itertools.product(*grids)
            ]
        for axis in self.axes:
            if axis.perturb in INTEGER_AXES:
                for cell in cells:
                    cell[axis.name] = float(round(cell[axis.name]))
        return cells


def load_sweep(source: str | Path | dict, env_id: str) -> SweepSpec:
    """A sweep from a dict, a YAML path, or the name of one in the task's ``presets/sweeps/``."""
    where = "sweep"
    if isinstance(source, dict):
        data = source
    else:
        path = Path(source)
        if not str(source).endswith((".yaml", ".yml")):
            path = presets_folder(env_id) / "sweeps" / f"{source}.yaml"
            if not path.is_file():
                folder = path.parent
                names = sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []
                raise ConfigError(f"unknown sweep {source!r} for {env_id}; sweeps: {names}")
        data, where = load_yaml_file(path), str(path)
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: a sweep must be a mapping")
    try:
        spec = SweepSpec.model_validate(data)
        spec.cells()
    except ValidationError as err:
        raise ConfigError(f"{where}: {format_validation_error(err)}") from None
    except ValueError as err:
        raise ConfigError(f"{where}: {err}") from None
    return spec
