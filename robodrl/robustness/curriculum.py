"""A curriculum on the robustness ranges: they grow with the env steps a training has taken.

The training env counts its own steps, so every trainer (robodrl's, SB3's, a game's) gets the
same schedule, and a resumed run continues it from the checkpoint's count.
"""

from __future__ import annotations

from typing import Any

from robodrl.errors import ConfigError
from robodrl.robustness.spec import CurriculumSpec, PerturbationSpec, RandomizationSpec

WHERE = {
    "pushes": "env.perturbations.pushes",
    "randomization": "env.randomization or env.perturbations.motor_strength",
}


def check_growable(
    spec: CurriculumSpec,
    randomization: RandomizationSpec | None,
    perturbations: PerturbationSpec | None,
) -> None:
    """Refuse a curriculum on a range the env does not have (nothing would grow)."""
    present = {
        "pushes": perturbations is not None and bool(perturbations.pushes),
        "randomization": (randomization is not None and bool(randomization.params))
        or (perturbations is not None and perturbations.motor_strength is not None),
    }
    for target in spec.applies_to:
        if not present[target]:
            raise ConfigError(
                f"env.curriculum.applies_to: {target!r}, but the config has no {WHERE[target]} "
                f"to grow; add them, or drop {target!r} from applies_to"
            )


class Curriculum:
    """Sets the perturber's and randomizer's progress from the env steps taken (see
    :class:`~robodrl.robustness.spec.CurriculumSpec`)."""

    def __init__(self, spec: CurriculumSpec, *, perturber: Any, randomizer: Any) -> None:
        self.spec = spec
        targets = {"pushes": perturber, "randomization": randomizer}
        self.targets = [targets[name] for name in spec.applies_to if targets[name] is not None]
        self.steps_taken = 0
        self._set(self.progress)

    @property
    def progress(self) -> float:
        """The fraction of each range's width in use now."""
        spec = self.spec
        return spec.start + (1.0 - spec.start) * min(1.0, self.steps_taken / spec.steps)

    def advance(self, steps: int) -> None:
        """Count ``steps`` more env steps and grow the ranges to match."""
        if self.steps_taken >= self.spec.steps:
            return
        self.steps_taken += steps
        self._set(self.progress)

    def _set(self, progress: float) -> None:
        for target in self.targets:
            target.set_progress(progress)

    def state_dict(self) -> dict[str, Any]:
        return {"steps_taken": self.steps_taken}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.steps_taken = int(state["steps_taken"])
        self._set(self.progress)
