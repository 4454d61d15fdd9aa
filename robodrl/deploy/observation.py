"""A policy's observation built from a robot's signals with only its file's metadata: the
observation layout (``obs_layout``) and the observation contract (``observation_contract``).

Each block of the contract is one of:

- ``{"signal": NAME}``: a signal, optionally ``"indices"`` of it (the arm's joints of
  ``joint_pos``, which also holds the gripper's), minus an ``"offset"``; ``"source":
  "operator"`` marks a signal the operator gives (a velocity command, a reach target), not
  the robot;
- ``{"kind": "difference", "signals": [A, B]}``: signal A minus signal B (the hand to target);
- ``{"kind": "previous_action"}``: the action last sent;
- ``{"kind": "clock", "hz": F}``: sin and cos of a phase that turns F times a second.

Signals are named arrays in SI units (``joint_pos`` in rad, ``base_angular_velocity`` in rad/s,
...), as the contract names them; a missing, misshapen or non-finite signal is an error that
names it. The clock starts at phase 0 and advances ``hz x control_dt`` cycles per
:meth:`ObservationBuilder.advance`, once per control step (before building that step's
observation, as the training env does)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from robodrl.runtime.metadata import RuntimePolicyError

KINDS = ("previous_action", "clock", "difference")
#: the source of a signal in a contract that names none (written before sources were)
LEGACY_OPERATOR = {"command": "operator"}


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
        covered = np.zeros(self.obs_dim, dtype=int)
        for start, stop in layout.values():
            covered[start:stop] += 1
        if (covered != 1).any():
            raise RuntimePolicyError(
                f"{where}: the observation layout gives entries "
                f"{np.flatnonzero(covered != 1)[:8].tolist()} to no block or to several"
            )
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
            offset, indices = entry.get("offset"), entry.get("indices")
            if not isinstance(entry["signal"], str):
                raise RuntimePolicyError(f"{where}: signal must be a name")
            if offset is not None and not (isinstance(offset, list) and len(offset) == size):
                length = len(offset) if isinstance(offset, list) else "no list of"
                raise RuntimePolicyError(f"{where}: offset has {length} values, the block {size}")
            if offset is not None and not all(_finite(v) for v in offset):
                raise RuntimePolicyError(f"{where}: offset must be {size} finite numbers")
            if indices is not None and (
                not isinstance(indices, list)
                or len(indices) != size
                or not all(type(i) is int and i >= 0 for i in indices)
            ):
                raise RuntimePolicyError(f"{where}: indices must be {size} whole numbers >= 0")
            return {
                "signal": entry["signal"],
                "offset": None if offset is None else np.asarray(offset, dtype=float),
                "indices": None if indices is None else np.asarray(indices, dtype=int),
                # files exported before "source" was written: the velocity command's signal
                "operator": entry.get("source", LEGACY_OPERATOR.get(entry["signal"])) == "operator",
            }
        kind = entry.get("kind")
        if kind not in KINDS:
            raise RuntimePolicyError(f"{where}: neither a signal nor a kind of {list(KINDS)}")
        if kind == "clock" and (size != 2 or not (_finite(entry.get("hz")) and entry["hz"] > 0)):
            raise RuntimePolicyError(f"{where}: a clock is 2 values at hz > 0")
        pair = entry.get("signals")
        if kind == "difference" and not (
            isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)
        ):
            raise RuntimePolicyError(f"{where}: a difference names two signals")
        return dict(entry)

    @property
    def signals(self) -> list[str]:
        """The signals the observation is built from (:meth:`build`'s ``signals`` keys)."""
        names = [entry["signal"] for _, _, _, entry in self.blocks if "signal" in entry]
        for _, _, _, entry in self.blocks:
            names += entry.get("signals", []) if entry.get("kind") == "difference" else []
        return list(dict.fromkeys(names))

    @property
    def operator_signals(self) -> list[str]:
        """The signals the operator gives (commands, targets), not the robot."""
        return [e["signal"] for _, _, _, e in self.blocks if "signal" in e and e["operator"]]

    def sizes(self) -> dict[str, int]:
        """Each signal's size, as its blocks need it (at least, where a block takes indices)."""
        sizes: dict[str, int] = {}
        for _, start, stop, entry in self.blocks:
            if "signal" in entry:
                indices = entry["indices"]
                need = stop - start if indices is None else int(indices.max()) + 1
                sizes[entry["signal"]] = max(sizes.get(entry["signal"], 0), need)
            elif entry.get("kind") == "difference":
                for signal in entry["signals"]:
                    sizes.setdefault(signal, stop - start)
        return sizes

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
                value = self._signal(
                    signals, entry["signal"], entry["indices"], stop - start, finite
                )
                if entry["offset"] is not None:
                    value = value - entry["offset"]
            elif entry["kind"] == "difference":
                first, second = entry["signals"]
                size = stop - start
                value = self._signal(signals, first, None, size, finite) - self._signal(
                    signals, second, None, size, finite
                )
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

    def _signal(
        self,
        signals: Mapping[str, Any],
        name: str,
        indices: np.ndarray | None,
        size: int,
        finite: bool,
    ) -> np.ndarray:
        if name not in signals:
            raise RuntimePolicyError(
                f"{self.where}: the robot gave no {name!r} signal; it gave {sorted(signals)}, "
                f"the policy needs {self.signals}"
            )
        value = np.asarray(signals[name], dtype=float).reshape(-1)
        if indices is not None:
            if value.size <= indices.max():
                raise RuntimePolicyError(
                    f"{self.where}: signal {name!r} has {value.size} values; the policy takes "
                    f"its entries {indices.tolist()}"
                )
            value = value[indices]
        if value.shape != (size,) or (finite and not np.isfinite(value).all()):
            raise RuntimePolicyError(
                f"{self.where}: signal {name!r} must be {size} finite "
                f"values, got {value.tolist()!r:.80}"
            )
        return value


def _finite(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
