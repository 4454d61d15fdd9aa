"""Absolute anchors: random and zero actions per cell, and a score that ranks a trained policy
above an untrained one (the relative-to-nominal measure ranks them the other way)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from robodrl.evaluation.anchors import ANCHORS, attach_anchors, ranked
from robodrl.evaluation.run import evaluate
from robodrl.resolve import load_config
from robodrl.runs.train import train


@pytest.fixture(scope="module")
def two_pendulums(tmp_path_factory: pytest.TempPathFactory, signing_home_session: Path):
    """The demo recipe stopped after one rollout (untrained) and after 16 (it balances)."""
    root = tmp_path_factory.mktemp("anchors")
    runs = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ROBODRL_HOME", str(signing_home_session))
        for name, steps in (("untrained", 4096), ("trained", 65536)):
            overrides = [f"total_steps={steps}", f"eval.every_steps={steps}", "eval.episodes=2"]
            runs[name], _ = train(load_config("pendulum_ppo", overrides), root / name)
    return runs


def test_report_ranks_the_trained_policy_first_and_shows_the_anchors(
    two_pendulums: dict[str, Path], tmp_path: Path
) -> None:
    policies = [two_pendulums["untrained"], two_pendulums["trained"]]
    out, results = evaluate(policies, "latency", out=tmp_path / "report", episodes=4)
    untrained, trained = results
    assert [r["policy"] for r in ranked(results)] == ["trained", "untrained"]
    assert trained["robustness"]["score"] > untrained["robustness"]["score"] + 0.3
    # the measure relative to each policy's own nominal return flatters the bad policy
    assert (
        untrained["robustness"]["fraction_above_80_percent"]
        > trained["robustness"]["fraction_above_80_percent"]
    )
    for result in results:
        for cell in [result["nominal"], *result["cells"]]:
            assert set(cell["anchors"]) == {*ANCHORS, "best_policy", "best_return"}
            assert 0.0 <= cell["score"] <= 1.0
    # the undelayed cell is nominal: its anchors are the nominal anchors (same seeds, actions)
    assert trained["cells"][0]["values"] == {"obs_latency_steps": 0.0}
    assert trained["cells"][0]["anchors"] == trained["nominal"]["anchors"] | {
        "best_return": trained["cells"][0]["mean_return"]
    }
    assert trained["nominal"]["anchors"]["best_policy"] == "trained"
    # random torques do no better than hanging still, and far worse than balancing
    random_return = trained["nominal"]["anchors"]["random_actions"]
    assert random_return < trained["nominal"]["mean_return"] - 500

    table = (out / "report.md").read_text()
    rows = [line for line in table.splitlines() if line.startswith("| ") and "---" not in line]
    assert rows[1].startswith("| trained |") and rows[2].startswith("| untrained |")
    assert f"random actions {random_return:.1f}" in table and "zero actions" in table
    assert "Score: each cell's mean return placed between random actions" in table
    document = json.loads((out / "results.json").read_text())
    assert set(document["anchors"]["default"]) == set(ANCHORS)
    assert "always scores higher" in document["score"]
    row = next(csv.DictReader((out / "results.csv").open()))
    assert float(row["random_actions_return"]) == pytest.approx(random_return)
    page = (out / "report.html").read_text()
    assert "random actions" in page and "<th>score</th>" in page


def _result(name: str, nominal: float, cells: list[float]) -> dict:
    return {
        "policy": name,
        "anchors_for": "default",
        "nominal": {"mean_return": nominal},
        "cells": [{"values": {"x": float(i)}, "mean_return": v} for i, v in enumerate(cells)],
        "robustness": {},
    }


@pytest.mark.parametrize("seed", range(20))
def test_a_policy_better_in_every_cell_never_scores_lower(seed: int) -> None:
    rng = np.random.default_rng(seed)
    cells = 6
    floor = rng.uniform(-2000, 0, cells + 1)
    anchor = {
        name: {
            "nominal": {"mean_return": float(floor[0])},
            "cells": [
                {"values": {"x": float(i)}, "mean_return": float(v)}
                for i, v in enumerate(floor[1:])
            ],
        }
        for name in ANCHORS
    }
    worse = rng.uniform(-2000, 500, cells + 1)
    better = worse + rng.uniform(0, 300, cells + 1)
    results = [
        _result("worse", float(worse[0]), worse[1:].tolist()),
        _result("better", float(better[0]), better[1:].tolist()),
    ]
    attach_anchors(results, {"default": anchor})
    assert results[1]["robustness"]["score"] >= results[0]["robustness"]["score"]
    assert all(0.0 <= c["score"] <= 1.0 for r in results for c in r["cells"])
