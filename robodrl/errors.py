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


#: pydantic error types where showing the offending value helps ("got '0.5'")
_SHOW_INPUT = ("float", "int", "bool", "string", "finite", "literal", "list", "dict", "tuple")


def format_validation_error(err: Exception, *, prefix: str = "") -> str:
    """Turn a pydantic ``ValidationError`` into lines ``dotted.field: what is wrong``."""
    found: list[tuple[str, str]] = []
    for item in err.errors():  # type: ignore[attr-defined]
        parts = [prefix] if prefix else []
        for loc in item["loc"]:
            if isinstance(loc, int):
                parts[-1:] = [f"{parts[-1]}[{loc}]"] if parts else [f"[{loc}]"]
            elif "[" not in str(loc) and "(" not in str(loc):  # not a union branch's tag
                parts.append(str(loc))
        field = ".".join(parts)
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbid" or item["type"] == "extra_forbidden":
            message = "unknown field"
        elif item["type"].startswith(_SHOW_INPUT) and not isinstance(item.get("input"), dict):
            message += f", got {item.get('input')!r}"
        # a model-level check that names its own sub-field: "hyperparameters.lr: ..."
        inner = re.match(r"^([A-Za-z_][\w.\[\]]*): (.*)$", message, re.DOTALL)
        if inner:
            field = f"{field}.{inner.group(1)}" if field else inner.group(1)
            message = inner.group(2)
        found.append((field, message))
    # of a union's branches, keep the one that got furthest into the value
    fields = {field for field, _ in found}
    kept = [
        (f, m)
        for f, m in found
        if not (f and any(o.startswith((f"{f}.", f"{f}[")) for o in fields))
    ]
    lines = [f"{field or '(document)'}: {message}" for field, message in kept]
    return "; ".join(dict.fromkeys(lines))
