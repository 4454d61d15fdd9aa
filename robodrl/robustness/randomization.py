"""Domain randomization per simulation, always derived from the nominal model.

At each reset (and optionally every ``every_seconds``) each simulation draws its parameters
from its own generator; the model fields of those simulations are rebuilt from the nominal
values, every parameter is applied in order, and ``Batch.set_const(ids)`` makes the derived
constants (subtree masses, inertia-dependent terms, ...) follow. Nothing compounds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import mujoco
import numpy as np
from mujoco import batch as mjbatch

from robodrl.errors import ConfigError
from robodrl.robustness.quantities import QUANTITIES
from robodrl.robustness.roles import robot_mass
from robodrl.robustness.spec import RandomizationSpec, RandomizedParameter
from robodrl.robustness.targets import joint_dofs, match_elements

_SETCONST = set(mujoco.MjModel._setconst_inputs)


@dataclass
class Parameter:
    """A randomized parameter resolved against the model."""

    spec: RandomizedParameter
    elements: np.ndarray  # body / geom / dof / actuator ids; [0] for gravity
    names: list[str]
    width: int  # values drawn per element
    unit_scale: float = 1.0  # kg per unit of the parameter (the robot's mass for robot_mass)

    @property
    def label(self) -> str:
        return self.spec.label


def _resolve(param: RandomizedParameter, model: mujoco.MjModel, where: str) -> Parameter:
    quantity = QUANTITIES[param.quantity]
    if quantity.target == "world":
        width = 1 if param.operation == "scale" else 3
        return Parameter(param, np.array([0]), ["world"], width)
    ids, names = match_elements(model, quantity.target, param.pattern, where=where)
    if quantity.target == "joint":
        ids = joint_dofs(model, ids)
    if quantity.check is not None:
        quantity.check(model, ids, names, where)
    unit_scale = robot_mass(model) if param.unit == "robot_mass" else 1.0
    return Parameter(param, ids, names, quantity.width, unit_scale)


def _check_non_negative(param: Parameter, nominal: dict[str, np.ndarray], where: str) -> None:
    """An ``add`` whose lower bound would drive a physical quantity below zero is refused."""
    spec = param.spec
    minimum = QUANTITIES[spec.quantity].minimum
    if spec.operation != "add" or minimum is None:
        return
    low = spec.distribution.bounds()[0] * param.unit_scale
    current = _read(param, nominal)
    if (current + low < minimum).any():
        raise ConfigError(
            f"{where}: adding low={low} to {spec.quantity} of {param.names} (nominal "
            f"{np.round(current, 4).tolist()}) would make it negative"
        )


def _read(param: Parameter, fields: dict[str, np.ndarray]) -> np.ndarray:
    """The physical value of ``param`` in ``fields`` (arrays with a leading batch axis or not)."""
    return QUANTITIES[param.spec.quantity].read(fields, param.elements, param.spec)


def _apply(
    param: Parameter, work: dict[str, np.ndarray], draw: np.ndarray, progress: float
) -> None:
    """Apply one parameter's draws ``(k, n_elements, width)`` to the working fields in place."""
    op = param.spec.operation

    def combine(old: np.ndarray, x: np.ndarray) -> np.ndarray:
        if op == "scale":
            return old * (1.0 + progress * (x - 1.0))
        if op == "add":
            return old + progress * x
        return old + progress * (x - old)

    QUANTITIES[param.spec.quantity].apply(work, param.elements, draw, combine, progress, param.spec)


def transform(spec: RandomizedParameter, uniform: np.ndarray, normal: np.ndarray) -> np.ndarray:
    """Map standard draws (U(0, 1) and N(0, 1), same shape) to the parameter's distribution."""
    dist = spec.distribution
    if dist.type == "uniform":
        return dist.low + (dist.high - dist.low) * uniform
    if dist.type == "loguniform":
        return np.exp(np.log(dist.low) + np.log(dist.high / dist.low) * uniform)
    return np.clip(dist.mean + dist.std * normal, dist.low, dist.high)


@dataclass
class DomainRandomizer:
    """Per-simulation randomization of a batch's model fields (see module docstring)."""

    spec: RandomizationSpec
    batch: mjbatch.Batch
    model: mujoco.MjModel
    control_dt: float
    generators: list[np.random.Generator] = field(default_factory=list)
    progress: float = 1.0
    #: label → per-simulation value replacing the draw (robustness sweeps pin cells this way)
    pinned: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.params = [
            _resolve(p, self.model, f"randomization.params[{i}] ({p.label})")
            for i, p in enumerate(self.spec.params)
        ]
        names = sorted({f for p in self.params for f in QUANTITIES[p.spec.quantity].fields})
        self.nominal = {n: np.array(self._model_field(n)) for n in names}
        for i, p in enumerate(self.params):
            _check_non_negative(p, self.nominal, f"randomization.params[{i}] ({p.label})")
        self.fields = {n: self.batch.expand(n) for n in names}
        self.needs_set_const = any(n in _SETCONST or n.startswith("opt.") for n in names)
        nsim = self.batch.nsim
        self.values = {
            p.label: np.repeat(_read(p, self.nominal)[None], nsim, 0) for p in self.params
        }
        self.draw_sizes = [(1 if p.spec.shared else len(p.elements), p.width) for p in self.params]
        self.draws_per_sim = sum(a * b for a, b in self.draw_sizes)
        self.any_gaussian = any(p.spec.distribution.type == "gaussian" for p in self.params)
        every = self.spec.every_seconds
        self.interval_steps = None if every is None else max(1, round(every / self.control_dt))

    def _model_field(self, name: str) -> np.ndarray:
        return self.model.opt.gravity if name == "opt.gravity" else getattr(self.model, name)

    @property
    def active(self) -> bool:
        """Whether any parameter is randomized."""
        return bool(self.params)

    def pin(self, label: str, values: np.ndarray) -> None:
        """Fix parameter ``label`` to ``values[i]`` in simulation i from the next resample on;
        draws are still made, so the other streams stay as they were."""
        labels = [p.label for p in self.params]
        if label not in labels:
            raise ConfigError(f"no randomized parameter {label!r}; parameters: {labels}")
        values = np.asarray(values, dtype=np.float64)
        if values.shape != (self.batch.nsim,):
            raise ConfigError(f"pinned values for {label!r} need shape ({self.batch.nsim},)")
        self.pinned[label] = values

    def set_progress(self, progress: float) -> None:
        """Curriculum: scale every range toward nominal; 0 = nominal, 1 = the full ranges."""
        if not 0.0 <= progress <= 1.0:
            raise ConfigError(f"curriculum progress must be in [0, 1], got {progress!r}")
        self.progress = float(progress)

    def resample(self, ids: np.ndarray) -> None:
        """Draw new parameters for simulations ``ids`` and write their model fields."""
        if not self.params or len(ids) == 0:
            return
        work = {n: np.repeat(v[None], len(ids), 0) for n, v in self.nominal.items()}
        # one uniform and one normal block per simulation, from its own generator
        uniform = np.stack([self.generators[s].random(self.draws_per_sim) for s in ids])
        normal = np.zeros_like(uniform)
        if self.any_gaussian:
            normal = np.stack([self.generators[s].standard_normal(self.draws_per_sim) for s in ids])
        start = 0
        for p, size in zip(self.params, self.draw_sizes, strict=True):
            block = slice(start, start + size[0] * size[1])
            start = block.stop
            x = transform(p.spec, uniform[:, block], normal[:, block]).reshape(len(ids), *size)
            if p.label in self.pinned:  # a sweep cell: this simulation's value is fixed
                x = np.broadcast_to(self.pinned[p.label][ids, None, None], x.shape)
            if p.unit_scale != 1.0:  # a fraction of the robot's mass, in kg
                x = x * p.unit_scale
            shape = (len(ids), len(p.elements), p.width)
            _apply(p, work, np.broadcast_to(x, shape), self.progress)
        for name, values in work.items():
            self.fields[name][ids] = values
        if self.needs_set_const:
            self.batch.set_const(ids)
        for p in self.params:
            updated = self.values[p.label].copy()  # a new array: earlier info["dr"] stays valid
            updated[ids] = _read(p, work)
            self.values[p.label] = updated

    def due(self, elapsed_steps: np.ndarray) -> np.ndarray:
        """Simulations whose interval resample falls on this step."""
        if self.interval_steps is None:
            return np.zeros(0, dtype=np.int64)
        return np.flatnonzero((elapsed_steps > 0) & (elapsed_steps % self.interval_steps == 0))

    # -- checkpoint state -------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """Everything needed to continue exactly: generator states, progress, current fields."""
        return {
            "generators": [g.bit_generator.state for g in self.generators],
            "progress": self.progress,
            "fields": {n: np.array(f).tolist() for n, f in self.fields.items()},
            "values": {k: v.tolist() for k, v in self.values.items()},
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore a :meth:`state_dict`; the next draws equal those the saved sampler made."""
        if len(state["generators"]) != len(self.generators):
            raise ConfigError(
                f"randomizer state has {len(state['generators'])} simulations, "
                f"this env has {len(self.generators)}"
            )
        for g, s in zip(self.generators, state["generators"], strict=True):
            g.bit_generator.state = s
        self.progress = float(state["progress"])
        for name, values in state["fields"].items():
            self.fields[name][:] = np.asarray(values)
        if self.needs_set_const:
            self.batch.set_const()
        self.values = {k: np.asarray(v) for k, v in state["values"].items()}
