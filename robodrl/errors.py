"""Errors a user can cause; each message names the offending thing and what would be valid."""

from __future__ import annotations

import re


class RobodrlError(Exception):
    """Base class of every error robodrl raises on bad input."""


class UnknownEnvError(RobodrlError, KeyError):
    """An environment id that is not registered."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class InvalidActionError(RobodrlError, ValueError):
    """An action of the wrong shape, or with NaN / inf entries."""


class TaskArgumentError(RobodrlError, TypeError):
    """A task argument that the task does not take, or a value it cannot use."""


def suggest(name: str, valid: list[str] | tuple[str, ...]) -> str:
    """Return ' (did you mean X?)' when a close valid name exists, else ''."""
    import difflib

    close = difflib.get_close_matches(name, list(valid), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


class ConfigError(RobodrlError, ValueError):
    """A YAML document or config value that is malformed; the message names the dotted field."""


def format_validation_error(err: Exception, *, prefix: str = "") -> str:
    """Turn a pydantic ``ValidationError`` into lines ``dotted.field: what is wrong``."""
    lines = []
    for item in err.errors():  # type: ignore[attr-defined]
        parts = [prefix] if prefix else []
        for loc in item["loc"]:
            if isinstance(loc, int):
                parts[-1:] = [f"{parts[-1]}[{loc}]"] if parts else [f"[{loc}]"]
            else:
                parts.append(str(loc))
        field = ".".join(parts)
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown field"
        # a model-level check that names its own sub-field: "hyperparameters.lr: ..."
        inner = re.match(r"^([A-Za-z_][\w.\[\]]*): (.*)$", message, re.DOTALL)
        if inner:
            field = f"{field}.{inner.group(1)}" if field else inner.group(1)
            message = inner.group(2)
        lines.append(f"{field or '(document)'}: {message}")
    return "; ".join(lines)
