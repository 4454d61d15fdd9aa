"""A policy's observation built from a robot's signals with only its file's metadata: the
observation layout (``obs_layout``) and the observation contract (``observation_contract``:
which signal each block is, minus which offset; the action last sent; a clock).

Signals are named arrays in SI units (``joint_pos`` in rad, ``base_angular_velocity`` in rad/s,
...), as the contract names them; a missing, misshapen or non-finite signal is an error that
names it. The clock starts at phase 0 and advances ``hz x control_dt`` cycles per
:meth:`ObservationBuilder.advance`, once per control step (before building that step's
observation, as the training env does)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from robodrl.runtime.metadata import RuntimePolicyError

KINDS = ("previous_action", "clock")


class ObservationBuilder:
    """Observations for one robot from its signals, laid out as the policy file says."""

    def __init__(
        self,
        layout: Mapping[str, tuple[int, int]],
        contract: Mapping[str, Any],
        control_dt: float,
        *,
        where: str = "policy",
    ) -> None:
        self.where, self.control_dt, self.phase = where, float(control_dt), 0.0
        self.obs_dim = max(stop for _, stop in layout.values())
        self.blocks: list[tuple[str, int, int, dict]] = []
        for name, (start, stop) in layout.items():
            entry = contract.get(name)
            if not isinstance(entry, Mapping):
                raise RuntimePolicyError(
                    f"{where}: the observation contract says nothing of block {name!r}; a "
                    f"policy deployed from its file needs every block: {sorted(layout)}"
                )
            self.blocks.append((name, start, stop, self._checked(name, stop - start, entry)))

    def _checked(self, name: str, size: int, entry: Mapping[str, Any]) -> dict:
        where = f"{self.where}: observation_contract[{name!r}]"
        if "signal" in entry:
            offset = entry.get("offset")
            if offset is not None and np.shape(offset) != (size,):
                raise RuntimePolicyError(
                    f"{where}: offset has {np.size(offset)} values, the block {size}"
                )
            offset = None if offset is None else np.asarray(offset, dtype=float)
            return {"signal": str(entry["signal"]), "offset": offset}
        kind = entry.get("kind")
        if kind not in KINDS:
            raise RuntimePolicyError(f"{where}: neither a signal nor a kind of {list(KINDS)}")
        if kind == "clock" and (size != 2 or not float(entry.get("hz", 0)) > 0):
            raise RuntimePolicyError(f"{where}: a clock is 2 values at hz > 0")
        return dict(entry)

    @property
    def signals(self) -> list[str]:
        """The signals the robot must give (:meth:`build`'s ``signals`` keys)."""
        return [entry["signal"] for _, _, _, entry in self.blocks if "signal" in entry]

    def advance(self) -> None:
        """One control step passed: the clocks move on."""
        for _, _, _, entry in self.blocks:
            if entry.get("kind") == "clock":
                self.phase = (self.phase + float(entry["hz"]) * self.control_dt) % 1.0
                return

    def build(
        self, signals: Mapping[str, Any], previous_action: np.ndarray, *, finite: bool = True
    ) -> np.ndarray:
        """The observation, ``(obs_dim,)`` float32. ``finite=False`` lets NaN / inf signals
        through (a deploy loop leaves them to the graph's fault guard); a missing or misshapen
        signal is an error either way."""
        obs = np.empty(self.obs_dim, dtype=np.float32)
        for name, start, stop, entry in self.blocks:
            if "signal" in entry:
                value = self._signal(signals, entry["signal"], stop - start, finite)
                if entry["offset"] is not None:
                    value = value - entry["offset"]
            elif entry["kind"] == "previous_action":
                value = np.asarray(previous_action, dtype=float).reshape(-1)
                if value.shape != (stop - start,):
                    raise RuntimePolicyError(
                        f"{self.where}: the previous action has {value.size}"
                        f" values, block {name!r} {stop - start}"
                    )
            else:
                angle = 2 * np.pi * self.phase
                value = np.array([np.sin(angle), np.cos(angle)])
            obs[start:stop] = value
        return obs

    def _signal(self, signals: Mapping[str, Any], name: str, size: int, finite: bool) -> np.ndarray:
        if name not in signals:
            raise RuntimePolicyError(
                f"{self.where}: the robot gave no {name!r} signal; it gave {sorted(signals)}, "
                f"the policy needs {self.signals}"
            )
        value = np.asarray(signals[name], dtype=float).reshape(-1)
        if value.shape != (size,) or (finite and not np.isfinite(value).all()):
            raise RuntimePolicyError(
                f"{self.where}: signal {name!r} must be {size} finite "
                f"values, got {value.tolist()!r:.80}"
            )
        return value
