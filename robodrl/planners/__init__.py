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


def make_planner(config: PlannerConfig, source: str = "") -> Planner:
    """The planner ``config`` names."""
    from robodrl.planners.cem import CEM
    from robodrl.planners.mppi import MPPI
    from robodrl.planners.predictive_sampling import PredictiveSampling

    kinds = {"predictive_sampling": PredictiveSampling, "mppi": MPPI, "cem": CEM}
    return kinds[config.planner.name](config, source)


def load_planner(path: str | Path) -> Planner:
    """The planner of a planner YAML file."""
    return make_planner(load_planner_config(path), str(path))


__all__ = ["Planner", "PlannerConfig", "load_planner", "make_planner"]
