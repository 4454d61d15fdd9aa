"""The operator's commands for a deploy run, from a schedule file (YAML)::

    # seconds from the start of the run; each command holds until the next
    commands:
      - {at: 0.0, command: [0.0, 0.0, 0.0]}    # stand
      - {at: 3.0, command: [0.5, 0.0, 0.0]}    # walk forward at 0.5 m/s
      - {at: 10.0, command: [0.0, 0.0, 0.8]}   # turn at 0.8 rad/s

For a legged policy the command is what its observation's ``command`` block holds (vx, vy in
m/s and the yaw rate in rad/s, base frame). Without a file the robot is commanded to stand."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
from pydantic import Field, ValidationError, model_validator

from robodrl.errors import ConfigError, format_validation_error
from robodrl.files.yamlio import load_yaml_file
from robodrl.schema import FiniteFloat, Strict


class Entry(Strict):
    at: Annotated[float, Field(ge=0, allow_inf_nan=False)]
    command: list[FiniteFloat]


class ScheduleFile(Strict):
    commands: Annotated[list[Entry], Field(min_length=1)]

    @model_validator(mode="after")
    def _in_order(self) -> ScheduleFile:
        times = [entry.at for entry in self.commands]
        for i in range(1, len(times)):
            if times[i] < times[i - 1]:
                raise ValueError(
                    f"commands[{i}].at: {times[i]} comes before {times[i - 1]}; "
                    "give the commands in time order"
                )
        return self


class CommandSchedule:
    """Commands by time (the last one at or before ``t`` holds)."""

    def __init__(self, times: list[float], commands: list[np.ndarray]) -> None:
        self.times, self.commands = np.asarray(times), [np.asarray(c, float) for c in commands]

    @classmethod
    def standing(cls, size: int) -> CommandSchedule:
        return cls([0.0], [np.zeros(size)])

    @classmethod
    def load(cls, path: Path, size: int) -> CommandSchedule:
        """A schedule file checked for the policy's command ``size``; errors name the entry."""
        raw = load_yaml_file(path)
        try:
            document = ScheduleFile.model_validate(raw)
        except ValidationError as err:
            raise ConfigError(format_validation_error(err, prefix=str(path))) from None
        for i, entry in enumerate(document.commands):
            if len(entry.command) != size:
                raise ConfigError(
                    f"{path}: commands[{i}].command has {len(entry.command)} "
                    f"values; the policy's command has {size}"
                )
        return cls([e.at for e in document.commands], [e.command for e in document.commands])

    def at(self, t: float) -> np.ndarray:
        index = max(0, int(np.searchsorted(self.times, t, side="right")) - 1)
        return self.commands[index]
