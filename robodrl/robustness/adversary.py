"""A learned adversary's forces: the second player of Robust Adversarial RL (Pinto et al., 2017).

The adversary's action, in [-1, 1], maps to bounded forces (and optionally torques) on named
bodies, in the world frame at each body's centre of mass. They are written to ``xfrc_applied``
before a control step and stay on for each of its physics steps (MuJoCo keeps ``xfrc_applied``
until it is changed; a reset clears it). The adversary adds its wrench to whatever else is
there (a scripted force push on the same body) and takes back only its own.

The YAML section (``adversary:`` in a config, or the task's ``presets/adversaries/<name>.yaml``;
``default`` is the task's default, following RARL / RRLS)::

    adversary:
      bodies: [torso, foot]     # names or glob patterns
      max_force: 5.0            # N, per component
      max_torque: 0.0           # N·m, per component (0: no torques)
      components: [x, z]        # force axes (world frame); default all three
      torque_components: [y]    # torque axes, when max_torque > 0; default all three
      observation: protagonist  # or privileged: also the true qpos and qvel

Action layout: for each matched body in model order, its force components, then its torque
components (when ``max_torque > 0``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import mujoco
import numpy as np
from mujoco import batch as mjbatch
from pydantic import Field, model_validator

from robodrl.errors import ConfigError, InvalidActionError
from robodrl.files.yamlio import load_yaml_file
from robodrl.robustness.loading import presets_folder
from robodrl.robustness.roles import robot_mass
from robodrl.robustness.spec import AsTuple
from robodrl.robustness.targets import match_elements
from robodrl.schema import NonNegative, Strict, validate_mapping

Axis = Literal["x", "y", "z"]
AXES = {"x": 0, "y": 1, "z": 2}
Axes = Annotated[tuple[Axis, ...], AsTuple, Field(min_length=1)]


class AdversarySpec(Strict):
    """Where the adversary pushes and how hard (see the module docstring)."""

    bodies: Annotated[tuple[str, ...], AsTuple, Field(min_length=1)]
    max_force: NonNegative
    max_torque: NonNegative = 0.0
    components: Axes = ("x", "y", "z")
    torque_components: Axes = ("x", "y", "z")
    observation: Literal["protagonist", "privileged"] = "protagonist"
    #: newton, or robot_weight: max_force is a fraction of the robot's weight (mass x |g|)
    force_unit: Literal["newton", "robot_weight"] = "newton"

    def force_cap(self, model: mujoco.MjModel) -> float:
        """``max_force`` in newtons on ``model``'s robot."""
        if self.force_unit == "newton":
            return self.max_force
        return self.max_force * robot_mass(model) * float(np.linalg.norm(model.opt.gravity))

    @model_validator(mode="after")
    def _distinct(self) -> AdversarySpec:
        for field in ("components", "torque_components"):
            axes = getattr(self, field)
            if len(set(axes)) != len(axes):
                raise ValueError(f"{field}: each axis once, got {list(axes)}")
        return self


def adversary_names(env_id: str) -> list[str]:
    """Names of the adversaries shipped for ``env_id`` (its ``presets/adversaries/``)."""
    folder = presets_folder(env_id) / "adversaries"
    return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []


def load_adversary(source: Any, env_id: str) -> AdversarySpec:
    """An adversary from a preset name (``"default"``: the task's), a YAML path or a dict."""
    if isinstance(source, AdversarySpec):
        return source
    where = "adversary"
    if isinstance(source, str) and not source.endswith((".yaml", ".yml")):
        path = presets_folder(env_id) / "adversaries" / f"{source}.yaml"
        if not path.is_file():
            raise ConfigError(
                f"adversary: unknown adversary preset {source!r} for {env_id}; presets: "
                f"{adversary_names(env_id) or '(none)'}; or give the section (bodies, "
                "max_force, ...) or a YAML path"
            )
        source = path
    if isinstance(source, str | Path):
        where, source = str(source), load_yaml_file(source)
        if isinstance(source, dict) and "adversary" in source:
            source = source["adversary"]
    what = "a mapping with bodies and max_force, a preset name or a YAML path"
    return validate_mapping(AdversarySpec, source, where=where, field="adversary", what=what)


class Adversary:
    """Bounded wrenches on a batch's bodies from the adversary's actions."""

    def __init__(self, spec: AdversarySpec, batch: mjbatch.Batch, model: mujoco.MjModel) -> None:
        self.spec = spec
        self.body_ids = self.check_bodies(spec, model)
        self.body_names = [model.body(int(b)).name for b in self.body_ids]
        columns = [AXES[a] for a in spec.components]
        caps = [spec.force_cap(model)] * len(columns)
        if spec.max_torque > 0:
            columns += [3 + AXES[a] for a in spec.torque_components]
            caps += [spec.max_torque] * len(spec.torque_components)
        self.columns = np.array(columns, dtype=np.int64)
        self.caps = np.array(caps)
        self.action_dim = len(self.body_ids) * len(columns)
        self.action_names = [
            f"{body}:{'force' if c < 3 else 'torque'}_{'xyz'[c % 3]}"
            for body in self.body_names
            for c in columns
        ]
        self.xfrc = batch.bind("xfrc_applied")
        self.applied = np.zeros((batch.nsim, len(self.body_ids), 6))
        #: each simulation's share of the caps (a sweep's ``adversary_force_scale``)
        self.scale = np.ones(batch.nsim)

    @staticmethod
    def check_bodies(spec: AdversarySpec, model: mujoco.MjModel) -> np.ndarray:
        """Ids of the bodies ``spec`` names in ``model``; an unknown name lists the valid ones."""
        ids: set[int] = set()
        for i, pattern in enumerate(spec.bodies):
            found, _ = match_elements(model, "body", pattern, where=f"adversary.bodies[{i}]")
            ids.update(int(b) for b in found)
        return np.array(sorted(ids), dtype=np.int64)

    def wrench(self, action: np.ndarray) -> np.ndarray:
        """``(num_envs, bodies, 6)`` world-frame wrenches for actions in [-1, 1]."""
        act = np.clip(action, -1.0, 1.0).reshape(action.shape[0], len(self.body_ids), -1)
        wrench = np.zeros((action.shape[0], len(self.body_ids), 6))
        wrench[:, :, self.columns] = act * self.caps * self.scale[:, None, None]
        return wrench

    def apply(self, action: np.ndarray) -> None:
        """Replace the adversary's wrenches with those of ``action`` (before physics)."""
        wrench = self.wrench(action)
        bodies = self.body_ids
        self.xfrc[:, bodies] = self.xfrc[:, bodies] - self.applied + wrench
        self.applied = wrench

    def reset(self, ids: np.ndarray) -> None:
        """Simulations ``ids`` were reset (which clears their ``xfrc_applied``)."""
        self.applied[ids] = 0.0

    def check_action(self, action: Any, num_envs: int) -> np.ndarray:
        """Validate the adversary's action; non-finite entries are errors naming the index."""
        shape = (num_envs, self.action_dim)
        try:
            act = np.array(action, dtype=np.float64)
        except (TypeError, ValueError) as err:
            raise InvalidActionError(
                f"adversary action must be numeric with shape {shape}: {err}"
            ) from None
        if act.shape != shape:
            raise InvalidActionError(
                f"adversary action has shape {act.shape}; expected {shape} (one entry each: "
                f"{self.action_names})"
            )
        bad = np.argwhere(~np.isfinite(act))
        if bad.size:
            env, k = bad[0]
            raise InvalidActionError(
                f"adversary action[{env}, {k}] = {act[env, k]} is not finite (env {env}, "
                f"{self.action_names[k]!r})"
            )
        return act

    def state_dict(self) -> dict[str, Any]:
        return {"applied": self.applied.tolist()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.applied = np.asarray(state["applied"], dtype=np.float64)
