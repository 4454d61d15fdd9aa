"""Planner configs: strict YAML → validated settings, as strict as training configs.

Top-level keys: ``env`` (the task planned for), ``planner`` (the algorithm and its sampling
settings), ``objective`` (reward-term weights in place of the task's), ``robust`` (plan over
several randomized models), ``seed``, ``num_threads``. Unknown keys, wrong types, NaN / inf and
out-of-range values are errors naming the dotted field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SerializeAsAny, ValidationError, field_validator, model_validator

from robodrl.errors import ConfigError, RobodrlError, format_validation_error
from robodrl.files.yamlio import load_yaml_file
from robodrl.lookup import find_planner, is_planner_file
from robodrl.registries import Registry
from robodrl.schema import PositiveInt, Strict


class PlannerEnv(Strict):
    """The task the planner drives (and plans on): its id and task arguments."""

    id: str
    task: dict[str, Any] = Field(default_factory=dict)

    @field_validator("id")
    @classmethod
    def _known_id(cls, value: str) -> str:
        from robodrl.registry import get_spec

        try:
            return get_spec(value).id
        except RobodrlError as err:
            raise ValueError(str(err)) from None

    @model_validator(mode="after")
    def _task_arguments(self) -> PlannerEnv:
        from robodrl.registry import check_task_arguments

        try:
            check_task_arguments(self.id, self.task)
        except RobodrlError as err:
            raise ValueError(f"task: {err}") from None
        return self


class SamplingSettings(Strict):
    """What every planner has: which one, how many candidate action sequences, over what
    horizon. Each planner's own settings extend these (a setting another planner takes is an
    unknown field)."""

    name: str
    samples: Annotated[int, Field(ge=1, le=65536)] = 64
    """Candidate action sequences per iteration (each one simulation of the planning batch)."""
    horizon_seconds: Annotated[float, Field(gt=0, le=60)] = 1.0
    """How far ahead each candidate is simulated (at least one control step)."""
    knots: Annotated[int, Field(ge=1, le=1000)] = 4
    """Spline knots spanning the horizon: the numbers the planner optimizes, per actuator."""
    interpolation: Literal["zero", "linear"] = "zero"
    """Actions between knots: held (zero-order hold) or linearly interpolated."""
    noise_std: Annotated[float, Field(gt=0)] = 0.3
    """Standard deviation of the knots' sampling noise, in action units ([-1, 1] is the range)."""
    iterations: Annotated[int, Field(ge=1, le=1000)] = 1
    """Improvement iterations per control step (predictive sampling: usually 1)."""


class PredictiveSamplingSettings(SamplingSettings):
    """``planner: {name: predictive_sampling}``: the best of perturbed warm starts."""

    name: Literal["predictive_sampling"]


class MPPISettings(SamplingSettings):
    """``planner: {name: mppi}``: the mean moves to the return-weighted candidates."""

    name: Literal["mppi"]
    temperature: Annotated[float, Field(gt=0)] = 0.1
    """Softness of the weights, as a fraction of the candidates' score spread."""


class CEMSettings(SamplingSettings):
    """``planner: {name: cem}``: the sampling Gaussian refit to the elites."""

    name: Literal["cem"]
    elites: PositiveInt = 8
    """The best candidates the sampling distribution is refit to."""
    smoothing: Annotated[float, Field(ge=0, lt=1)] = 0.0
    """Fraction of the old mean and std kept at each refit."""
    min_std: Annotated[float, Field(gt=0)] = 0.05
    """Floor of the sampling std, in action units."""

    @model_validator(mode="after")
    def _elites_fit(self) -> CEMSettings:
        if self.elites > self.samples:
            raise ValueError(
                f"elites: {self.elites} elites cannot be chosen from {self.samples} samples"
            )
        return self


#: ``planner.name`` → its settings (the planners themselves: :data:`robodrl.planners.PLANNERS`)
SETTINGS: Registry[type[SamplingSettings]] = Registry(
    "planner",
    {"predictive_sampling": PredictiveSamplingSettings, "mppi": MPPISettings, "cem": CEMSettings},
)


class Objective(Strict):
    """Reward-term weights replacing the task's (terms not named keep the task's weight)."""

    weights: dict[str, float] = Field(default_factory=dict)


class Robust(Strict):
    """Plan over ``models`` randomized models at once, scoring each candidate by the mean or
    the worst of its returns over them."""

    models: Annotated[int, Field(ge=1, le=1024)] = 1
    randomization: str | dict[str, Any] | None = None
    aggregate: Literal["mean", "worst"] = "mean"

    @model_validator(mode="after")
    def _randomized(self) -> Robust:
        if self.models > 1 and self.randomization is None:
            raise ValueError(
                f"randomization: planning over {self.models} models needs a randomization "
                "preset (e.g. dr-default) to make them differ"
            )
        return self


class PlannerConfig(Strict):
    """A whole planner."""

    env: PlannerEnv
    planner: SerializeAsAny[SamplingSettings]
    objective: Objective = Objective()
    robust: Robust = Robust()
    seed: Annotated[int, Field(ge=0)] = 0
    num_threads: PositiveInt | None = None


def validate_planner(data: Any, *, source: str = "planner config") -> PlannerConfig:
    """Validate a planner mapping; every error names the dotted field. ``planner`` is checked
    against the settings of the planner it names."""
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: a planner config is a mapping with env and planner")
    if isinstance(data.get("planner"), dict):
        data = {**data, "planner": _settings(data["planner"], source)}
    try:
        return PlannerConfig.model_validate(data)
    except ValidationError as err:
        raise ConfigError(f"{source}: {format_validation_error(err)}") from None


def _settings(planner: dict[str, Any], source: str) -> SamplingSettings:
    """``planner:`` validated by the settings model of the planner it names."""
    name = planner.get("name")
    if name is None:
        raise ConfigError(f"{source}: planner.name: missing; planners: {', '.join(SETTINGS)}")
    if name not in SETTINGS:
        raise ConfigError(f"{source}: planner.name: {SETTINGS.unknown(name)}")
    try:
        return SETTINGS.get(name).model_validate(planner)
    except ValidationError as err:
        raise ConfigError(f"{source}: {format_validation_error(err, prefix='planner')}") from None


def load_planner_config(path: str | Path) -> PlannerConfig:
    """Load and validate a planner YAML file."""
    path = Path(path)
    return validate_planner(load_yaml_file(path), source=str(path))


__all__ = ["SETTINGS", "PlannerConfig", "find_planner", "is_planner_file", "load_planner_config"]
