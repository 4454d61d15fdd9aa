"""Absolute anchors for a report: what random actions and zero actions return in every cell,
and a score placing each policy between random actions (0) and the report's best policy (1).

A policy's own nominal return says nothing about whether it is any good: a policy that is bad
everywhere loses nothing under a perturbation. The anchors and the score do not depend on the
policy being scored, so a policy that is better in every cell never scores lower.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from robodrl.evaluation.policies import EvaluatedPolicy

#: anchor name → its label in reports: uniform random actions in [-1, 1] every control step,
#: and action 0 (mid-range commands)
ANCHORS = {"random_actions": "random actions", "zero_actions": "zero actions"}
#: one sentence on how to read the score
SCORE_SENTENCE = (
    "Score: each cell's mean return placed between random actions in that cell (0) and the best "
    "nominal return in this report (1), clipped to [0, 1] and averaged over cells; it does not "
    "depend on the policy's own nominal return, so a policy with a higher return in every cell "
    "always scores higher."
)


@dataclass
class AnchorActions:
    """A policy that ignores its observations: zeros, or uniform random actions. Random actions
    of step t come from ``(seed, t)`` and repeat every ``episodes`` rows, so episode e of every
    cell sees the same actions (common random numbers, as the episodes' seeds)."""

    kind: str
    env_id: str
    task_arguments: dict[str, Any]
    obs_dim: int
    act_dim: int
    episodes: int
    seed: int
    #: the evaluator hands it the whole batch, not blocks (its actions depend on the row)
    batch_actions: bool = True
    step: int = 0

    def act(self, obs: np.ndarray) -> np.ndarray:
        rows = len(obs)
        if self.kind == "zero_actions":
            return np.zeros((rows, self.act_dim))
        rng = np.random.default_rng([self.seed, self.step])
        self.step += 1
        draws = rng.uniform(-1.0, 1.0, (self.episodes, self.act_dim))
        return np.tile(draws, (rows // self.episodes + 1, 1))[:rows]


def anchor_policy(
    kind: str, env_id: str, task_arguments: dict[str, Any], *, episodes: int, seed: int
) -> EvaluatedPolicy:
    """An anchor for ``env_id`` with ``task_arguments`` (its sizes from the task's model), as
    the evaluator takes a policy; its random actions start again with each new anchor."""
    from robodrl.registry import make_task

    if kind not in ANCHORS:
        raise ValueError(f"unknown anchor {kind!r}; anchors: {', '.join(ANCHORS)}")
    task = make_task(env_id, **task_arguments)
    arguments = dict(task_arguments)
    actions = AnchorActions(kind, env_id, arguments, task.obs_dim, task.action_size(), episodes,
                            seed)  # fmt: skip
    return EvaluatedPolicy(kind, Path(kind), actions, task_overrides=arguments)


def cell_key(values: dict[str, float]) -> tuple:
    return tuple(sorted(values.items()))


def attach_anchors(results: list[dict[str, Any]], anchors: dict[str, dict[str, Any]]) -> None:
    """Give every policy's nominal and cells their anchors (``anchors``: the results of the
    anchor policies, by task-arguments label then anchor name) and their score; add
    ``robustness.score`` and ``robustness.nominal_score``. The best policy is the best of
    ``results`` whose cells apply."""
    scored = [r for r in results if "not_applicable" not in r]
    best_nominal = max((r["nominal"]["mean_return"] for r in scored), default=None)
    best_cells: dict[tuple, tuple[float, str]] = {}
    for result in scored:
        for cell in result["cells"]:
            key = cell_key(cell["values"])
            if key not in best_cells or cell["mean_return"] > best_cells[key][0]:
                best_cells[key] = (cell["mean_return"], result["policy"])
    for result in results:
        own = anchors[result["anchors_for"]]
        nominal_floor = own["random_actions"]["nominal"]["mean_return"]
        unit = None if best_nominal is None else best_nominal - nominal_floor
        pairs = [(result["nominal"], {}, None)]
        pairs += [(c, c["values"], best_cells.get(cell_key(c["values"]))) for c in result["cells"]]
        for cell, values, best in pairs:
            cell["anchors"] = {name: _mean_in(own[name], values) for name in ANCHORS} | {
                "best_policy": best[1] if best else None,
                "best_return": best[0] if best else None,
            }
            cell["score"] = _score(cell["mean_return"], cell["anchors"]["random_actions"], unit)
        nominal_best = {"best_policy": _best_nominal(scored), "best_return": best_nominal}
        result["nominal"]["anchors"].update(nominal_best)
        if "not_applicable" in result:
            result["robustness"].update(score=None, nominal_score=None)
            continue
        result["robustness"]["score"] = float(np.mean([c["score"] for c in result["cells"]]))
        result["robustness"]["nominal_score"] = result["nominal"]["score"]


def _mean_in(anchor: dict[str, Any], values: dict[str, float]) -> float:
    if not values:
        return anchor["nominal"]["mean_return"]
    key = cell_key(values)
    return next(c["mean_return"] for c in anchor["cells"] if cell_key(c["values"]) == key)


def _best_nominal(scored: list[dict[str, Any]]) -> str | None:
    if not scored:
        return None
    return max(scored, key=lambda r: r["nominal"]["mean_return"])["policy"]


def _score(value: float, floor: float, unit: float | None) -> float:
    """``(value - floor) / unit`` clipped to [0, 1]; 0 when no policy beats random actions."""
    if unit is None or unit <= 0:
        return 0.0
    return float(np.clip((value - floor) / unit, 0.0, 1.0))


def ranked(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Policies best score first; those whose cells do not apply last."""

    def key(result: dict[str, Any]) -> tuple[bool, float]:
        score = result["robustness"].get("score")
        return score is None, -(score or 0.0)

    return sorted(results, key=key)
