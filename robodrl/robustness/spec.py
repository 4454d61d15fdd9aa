"""The robustness YAML: domain randomization and perturbations, validated strictly.

A document has two optional sections::

    randomization:
      every_seconds: null          # resample at each reset (default) or also every N s
      params:
        - name: link_mass          # label in info["dr"]; default "<quantity>:<pattern>"
          body: "*"                # one of body / geom / joint / actuator (name or glob), or
                                   # world: true for gravity
          quantity: mass           # see QUANTITIES
          operation: scale         # scale | add | set
          distribution: {type: uniform, low: 0.85, high: 1.15}
          shared: false            # one draw for every matched element (default: one each)
    perturbations:
      observation_noise: [{group: joint_vel, std: 0.05}]
      ...

Units are SI throughout: kg, m, s, N, N·m, rad, m/s.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, model_validator

from robodrl.robustness.quantities import QUANTITIES
from robodrl.schema import FiniteFloat, NonNegative, PositiveInt, Strict

Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]


def _list_to_tuple(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


#: a fixed-length YAML list (read as a tuple; its items stay strictly typed)
AsTuple = BeforeValidator(_list_to_tuple)


class Ordered(Strict):
    """A model with ``low`` and ``high`` fields: ``low <= high``."""

    @model_validator(mode="after")
    def _ordered(self) -> Ordered:
        if self.low > self.high:  # type: ignore[attr-defined]
            raise ValueError(f"low ({self.low}) must be <= high ({self.high})")  # type: ignore[attr-defined]
        return self


# -- distributions ------------------------------------------------------------------------------
class Uniform(Ordered):
    """U(low, high)."""

    type: Literal["uniform"]
    low: FiniteFloat
    high: FiniteFloat

    def bounds(self) -> tuple[float, float]:
        """Smallest and largest value a draw can take."""
        return self.low, self.high


class LogUniform(Uniform):
    """exp(U(log low, log high)); low > 0."""

    type: Literal["loguniform"]  # type: ignore[assignment]

    @model_validator(mode="after")
    def _positive(self) -> LogUniform:
        if self.low <= 0:
            raise ValueError(f"low ({self.low}) must be > 0 for a log-uniform distribution")
        return self


class Gaussian(Strict):
    """N(mean, std²) clipped to [low, high]."""

    type: Literal["gaussian"]
    mean: FiniteFloat
    std: NonNegative
    low: FiniteFloat
    high: FiniteFloat

    @model_validator(mode="after")
    def _ordered(self) -> Gaussian:
        if not self.low <= self.mean <= self.high:
            raise ValueError(f"need low <= mean <= high, got {self.low}, {self.mean}, {self.high}")
        return self

    def bounds(self) -> tuple[float, float]:
        """Smallest and largest value a draw can take."""
        return self.low, self.high


Distribution = Annotated[Uniform | LogUniform | Gaussian, Field(discriminator="type")]

# -- randomization -----------------------------------------------------------------------------
REFUSED_QUANTITIES = {
    "timestep": (
        "randomizing the timestep is refused: control_dt, time limits, latencies counted in "
        "control steps and the batch's bit-identical stepping all assume one timestep; "
        "randomize actuator latency or strength instead"
    ),
}


class RandomizedParameter(Strict):
    """One randomized quantity on the elements a name or glob pattern matches."""

    name: str | None = None
    body: str | None = None
    geom: str | None = None
    joint: str | None = None
    actuator: str | None = None
    world: bool = False
    quantity: str
    operation: Literal["scale", "add", "set"] = "scale"
    distribution: Distribution
    component: Literal["sliding", "torsional", "rolling", "all"] = "sliding"
    shared: bool = False
    #: kg, or robot_mass: the values are fractions of the robot's mass (payload; mass add / set)
    unit: Literal["kg", "robot_mass"] = "kg"

    @model_validator(mode="after")
    def _consistent(self) -> RandomizedParameter:
        if self.quantity in REFUSED_QUANTITIES:
            raise ValueError(REFUSED_QUANTITIES[self.quantity])
        if self.quantity not in QUANTITIES:
            raise ValueError(
                f"unknown quantity {self.quantity!r}; valid quantities: {', '.join(QUANTITIES)}"
            )
        quantity = QUANTITIES[self.quantity]
        kind, operations, minimum = quantity.target, quantity.operations, quantity.minimum
        given = [k for k in ("body", "geom", "joint", "actuator") if getattr(self, k) is not None]
        given += ["world"] if self.world else []
        if given != [kind]:
            raise ValueError(
                f"quantity {self.quantity!r} needs exactly the target "
                f"{'world: true' if kind == 'world' else kind + ': <name or pattern>'}, "
                f"got {given or 'none'}"
            )
        if self.operation not in operations:
            raise ValueError(
                f"operation {self.operation!r} is not valid for {self.quantity!r}; "
                f"use {' or '.join(operations)}"
            )
        mass_like = self.quantity == "payload" or (
            self.quantity == "mass" and self.operation != "scale"
        )
        if self.unit != "kg" and not mass_like:
            raise ValueError(
                f"unit: {self.unit} is for masses in kg (payload, or mass with add / set), "
                f"not {self.quantity!r} with {self.operation!r}"
            )
        low, _ = self.distribution.bounds()
        if self.operation == "scale" and low <= 0 and minimum is not None:
            raise ValueError(f"a scale for {self.quantity!r} must be > 0, got low={low}")
        if self.operation == "set" and minimum is not None and low < minimum:
            raise ValueError(f"{self.quantity!r} cannot be set below {minimum}, got low={low}")
        return self

    @property
    def pattern(self) -> str:
        """The target name or pattern ('world' for gravity)."""
        return (
            "world"
            if self.world
            else next(
                getattr(self, k) for k in ("body", "geom", "joint", "actuator") if getattr(self, k)
            )
        )

    @property
    def label(self) -> str:
        """Key of this parameter in ``info["dr"]``."""
        return self.name or f"{self.quantity}:{self.pattern}"


class RandomizationSpec(Strict):
    """Randomized parameters, resampled per simulation at each reset (and on an interval)."""

    every_seconds: Positive | None = None
    params: list[RandomizedParameter] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_labels(self) -> RandomizationSpec:
        labels = [p.label for p in self.params]
        duplicates = sorted({x for x in labels if labels.count(x) > 1})
        if duplicates:
            raise ValueError(f"parameter names must be unique; repeated: {duplicates}")
        return self


# -- perturbations -----------------------------------------------------------------------------
class ObservationNoise(Strict):
    """Gaussian noise N(0, std²) on an observation group, every control step (obs units)."""

    group: str
    std: NonNegative


class ObservationBias(Strict):
    """A per-episode offset U(-max_abs, max_abs) on an observation group (obs units)."""

    group: str
    max_abs: NonNegative


class Range(Ordered):
    """A closed interval [low, high]."""

    low: NonNegative
    high: NonNegative


class StepRange(Strict):
    """A per-episode number of control steps, uniform over the integers low..high."""

    low: Annotated[int, Field(ge=0, le=100)]
    high: Annotated[int, Field(ge=0, le=100)]

    @model_validator(mode="after")
    def _ordered(self) -> StepRange:
        if self.low > self.high:
            raise ValueError(f"low ({self.low}) must be <= high ({self.high})")
        return self


class Push(Strict):
    """External pushes on a body, in the world frame, on a random schedule.

    ``kind``: ``velocity`` adds a velocity kick (m/s) to a free-floating body; ``force`` (N) and
    ``torque`` (N·m) are applied through ``xfrc_applied`` for ``duration_seconds`` (rounded to
    whole control steps, at least one). ``direction``: ``horizontal`` (random azimuth in the
    ground plane), ``any`` (uniform on the sphere) or a fixed vector.
    """

    body: str
    kind: Literal["velocity", "force", "torque"]
    magnitude: Range
    interval_seconds: Range
    duration_seconds: Positive = 0.1
    direction: (
        Literal["horizontal", "any"]
        | Annotated[tuple[FiniteFloat, FiniteFloat, FiniteFloat], AsTuple]
    ) = "horizontal"

    @model_validator(mode="after")
    def _positive_interval(self) -> Push:
        if self.interval_seconds.low <= 0:
            raise ValueError("interval_seconds.low must be > 0")
        if not isinstance(self.direction, str) and math.hypot(*self.direction) == 0:
            raise ValueError("direction must not be the zero vector")
        return self


class PerturbationSpec(Strict):
    """Observation, action and external-force perturbations."""

    observation_noise: list[ObservationNoise] = Field(default_factory=list)
    observation_bias: list[ObservationBias] = Field(default_factory=list)
    #: a fixed delay, or {low, high}: each episode draws its own delay
    observation_latency_steps: Annotated[int, Field(ge=0, le=100)] | StepRange = 0
    observation_dropout: Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False)] = 0.0
    action_noise_std: NonNegative = 0.0
    action_latency_steps: Annotated[int, Field(ge=0, le=100)] = 0
    motor_strength: Range | None = None
    pushes: list[Push] = Field(default_factory=list)

    @property
    def max_observation_latency(self) -> int:
        """The longest observation delay, in control steps."""
        latency = self.observation_latency_steps
        return latency.high if isinstance(latency, StepRange) else latency

    @model_validator(mode="after")
    def _positive_strength(self) -> PerturbationSpec:
        if self.motor_strength is not None and self.motor_strength.low <= 0:
            raise ValueError("motor_strength.low must be > 0 (a scale of the actuator force)")
        return self


class RobustnessSpec(Strict):
    """A whole robustness document (a preset file)."""

    description: str = ""
    randomization: RandomizationSpec = Field(default_factory=RandomizationSpec)
    perturbations: PerturbationSpec = Field(default_factory=PerturbationSpec)


class CurriculumSpec(Strict):
    """Robustness that grows during training (``env.curriculum`` of a training config).

    Over the first ``steps`` env steps (all simulations together) the ranges named in
    ``applies_to`` grow linearly from ``start`` of their width to the full width: ``pushes``
    scales every push's magnitude (kicks and forces), ``randomization`` every randomized range
    toward its nominal value (motor strength included). Evaluation, sweeps and export always see
    the full ranges.
    """

    steps: PositiveInt
    start: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] = 0.0
    applies_to: list[Literal["pushes", "randomization"]] = Field(
        default_factory=lambda: ["pushes"], min_length=1
    )

    @model_validator(mode="after")
    def _unique(self) -> CurriculumSpec:
        if len(set(self.applies_to)) != len(self.applies_to):
            raise ValueError(f"applies_to names a range twice: {self.applies_to}")
        return self
