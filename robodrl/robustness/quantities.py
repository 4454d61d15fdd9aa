"""The quantities domain randomization changes, one object each: what it targets, the
operations it takes, the bound an ``add`` may not cross, what it means for people, the model
fields it writes, and how it is read, checked and applied. A new quantity is one entry here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import mujoco
import numpy as np

from robodrl.errors import ConfigError

#: a friction ``component`` → its columns of ``geom_friction``
COMPONENTS = {"sliding": [0], "torsional": [1], "rolling": [2], "all": [0, 1, 2]}

#: ``combine(old, x)``: the operation (scale / add / set) at the curriculum's progress
Combine = Callable[[np.ndarray, np.ndarray], np.ndarray]
#: ``read(fields, elements, spec)``: the physical value in ``fields`` (batched or not)
Read = Callable[[dict[str, np.ndarray], np.ndarray, Any], np.ndarray]
#: ``apply(work, elements, draws, combine, progress, spec)``: write draws ``(k, n, width)``
Apply = Callable[[dict[str, np.ndarray], np.ndarray, np.ndarray, Combine, float, Any], None]
#: ``check(model, ids, names, where)``: refuse elements the quantity cannot change
Check = Callable[[mujoco.MjModel, np.ndarray, list[str], str], None]


@dataclass(frozen=True)
class Quantity:
    """One randomizable quantity."""

    target: str  # body | geom | joint | actuator | world
    operations: tuple[str, ...]
    #: the lowest value an ``add`` may produce (None: any)
    minimum: float | None
    #: what it changes, for people (docs and errors)
    note: str
    #: the model fields it writes
    fields: tuple[str, ...]
    read: Read
    apply: Apply
    #: values drawn per element
    width: int = 1
    check: Check | None = None


ALL = ("scale", "add", "set")


def _column(field: str, column: int | None = None, sign: float = 1.0) -> Read:
    def read(fields: dict[str, np.ndarray], el: np.ndarray, spec: Any) -> np.ndarray:
        value = fields[field][..., el] if column is None else fields[field][..., el, column]
        return sign * value

    return read


def _combined(field: str) -> Apply:
    """Apply the operation to one field's entries of the elements."""

    def apply(work, el, x, combine, progress, spec) -> None:
        work[field][:, el] = combine(work[field][:, el], x[..., 0])

    return apply


def _mass(work, el, x, combine, progress, spec) -> None:
    old = work["body_mass"][:, el]
    new = combine(old, x[..., 0])
    ratio = np.divide(new, old, out=np.ones_like(new), where=old > 0)
    work["body_mass"][:, el] = new
    work["body_inertia"][:, el] *= ratio[..., None]


def _payload(work, el, x, combine, progress, spec) -> None:
    work["body_mass"][:, el] += progress * x[..., 0]


def _com_offset(work, el, x, combine, progress, spec) -> None:
    work["body_ipos"][:, el] += progress * x


def _read_friction(fields, el, spec) -> np.ndarray:
    return fields["geom_friction"][..., el, :][..., COMPONENTS[spec.component]]


def _friction(work, el, x, combine, progress, spec) -> None:
    friction = work["geom_friction"]
    for c in COMPONENTS[spec.component]:
        friction[:, el, c] = combine(friction[:, el, c], x[..., 0])


def _kp(work, el, x, combine, progress, spec) -> None:
    kp = combine(work["actuator_gainprm"][:, el, 0], x[..., 0])
    work["actuator_gainprm"][:, el, 0] = kp
    work["actuator_biasprm"][:, el, 1] = -kp


def _kd(work, el, x, combine, progress, spec) -> None:
    work["actuator_biasprm"][:, el, 2] = -combine(-work["actuator_biasprm"][:, el, 2], x[..., 0])


def _gain(work, el, x, combine, progress, spec) -> None:
    work["actuator_gainprm"][:, el, 0] = combine(work["actuator_gainprm"][:, el, 0], x[..., 0])


def _strength(work, el, x, combine, progress, spec) -> None:
    scale = 1.0 + progress * (x[..., 0] - 1.0)
    work["actuator_gainprm"][:, el, 0] *= scale
    work["actuator_biasprm"][:, el, :3] *= scale[..., None]


def _force_limit(work, el, x, combine, progress, spec) -> None:
    limit = combine(work["actuator_forcerange"][:, el, 1], x[..., 0])
    work["actuator_forcerange"][:, el] = np.stack([-limit, limit], axis=-1)


def _read_gravity(fields, el, spec) -> np.ndarray:
    return fields["opt.gravity"]


def _gravity(work, el, x, combine, progress, spec) -> None:
    draws = x[:, 0, :] if x.shape[-1] == 3 else x[:, 0, :1]  # a vector, or one factor
    work["opt.gravity"] = combine(work["opt.gravity"], draws)


def _pd_only(name: str) -> Check:
    """kp / kd: only PD position actuators (affine bias, gain = -bias[1]) have them."""

    def check(model: mujoco.MjModel, ids: np.ndarray, names: list[str], where: str) -> None:
        not_pd = [
            n
            for a, n in zip(ids, names, strict=True)
            if model.actuator_biastype[a] != mujoco.mjtBias.mjBIAS_AFFINE
            or model.actuator_gainprm[a, 0] != -model.actuator_biasprm[a, 1]
        ]
        if not_pd:
            raise ConfigError(f"{where}: {name} needs PD position actuators; {not_pd} are not")

    return check


def _force_limited(model: mujoco.MjModel, ids: np.ndarray, names: list[str], where: str) -> None:
    unlimited = [n for a, n in zip(ids, names, strict=True) if not model.actuator_forcelimited[a]]
    if unlimited:
        raise ConfigError(f"{where}: actuators {unlimited} have no force limit to randomize")


QUANTITIES: dict[str, Quantity] = {
    "mass": Quantity("body", ALL, 0.0, "mass in kg; inertia scaled by the same factor",
                     ("body_mass", "body_inertia"), _column("body_mass"), _mass),
    "payload": Quantity("body", ("add",), 0.0, "kg added at the body's centre of mass",
                        ("body_mass",), _column("body_mass"), _payload),
    "com_offset": Quantity("body", ("add",), None,
                           "centre of mass shifted by (x, y, z) m, body frame", ("body_ipos",),
                           lambda f, el, s: f["body_ipos"][..., el, :], _com_offset, width=3),
    "friction": Quantity("geom", ALL, 0.0,
                         "`component`: sliding (default), torsional, rolling, all",
                         ("geom_friction",), _read_friction, _friction),
    "damping": Quantity("joint", ALL, 0.0, "N·m·s/rad (or N·s/m), per degree of freedom",
                        ("dof_damping",), _column("dof_damping"), _combined("dof_damping")),
    "armature": Quantity("joint", ALL, 0.0, "kg·m², per degree of freedom", ("dof_armature",),
                         _column("dof_armature"), _combined("dof_armature")),
    "frictionloss": Quantity("joint", ALL, 0.0, "N·m, per degree of freedom",
                             ("dof_frictionloss",), _column("dof_frictionloss"),
                             _combined("dof_frictionloss")),
    "kp": Quantity("actuator", ALL, 0.0, "PD position gain, N·m/rad",
                   ("actuator_gainprm", "actuator_biasprm"), _column("actuator_gainprm", 0),
                   _kp, check=_pd_only("kp")),
    "kd": Quantity("actuator", ALL, 0.0, "PD damping gain, N·m·s/rad", ("actuator_biasprm",),
                   _column("actuator_biasprm", 2, sign=-1.0), _kd, check=_pd_only("kd")),
    "gain": Quantity("actuator", ALL, None, "`gainprm[0]` (motor gain)", ("actuator_gainprm",),
                     _column("actuator_gainprm", 0), _gain),
    "strength": Quantity("actuator", ("scale",), 0.0, "the whole actuator force",
                         ("actuator_gainprm", "actuator_biasprm"),
                         _column("actuator_gainprm", 0), _strength),
    "force_limit": Quantity("actuator", ("scale", "set"), 0.0,
                            "torque limit |forcerange|, N·m (force-limited actuators)",
                            ("actuator_forcerange",), _column("actuator_forcerange", 1),
                            _force_limit, check=_force_limited),
    "gravity": Quantity("world", ALL, None,
                        "m/s² (`world: true`); scale: one factor for the vector",
                        ("opt.gravity",), _read_gravity, _gravity),
}  # fmt: skip
