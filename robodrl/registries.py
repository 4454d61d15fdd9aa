"""The one registry every kind of named thing uses: envs, teams, algorithms, planners and the
command line's commands.

A :class:`Registry` maps names to entries. An entry is given either as the object itself or
as ``"module:attribute"`` (or ``"module"``), imported the first time it is asked for (so that
listing names costs no imports). An unknown name is an error that lists the registered ones
and suggests the closest."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Generic, TypeVar

from robodrl.errors import ConfigError, RobodrlError, suggest

T = TypeVar("T")


class Registry(Generic[T]):
    """Names → entries of one ``kind`` (``"algorithm"``, ``"planner"``, ...)."""

    def __init__(
        self,
        kind: str,
        entries: dict[str, T | str] | None = None,
        *,
        error: type[RobodrlError] = ConfigError,
    ) -> None:
        self.kind, self.error = kind, error
        self._entries: dict[str, T | str] = dict(entries or {})

    def add(self, name: str, entry: T | str) -> None:
        """Register ``entry`` (an object, or ``"module:attribute"``) as ``name``; a name given
        again is replaced (a module re-registering its own entries stays harmless)."""
        self._entries[name] = entry

    def remove(self, name: str) -> None:
        """Take ``name`` back (a registration a test or a plug-in made for a while)."""
        self._entries.pop(name, None)

    def values(self) -> list[T]:
        """Every entry, imported, in registration order."""
        return [self.get(name) for name in self._entries]

    def names(self) -> list[str]:
        """Every registered name, in registration order."""
        return list(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def suggest(self, name: str) -> str:
        """`` (did you mean 'X'?)`` for the closest registered name, or ``""``."""
        return suggest(str(name), self.names())

    def unknown(self, name: object) -> RobodrlError:
        """The error for a name that is not registered: the close one and every valid one."""
        return self.error(
            f"unknown {self.kind} {name!r}{self.suggest(str(name))}; registered "
            f"{self.kind}s: {', '.join(self.names())}"
        )

    def get(self, name: str) -> T:
        """The entry of ``name`` (imported on first use)."""
        if not isinstance(name, str) or name not in self._entries:
            raise self.unknown(name)
        entry = self._entries[name]
        if isinstance(entry, str):  # "module:attribute", or a module
            module, _, attribute = entry.partition(":")
            loaded = importlib.import_module(module)
            entry = getattr(loaded, attribute) if attribute else loaded
            self._entries[name] = entry
        return entry  # type: ignore[return-value]
