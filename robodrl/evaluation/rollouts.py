"""Run a sweep: every cell's episodes as simulations of a few batches, and their metrics.

Cells that share their perturbation settings run in one batch; their randomized quantities
are pinned per simulation. Episode e of every cell starts from the same seed (``seed + e``),
so cells differ only by what the sweep changes (common random numbers), and a nominal group
with neither randomization nor perturbation gives each policy's reference return.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from typing import Any

import numpy as np

from robodrl.envs.episodes import run_episodes
from robodrl.envs.two_player import AgainstAdversary
from robodrl.errors import ConfigError
from robodrl.evaluation.adversaries import load_sweep_adversary
from robodrl.evaluation.policies import EvaluatedPolicy
from robodrl.evaluation.sweep import ADVERSARY_AXIS, SweepSpec
from robodrl.make import make_core, make_two_player


def _perturbations(spec: SweepSpec, cell: dict[str, float]) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    for axis in spec.axes:
        value = cell[axis.name]
        kind = axis.perturb
        if kind is None or kind == ADVERSARY_AXIS:  # the adversary is not a perturbation
            continue
        if kind == "observation_noise":
            doc["observation_noise"] = [{"group": axis.group, "std": value}]
        elif kind in ("observation_latency_steps", "action_latency_steps"):
            doc[kind] = int(value)
        elif kind == "action_noise_std":
            doc[kind] = value
        elif kind == "motor_strength":
            doc[kind] = {"low": value, "high": value}
        else:
            low, high = axis.interval_seconds
            doc.setdefault("pushes", []).append(
                {
                    "body": axis.body,
                    "kind": "velocity" if kind == "push_velocity" else "force",
                    "magnitude": {"low": value, "high": value},
                    "interval_seconds": {"low": low, "high": high},
                }
            )
    return doc


def _randomization(spec: SweepSpec) -> dict[str, Any] | None:
    params = []
    for axis in spec.axes:
        if axis.randomize is None:
            continue
        low, high = axis.bounds()
        params.append(
            {
                **axis.randomize,
                "name": axis.name,
                "distribution": {"type": "uniform", "low": low, "high": high},
            }
        )
    return {"params": params} if params else None


def run_group(
    policy: EvaluatedPolicy,
    spec: SweepSpec,
    cells: list[dict[str, float]],
    *,
    episodes: int,
    seed: int,
    perturbations: dict[str, Any] | None,
    randomize: bool = True,
    adversary: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Roll out ``episodes`` episodes of each cell in one batch; per-cell raw results.
    ``adversary`` (``{"source": run or "random", "trust": bool}``): the cells face it, its
    forces scaled by the sweep's ``adversary_force_scale`` axis."""
    n = len(cells) * episodes
    settings = {
        "seed": [seed + e for _ in cells for e in range(episodes)],
        "randomization": _randomization(spec) if randomize else None,
        "perturbations": perturbations or None,
        "autoreset": False,
        **policy.task_arguments,
    }
    if adversary is None:
        core = make_core(policy.env_id, n, **settings)
    else:
        core = _against_adversary(policy.env_id, n, settings, adversary, seed)
        scale = [c[spec.adversary_axis()] for c in cells]
        core.game.adversary.scale[:] = np.repeat(scale, episodes)
    if (core.obs_dim, core.action_dim) != (policy.obs_dim, policy.act_dim):
        raise ConfigError(
            f"policy {policy.name} does not fit {policy.env_id}: it maps {policy.obs_dim} "
            f"observations to {policy.act_dim} actions, the task has {core.obs_dim} and "
            f"{core.action_dim}"
        )
    if core.randomizer is not None:
        for axis in spec.axes:
            if axis.randomize is not None:
                core.randomizer.pin(axis.name, np.repeat([c[axis.name] for c in cells], episodes))
    stats = run_episodes(core, lambda obs: policy.act(obs, core))
    has_success = core.task.has_success
    rows = []
    for c, cell in enumerate(cells):
        part = slice(c * episodes, (c + 1) * episodes)
        rows.append(
            {
                "values": cell,
                "returns": stats.returns[part].tolist(),
                "fall_rate": float(stats.fell[part].mean()),
                "unstable": int(stats.unstable[part].sum()),
                "success_rate": float(stats.success[part].mean()) if has_success else None,
            }
        )
    return rows


def _against_adversary(
    env_id: str, n: int, settings: dict[str, Any], adversary: dict[str, Any], seed: int
) -> AgainstAdversary:
    """The cells' simulations as the protagonist's side of a game against ``adversary``."""
    spec, forces = load_sweep_adversary(adversary["source"], env_id, trust=adversary["trust"])
    game = make_two_player(env_id, n, adversary=spec, **settings)
    return AgainstAdversary(game, forces(game, seed))


#: perturbations of the observation only (a planner, reading the true state, never sees them)
OBSERVATION_PERTURBATIONS = ("observation_noise", "observation_latency_steps")


def normalized(value: float, nominal: float) -> float:
    """Return relative to nominal: 1 at nominal; 0 when as much return is lost as nominal has."""
    if nominal == 0:
        return math.nan
    return 1.0 + (value - nominal) / abs(nominal)


def cell_metrics(row: dict[str, Any], nominal_mean: float) -> dict[str, Any]:
    """Mean / std / min return, normalized return, CVaR of the worst 10%, rates."""
    returns = np.sort(np.asarray(row["returns"]))
    worst = returns[: max(1, math.ceil(0.1 * len(returns)))]
    return {
        **row,
        "mean_return": float(returns.mean()),
        "std_return": float(returns.std()),
        "min_return": float(returns.min()),
        "cvar10_return": float(worst.mean()),
        "normalized_return": normalized(float(returns.mean()), nominal_mean),
        "normalized_episodes": [normalized(float(r), nominal_mean) for r in row["returns"]],
    }


def robustness_score(spec: SweepSpec, cells: list[dict[str, Any]]) -> dict[str, float]:
    """Fraction of cells keeping >= 80% of nominal return, and the area under the normalized
    curve (trapezoid over a unit-length axis for 1-D grids, the cell mean otherwise; each
    normalized return clipped to [0, 1])."""
    values = np.array([c["normalized_return"] for c in cells])
    kept = float(np.mean(values >= 0.8))
    clipped = np.clip(values, 0.0, 1.0)
    if spec.kind == "grid" and len(spec.axes) == 1 and len(cells) > 1:
        xs = np.array([c["values"][spec.axes[0].name] for c in cells])
        span = xs.max() - xs.min()
        area = (
            float(np.trapezoid(clipped, (xs - xs.min()) / span))
            if span > 0
            else float(clipped.mean())
        )
    else:
        area = float(clipped.mean())
    return {"fraction_above_80_percent": kept, "area_under_normalized_curve": area}


def group_job(
    policy_source: str | dict[str, Any] | EvaluatedPolicy,
    trust: bool,
    spec: dict,
    cells: list[dict],
    options: dict[str, Any],
    task_overrides: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """One batch of cells, from plain arguments (a backend job: it may run in another process).
    ``policy_source``: a policy's path, an anchor (``{"anchor": kind, "env_id": id}``), or the
    policy itself (a job in this process, :meth:`EvaluatedPolicy.job_source`)."""
    from robodrl.evaluation.policies import load_policy

    if isinstance(policy_source, EvaluatedPolicy):  # loaded in this process already
        policy = policy_source
    elif isinstance(policy_source, dict):  # a fresh anchor: its random actions restart
        from robodrl.evaluation.anchors import anchor_policy

        kind, env_id, arguments = policy_source["anchor"], policy_source["env_id"], task_overrides
        episodes, seed = options["episodes"], options["seed"]
        policy = anchor_policy(kind, env_id, arguments or {}, episodes=episodes, seed=seed)
    else:
        policy = load_policy(policy_source, trust=trust).with_task(task_overrides or {})
    return run_group(policy, SweepSpec.model_validate(spec), cells, **options)


def evaluate_sweep(
    policy: EvaluatedPolicy,
    spec: SweepSpec,
    *,
    episodes: int,
    seed: int,
    trust: bool = False,
    backend: str = "local",
    address: str | None = None,
    adversary: str | None = None,
) -> dict[str, Any]:
    """Nominal reference plus every cell of ``spec`` for one policy; the batches are backend
    jobs (cells sharing their perturbation settings form one batch). ``adversary``: a rarl run
    or ``random``, for a sweep with an ``adversary_force_scale`` axis."""
    from robodrl.backends import map_jobs

    base = {"episodes": episodes, "seed": seed}
    jobs = [([{}], {**base, "perturbations": None, "randomize": False})]
    groups: dict[str, list[dict[str, float]]] = defaultdict(list)
    for cell in spec.cells():
        groups[json.dumps(_perturbations(spec, cell), sort_keys=True)].append(cell)
    if adversary is not None:
        base = {**base, "adversary": {"source": str(adversary), "trust": trust}}
    jobs += [(cells, {**base, "perturbations": json.loads(key)}) for key, cells in groups.items()]
    document = spec.model_dump(mode="json")
    source = policy.job_source(here=backend == "local")
    results = map_jobs(
        group_job,
        [
            (source, trust, document, cells, options, policy.task_overrides)
            for cells, options in jobs
        ],
        backend=backend,
        address=address,
    )
    nominal_row, rows = results[0][0], [row for group in results[1:] for row in group]
    nominal = cell_metrics(nominal_row, float(np.mean(nominal_row["returns"])))
    order = {json.dumps(c, sort_keys=True): i for i, c in enumerate(spec.cells())}
    rows.sort(key=lambda r: order[json.dumps(r["values"], sort_keys=True)])
    cells = [cell_metrics(r, nominal["mean_return"]) for r in rows]
    result = {
        "policy": policy.name,
        "source": str(policy.source),
        "env_id": policy.env_id,
        "nominal": nominal,
        "cells": cells,
        "robustness": robustness_score(spec, cells),
    }
    unseen = observation_axes(spec) if getattr(policy.policy, "needs_state", False) else []
    if unseen:
        result["not_applicable"] = (
            f"a planner plans from the simulation's true state, not from the observation, so "
            f"{', '.join(unseen)} cannot reach it: its cells are not applicable"
        )
        result["robustness"] = dict.fromkeys(result["robustness"])
    return result


def observation_axes(spec: SweepSpec) -> list[str]:
    """The sweep's axes that change only what the policy observes."""
    return [a.name for a in spec.axes if a.perturb in OBSERVATION_PERTURBATIONS]
