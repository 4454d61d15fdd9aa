"""Observation, action and external-force perturbations, per simulation, on the step path.

Order inside a control step: the policy's action gets noise, then latency (the action applied
is the one from ``action_latency_steps`` steps ago; zeros until the buffer fills); pushes
write ``xfrc_applied`` / kick velocities; physics steps; the true observation gets its
per-episode bias and per-step noise, is delayed by ``observation_latency_steps`` (exact), and
with probability ``observation_dropout`` the previous delivered observation is held instead.
Motor strength is a per-episode scale of the actuator force, applied by the randomizer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import mujoco
import numpy as np
from mujoco import batch as mjbatch

from robodrl.errors import ConfigError
from robodrl.robustness.spec import PerturbationSpec, Push, RandomizedParameter, StepRange
from robodrl.robustness.targets import free_joint_dofs, match_elements


def motor_strength_parameter(spec: PerturbationSpec) -> RandomizedParameter | None:
    """The per-episode motor-strength scale as a randomized parameter (all actuators, shared)."""
    if spec.motor_strength is None:
        return None
    return RandomizedParameter(
        name="motor_strength",
        actuator="*",
        quantity="strength",
        operation="scale",
        shared=True,
        distribution={
            "type": "uniform",
            "low": spec.motor_strength.low,
            "high": spec.motor_strength.high,
        },
    )


@dataclass
class _PushSchedule:
    spec: Push
    body: int
    dofs: np.ndarray | None  # free-joint dofs for velocity kicks
    interval_steps: tuple[int, int]
    duration_steps: int


def _group_mask(layout: dict[str, slice], group: str, obs_dim: int, where: str) -> np.ndarray:
    if group == "all":
        return np.ones(obs_dim, dtype=bool)
    if group not in layout:
        raise ConfigError(
            f"{where}: unknown observation group {group!r}; valid groups: all, {', '.join(layout)}"
        )
    mask = np.zeros(obs_dim, dtype=bool)
    mask[layout[group]] = True
    return mask


class Perturber:
    """Applies a :class:`PerturbationSpec` to one batch (see module docstring)."""

    def __init__(
        self,
        spec: PerturbationSpec,
        *,
        batch: mjbatch.Batch,
        model: mujoco.MjModel,
        obs_layout: dict[str, slice],
        obs_dim: int,
        action_dim: int,
        control_dt: float,
    ) -> None:
        self.spec = spec
        self.generators: list[np.random.Generator] = []  # per simulation: episode draws
        self.step_rng = np.random.default_rng()  # the batch's per-step noise, seeded by the env
        self._wrench_on = [False] * len(spec.pushes)
        self.progress = 1.0  # a curriculum's fraction of each push's magnitude
        n = batch.nsim
        self.noise_std = np.zeros(obs_dim)
        for i, item in enumerate(spec.observation_noise):
            mask = _group_mask(
                obs_layout, item.group, obs_dim, f"perturbations.observation_noise[{i}]"
            )
            self.noise_std[mask] = item.std
        self.bias_max = np.zeros(obs_dim)
        for i, item in enumerate(spec.observation_bias):
            mask = _group_mask(
                obs_layout, item.group, obs_dim, f"perturbations.observation_bias[{i}]"
            )
            self.bias_max[mask] = item.max_abs
        self.bias = np.zeros((n, obs_dim))
        self.noisy = np.flatnonzero(self.noise_std)  # observation columns that get noise
        self.biased = bool(self.bias_max.any())
        self.max_latency = spec.max_observation_latency
        self.obs_buffer = np.zeros((self.max_latency + 1, n, obs_dim), np.float32)
        #: each simulation's observation delay this episode (control steps)
        self.obs_latency = np.full(n, self.max_latency, dtype=np.int64)
        self.random_latency = isinstance(spec.observation_latency_steps, StepRange)
        self.delivered = np.zeros((n, obs_dim), np.float32)
        self.action_buffer = np.zeros((spec.action_latency_steps + 1, n, action_dim))
        self.pushes = [self._schedule(i, p, model, control_dt) for i, p in enumerate(spec.pushes)]
        self.next_push = np.zeros((len(self.pushes), n), dtype=np.int64)
        self.push_left = np.zeros((len(self.pushes), n), dtype=np.int64)
        self.push_wrench = np.zeros((len(self.pushes), n, 3))
        #: the wrench each force / torque push put into ``xfrc_applied`` last (taken back
        #: before the next, so other writers on the same body, e.g. an adversary, add up)
        self.push_applied = np.zeros((len(self.pushes), n, 3))
        self.qvel = batch.bind("qvel")
        self.xfrc = batch.bind("xfrc_applied")
        self.active = any(
            [
                self.noisy.size,
                self.biased,
                self.max_latency,
                spec.observation_dropout,
                spec.action_noise_std,
                spec.action_latency_steps,
                self.pushes,
            ]
        )

    @staticmethod
    def _schedule(i: int, push: Push, model: mujoco.MjModel, control_dt: float) -> _PushSchedule:
        where = f"perturbations.pushes[{i}]"
        ids, _ = match_elements(model, "body", push.body, where=where)
        if len(ids) != 1:
            raise ConfigError(f"{where}: body {push.body!r} must name one body, matched {len(ids)}")
        dofs = free_joint_dofs(model, int(ids[0]), where=where) if push.kind == "velocity" else None
        lo, hi = push.interval_seconds.low, push.interval_seconds.high
        interval = (max(1, round(lo / control_dt)), max(1, round(hi / control_dt)))
        return _PushSchedule(
            push, int(ids[0]), dofs, interval, max(1, round(push.duration_seconds / control_dt))
        )

    # -- episode boundaries ---------------------------------------------------------------------
    def reset(self, ids: np.ndarray, obs: np.ndarray) -> np.ndarray:
        """Start new episodes for ``ids`` given their true first observations; return what the
        policy sees for them."""
        for sim in ids:
            g = self.generators[sim]
            self.bias[sim] = g.uniform(-1.0, 1.0, self.bias_max.size) * self.bias_max
            if self.random_latency:
                latency = self.spec.observation_latency_steps
                self.obs_latency[sim] = g.integers(latency.low, latency.high + 1)
            for k, push in enumerate(self.pushes):
                self.next_push[k, sim] = g.integers(
                    push.interval_steps[0], push.interval_steps[1] + 1
                )
        self.push_left[:, ids] = 0
        self.push_wrench[:, ids] = 0.0
        self.push_applied[:, ids] = 0.0  # the reset cleared their xfrc_applied
        self.action_buffer[:, ids] = 0.0
        measured = (obs + self.bias[ids]).astype(np.float32)
        self.obs_buffer[:, ids] = measured
        self.delivered[ids] = measured
        return measured

    # -- step path -----------------------------------------------------------------------------
    def action(self, act: np.ndarray) -> np.ndarray:
        """The action actually applied: noisy, delayed, clipped to [-1, 1]."""
        spec = self.spec
        if spec.action_noise_std:
            act = np.clip(act + self.step_rng.normal(0.0, spec.action_noise_std, act.shape), -1, 1)
        if spec.action_latency_steps:
            self.action_buffer = np.roll(self.action_buffer, -1, axis=0)
            self.action_buffer[-1] = act
            act = self.action_buffer[0].copy()
        return act

    def apply_pushes(self, elapsed_steps: np.ndarray) -> None:
        """Start due pushes and keep forces on for their duration (before physics)."""
        for k, push in enumerate(self.pushes):
            due = np.flatnonzero(elapsed_steps == self.next_push[k])
            for sim in due:
                g = self.generators[sim]
                direction = _direction(push.spec.direction, g)
                magnitude = g.uniform(push.spec.magnitude.low, push.spec.magnitude.high)
                vector = direction * (self.progress * magnitude)
                self.next_push[k, sim] += g.integers(
                    push.interval_steps[0], push.interval_steps[1] + 1
                )
                if push.spec.kind == "velocity":
                    qvel = self.qvel[sim].copy()
                    qvel[push.dofs[:3]] += vector
                    self.qvel[sim] = qvel
                else:
                    self.push_wrench[k, sim] = vector
                    self.push_left[k, sim] = push.duration_steps
            if push.spec.kind == "velocity" or not (due.size or self._wrench_on[k]):
                continue
            on = self.push_left[k] > 0
            columns = slice(0, 3) if push.spec.kind == "force" else slice(3, 6)
            wrench = np.where(on[:, None], self.push_wrench[k], 0.0)
            xfrc = self.xfrc[:, push.body].copy()
            xfrc[:, columns] += wrench - self.push_applied[k]
            self.xfrc[:, push.body] = xfrc
            self.push_applied[k] = wrench
            self.push_left[k] -= on
            self._wrench_on[k] = bool(on.any())

    def set_progress(self, progress: float) -> None:
        """Curriculum: pushes from now on have ``progress`` of their drawn magnitude."""
        self.progress = float(progress)

    def observation(self, obs: np.ndarray) -> np.ndarray:
        """What the policy sees, given the true observations of every simulation."""
        spec = self.spec
        measured = obs + self.bias if self.biased else obs.copy()
        if self.noisy.size:
            noise = self.step_rng.standard_normal((obs.shape[0], self.noisy.size), np.float32)
            measured[:, self.noisy] += noise * self.noise_std[self.noisy]
        measured = measured.astype(np.float32)
        if self.max_latency:
            self.obs_buffer = np.roll(self.obs_buffer, -1, axis=0)
            self.obs_buffer[-1] = measured
            if self.random_latency:
                rows = np.arange(obs.shape[0])
                measured = self.obs_buffer[self.max_latency - self.obs_latency, rows]
            else:
                measured = self.obs_buffer[0].copy()
        if spec.observation_dropout:
            drop = self.step_rng.random(obs.shape[0]) < spec.observation_dropout
            measured[drop] = self.delivered[drop]
        self.delivered = measured.copy()
        return measured

    # -- checkpoint state ----------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """Generator states and buffers, to continue exactly."""
        arrays = (
            "bias",
            "obs_latency",
            "obs_buffer",
            "delivered",
            "action_buffer",
            "next_push",
            "push_left",
            "push_wrench",
            "push_applied",
        )
        return {
            "generators": [g.bit_generator.state for g in self.generators],
            "step_rng": self.step_rng.bit_generator.state,
            "wrench_on": list(self._wrench_on),
            **{name: getattr(self, name).tolist() for name in arrays},
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore a :meth:`state_dict`."""
        for g, s in zip(self.generators, state["generators"], strict=True):
            g.bit_generator.state = s
        self.step_rng.bit_generator.state = state["step_rng"]
        self._wrench_on = list(state["wrench_on"])
        for name, value in state.items():
            if name not in ("generators", "step_rng", "wrench_on"):
                current = getattr(self, name)
                setattr(self, name, np.asarray(value, dtype=current.dtype).reshape(current.shape))


def _direction(direction: Any, g: np.random.Generator) -> np.ndarray:
    """A unit vector: random horizontal, random in 3D, or the given one normalized."""
    if direction == "horizontal":
        angle = g.uniform(0.0, 2 * np.pi)
        return np.array([np.cos(angle), np.sin(angle), 0.0])
    if direction == "any":
        v = g.normal(size=3)
        return v / np.linalg.norm(v)
    v = np.asarray(direction, dtype=np.float64)
    return v / np.linalg.norm(v)
