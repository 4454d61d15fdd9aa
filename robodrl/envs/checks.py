"""The lines of ``robodrl robot check`` (a quadruped's or an arm's): each a measured value
against its limit, ``ok``, ``warn`` or ``fail``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    """One line of the check's table."""

    physics: str
    name: str
    value: str
    limit: str
    status: str  # ok, warn or fail

    @property
    def failed(self) -> bool:
        """Whether this line fails the check."""
        return self.status == "fail"


def status(ok: bool, *, warn_only: bool = False) -> str:
    """``ok``, else ``warn`` (``warn_only``) or ``fail``."""
    return "ok" if ok else "warn" if warn_only else "fail"
