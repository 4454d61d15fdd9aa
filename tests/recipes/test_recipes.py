"""``make test-recipes`` (not in CI): train every shipped recipe as written and check the final
evaluation return against the one ``recipes/RESULTS.md`` states for it (seed 0).

A recipe passes when its return is at least the recorded one minus 20% of its size (runs on
another machine or library version differ a little); a recipe without a recorded return fails:
every recipe states what it reaches.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from robodrl.lookup import RECIPES, recipe_names
from tests.trainers.conftest import run_cli

pytestmark = pytest.mark.recipes
RESULTS = RECIPES / "RESULTS.md"
TOLERANCE = 0.2


def recorded_return(recipe: str, text: str) -> float | None:
    """The seed-0 final return of ``recipe`` in RESULTS.md's tables (the first number of the
    column whose header starts with 'return (final)' or 'final return')."""
    header: list[str] = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| recipe"):
            header = cells
        elif line.startswith(f"| `{recipe}.yaml`") and header:
            column = next(
                i for i, h in enumerate(header) if h.startswith(("return (final)", "final return"))
            )
            number = re.search(r"-?[\d,]+(\.\d+)?", cells[column])
            return float(number.group(0).replace(",", "")) if number else None
    return None


def test_every_recipe_has_a_recorded_return() -> None:
    text = RESULTS.read_text()
    missing = [name for name in recipe_names() if recorded_return(name, text) is None]
    assert not missing, f"recipes without a return in {RESULTS}: {missing}"


@pytest.mark.parametrize("recipe", recipe_names())
def test_recipe_reaches_its_recorded_return(recipe: str, tmp_path: Path) -> None:
    expected = recorded_return(recipe, RESULTS.read_text())
    assert expected is not None, f"{RESULTS} states no return for {recipe}"
    run = tmp_path / "run"
    result = run_cli("train", recipe, "--run-dir", str(run), timeout=3 * 3600)
    assert result.returncode == 0, result.stderr
    final = json.loads((run / "summary.json").read_text())["final_eval"]["mean_return"]
    assert final >= expected - TOLERANCE * abs(expected), (recipe, final, expected)
