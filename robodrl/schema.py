"""The building blocks of every document robodrl validates (training configs, presets, sweeps,
planners, robot descriptions, hyperparameters): one strict model and the number types."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from robodrl.errors import ConfigError, format_validation_error


class Strict(BaseModel):
    """Unknown keys, wrong types (text where a number belongs), NaN and inf are errors; a
    validated document never changes."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)


PositiveInt = Annotated[int, Field(ge=1)]
Probability = Annotated[float, Field(ge=0, le=1)]
FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]
NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]


Model = TypeVar("Model", bound=BaseModel)


def validate_mapping(
    model: type[Model], source: Any, *, where: str, field: str, what: str
) -> Model:
    """``source`` validated as ``model``; a ``ConfigError`` names ``where`` when it is not a
    mapping (``what``: what a valid one holds) and ``field``'s dotted sub-fields otherwise."""
    if not isinstance(source, dict):
        raise ConfigError(f"{where}: expected {what}, got {type(source).__name__}")
    try:
        return model.model_validate(source)
    except ValidationError as err:
        raise ConfigError(format_validation_error(err, prefix=field)) from None
