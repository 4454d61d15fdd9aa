"""Sampling-based model-predictive control on the batched simulator.

A planner is a robodrl policy: ``load_planner(path)`` reads a planner YAML file
(:mod:`~robodrl.planners.config`) and returns the planner it names, whose ``act(obs, core)``
plans from the state of the acting core's simulations on a planning batch
(:mod:`~robodrl.planners.batch`). Algorithms: predictive sampling, MPPI and CEM, one file each.
"""

from __future__ import annotations

from pathlib import Path

from robodrl.planners.base import Planner
from robodrl.planners.config import PlannerConfig, load_planner_config
from robodrl.registries import Registry

#: ``planner.name`` → the planner (its settings: :data:`robodrl.planners.config.SETTINGS`)
PLANNERS: Registry[type[Planner]] = Registry(
    "planner",
    {
        "predictive_sampling": "robodrl.planners.predictive_sampling:PredictiveSampling",
        "mppi": "robodrl.planners.mppi:MPPI",
        "cem": "robodrl.planners.cem:CEM",
    },
)


def make_planner(config: PlannerConfig, source: str = "") -> Planner:
    """The planner ``config`` names."""
    return PLANNERS.get(config.planner.name)(config, source)


def load_planner(path: str | Path) -> Planner:
    """The planner of a planner YAML file."""
    return make_planner(load_planner_config(path), str(path))


__all__ = ["PLANNERS", "Planner", "PlannerConfig", "load_planner", "make_planner"]
