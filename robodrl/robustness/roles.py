"""Roles: presets name a robot's parts by what they are (``@base``, ``@feet``, ``@legs``), not by
the names one MJCF happens to use.

A task that knows its robot (the Legged task, from its robot description) writes the roles into
the compiled model as a custom text element, so every resolver that sees the model (randomization,
perturbations, adversaries, sweeps) can map a role to element names:

- ``@base``: the floating base body;
- ``@feet``: the foot geoms (``geom:``) or the bodies that carry them (``body:``);
- ``@legs`` (alias ``@joints``): the actuated leg joints (``joint:``) and their actuators
  (``actuator:``);
- ``@robot``: every body and geom of the robot (the floor and the scene left out).

An arm's scene (:mod:`robodrl.envs.manipulator.build`) writes ``@base``, ``@arm`` (its bodies,
joints and actuators), ``@hand`` (the body of the end-effector site), ``@gripper`` (its
actuators, finger bodies and their geoms), ``@table`` and, with a block, ``@object``.

A pattern that starts with ``@`` is a role; anything else is a name or glob as before.
"""

from __future__ import annotations

import json

import mujoco

from robodrl.errors import ConfigError

ROLE_TEXT = "robodrl:roles"
ALIASES = {"joints": "legs"}
Roles = dict[str, dict[str, list[str]]]


def add_roles(spec: mujoco.MjSpec, roles: Roles) -> None:
    """Record ``roles`` (role -> element kind -> names) in the model ``spec`` compiles to."""
    spec.add_text(name=ROLE_TEXT, data=json.dumps(roles, sort_keys=True))


def model_roles(model: mujoco.MjModel) -> Roles:
    """The roles a model carries (empty for a model written without them)."""
    index = mujoco.mj_name2id(model, mujoco.mjtObj.mjOBJ_TEXT, ROLE_TEXT)
    if index < 0:
        return {}
    start, size = int(model.text_adr[index]), int(model.text_size[index])
    text = bytes(model.text_data[start : start + size]).rstrip(b"\0")
    try:
        roles = json.loads(text.decode())
    except (UnicodeDecodeError, ValueError):
        roles = None
    if not isinstance(roles, dict):
        raise ConfigError(f"the model's {ROLE_TEXT!r} text is not a JSON mapping of roles")
    return roles


def role_names(model: mujoco.MjModel, kind: str, pattern: str, *, where: str) -> list[str]:
    """The ``kind`` element names that role ``pattern`` (``@feet``) stands for on this model."""
    role = pattern.removeprefix("@")
    role = ALIASES.get(role, role)
    roles = model_roles(model)
    if not roles:
        raise ConfigError(
            f"{where}: {pattern!r} is a role, but this task's model declares no roles (roles "
            "come from a robot description: robodrl/Legged-v*, robodrl/Manipulator*-v0); name "
            "the elements instead"
        )
    names = roles.get(role, {}).get(kind)
    if not names:
        valid = ", ".join(f"@{r} ({', '.join(sorted(k))})" for r, k in sorted(roles.items()) if k)
        raise ConfigError(f"{where}: no {kind} has the role {pattern!r}; roles: {valid}")
    return list(names)


def robot_mass(model: mujoco.MjModel) -> float:
    """The robot's mass in kg: everything below its ``@base`` when the model has roles, else
    every body of the model."""
    base = model_roles(model).get("base", {}).get("body")
    if not base:
        return float(model.body_subtreemass[0])
    return float(model.body_subtreemass[model.body(base[0]).id])
