"""What every sampling planner shares: it is a robodrl policy that reads the acting simulations'
state, keeps a warm start per simulation, and asks its algorithm to improve the plan.

An algorithm (``predictive_sampling.py``, ``mppi.py``, ``cem.py``) implements
:meth:`Planner.improve`: from the warm start (the previous plan, one control step later), return
the plan to act on and the warm start's successor. :meth:`Planner.evaluate` scores candidate
knots on the planning batch and remembers the best one seen, so a plan never scores below its
warm start (the warm start is always a candidate of the first iteration).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from robodrl.envs.core import BatchedEnv
from robodrl.errors import ConfigError
from robodrl.planners.batch import PlanningBatch, horizon_steps
from robodrl.planners.config import PlannerConfig
from robodrl.planners.spline import ActionSpline


class Planner:
    """A sampling-based model-predictive controller as a :class:`robodrl.policy.Policy`:
    ``act(obs, core)`` plans from the state of ``core``'s simulations (it needs the core)."""

    #: evaluation passes the acting core to policies that plan from its state
    needs_state = True

    def __init__(self, config: PlannerConfig, source: str = "") -> None:
        self.config, self.source = config, source
        self.settings = config.planner
        self.env_id, self.task_arguments = config.env.id, dict(config.env.task)
        probe = PlanningBatch(config.model_copy(update={"planner": _one_sample(config)}), 1)
        self.obs_dim, self.act_dim = probe.core.obs_dim, probe.core.action_dim
        self.control_dt = probe.core.control_dt
        horizon_steps(config, self.control_dt)  # the whole planner's size, before it is built
        self.spline = ActionSpline(self.settings.knots, probe.horizon, self.settings.interpolation)
        self.rng = np.random.default_rng(config.seed)
        self.batch: PlanningBatch | None = None
        self.mean: np.ndarray | None = None  # (n, knots, act): the warm start of each simulation
        self.planning_seconds: list[float] = []
        self.last_scores: dict[str, np.ndarray] = {}

    # -- the policy ------------------------------------------------------------------------------
    def act(self, obs: np.ndarray, core: BatchedEnv | None = None) -> np.ndarray:
        """Plan from every simulation of ``core``; the first action of each plan."""
        if core is None:
            raise ConfigError(
                f"planner {self.source or self.settings.name}: a planner acts from the "
                "simulation's state; call act(obs, core) with the acting batched core"
            )
        start = time.perf_counter()
        plan = self.plan(core)
        self.planning_seconds.append(time.perf_counter() - start)
        return np.clip(self.spline.actions(plan)[:, 0], -1.0, 1.0)

    def plan(self, core: BatchedEnv, warm: np.ndarray | None = None) -> np.ndarray:
        """The plan ``(n, knots, act)`` for each simulation of ``core`` from its state now,
        starting from ``warm`` (default: the last plan one step later; zeros in a new
        episode)."""
        self._fit(core)
        if warm is None:
            warm = self.spline.shifted(self.mean)
            warm[core.elapsed_steps == 0] = 0.0  # a new episode starts from the nominal plan
        self.best, self.best_scores = warm.copy(), np.full(core.num_envs, -np.inf)
        self.acting = core
        plan, self.mean = self.improve(warm)
        return plan

    def improve(self, warm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The algorithm: from ``warm`` ``(n, knots, act)``, the plan to act on and the next
        warm start."""
        raise NotImplementedError

    # -- shared by the algorithms ------------------------------------------------------------------
    def sample(self, mean: np.ndarray, std: np.ndarray | float) -> np.ndarray:
        """``samples`` candidates around ``mean`` ``(n, knots, act)``: the mean itself first,
        then Gaussian perturbations, clipped to [-1, 1]: ``(n, samples, knots, act)``."""
        n, knots, act = mean.shape
        noise = self.rng.standard_normal((n, self.settings.samples - 1, knots, act))
        candidates = np.concatenate([mean[:, None], mean[:, None] + std * noise], axis=1)
        return np.clip(candidates, -1.0, 1.0)

    def evaluate(self, candidates: np.ndarray) -> np.ndarray:
        """Each candidate's return ``(n, samples)``; the best one seen is kept as the plan."""
        scores = self.batch.scores(self.acting, self.spline.actions(candidates))
        best = scores.argmax(axis=1)
        rows = np.arange(len(scores))
        better = scores[rows, best] > self.best_scores
        self.best[better] = candidates[rows, best][better]
        self.best_scores[better] = scores[rows, best][better]
        self.last_scores = {"mean": scores[:, 0].copy(), "best": self.best_scores.copy()}
        return scores

    def _fit(self, core: BatchedEnv) -> None:
        """A planning batch for ``core``'s simulations (built once per number of them)."""
        if (core.obs_dim, core.action_dim) != (self.obs_dim, self.act_dim):
            raise ConfigError(
                f"planner for {self.env_id} ({self.obs_dim} observations, {self.act_dim} "
                f"actions) cannot drive a core with {core.obs_dim} and {core.action_dim}"
            )
        if self.batch is None or self.batch.n != core.num_envs:
            self.batch = PlanningBatch(self.config, core.num_envs)
            if np.asarray(core.batch.state).shape[1] != self.batch.core.batch.state.shape[1]:
                raise ConfigError(
                    f"planner for {self.env_id}: the acting simulations' model differs from "
                    "the planner's (give the planner the same task arguments)"
                )
            self.mean = np.zeros((core.num_envs, self.settings.knots, self.act_dim))

    def statistics(self) -> dict[str, Any]:
        """Planning time per control step so far, and whether it keeps up with real time."""
        seconds = np.asarray(self.planning_seconds)
        mean = float(seconds.mean()) if len(seconds) else float("nan")
        return {
            "plans": len(seconds),
            "seconds_per_plan": mean,
            "real_time_factor": self.control_dt / mean if len(seconds) else float("nan"),
        }


def _one_sample(config: PlannerConfig):
    return config.planner.model_copy(update={"samples": 1})
