"""The planning batch: candidate action sequences rolled out from the acting simulations' state
as simulations of one batched core, scored by the task's own reward terms.

Rows are laid out ``(acting simulation, model, candidate)``. Before each plan every row gets its
acting simulation's full physics state and task state (commands, clocks) copied in; the
acting core is only read. With ``robust.models`` M > 1 the planning core is randomized and all
rows of model m share its draws (the same seed), so each candidate is scored on the same M
models; the score is the mean or the worst of its M returns. A row whose rollout terminates (a
fall) earns nothing after that step.
"""

from __future__ import annotations

import math

import numpy as np

from robodrl.envs.core import BatchedEnv
from robodrl.errors import ConfigError
from robodrl.make import make_core
from robodrl.planners.config import PlannerConfig


class PlanningBatch:
    """Roll out ``(n, samples, horizon, act)`` action sequences from ``n`` acting simulations."""

    def __init__(self, config: PlannerConfig, num_acting: int) -> None:
        self.config = config
        self.n, self.models = num_acting, config.robust.models
        self.samples = config.planner.samples
        rows = self.n * self.models * self.samples
        # rows of model m share seed seed + m: the same randomized model for every candidate
        seeds = np.tile(np.repeat(config.seed + np.arange(self.models), self.samples), self.n)
        self.core: BatchedEnv = make_core(
            config.env.id,
            rows,
            num_threads=config.num_threads,
            seed=seeds.tolist(),
            autoreset=False,
            randomization=config.robust.randomization,
            **config.env.task,
        )
        self.horizon = horizon_steps(config, self.core.control_dt)
        _set_weights(self.core, config.objective.weights)

    def load_state(self, acting: BatchedEnv) -> None:
        """Every row's state ← its acting simulation's (physics, then the task's own state)."""
        group = self.models * self.samples
        source = np.repeat(np.arange(self.n), group)
        core = self.core
        core.batch.state[:] = np.asarray(acting.batch.state)[source]
        task_state = acting.task.state_dict()
        if task_state:
            core.task.load_state_dict(
                {k: np.asarray(v)[source].tolist() for k, v in task_state.items()}
            )
        core.elapsed_steps[:] = 0
        core.batch.forward()

    def scores(self, acting: BatchedEnv, actions: np.ndarray) -> np.ndarray:
        """The return of each candidate, ``(n, samples)``, from the acting state;
        ``actions``: ``(n, samples, horizon, act)`` in [-1, 1]."""
        self.load_state(acting)
        n, samples, horizon, act = actions.shape
        per_row = np.broadcast_to(actions[:, None], (n, self.models, samples, horizon, act))
        per_row = per_row.reshape(n * self.models * samples, horizon, act)
        total = np.zeros(len(per_row))
        alive = np.ones(len(per_row), dtype=bool)
        for t in range(horizon):
            _, reward, terminated, _, _ = self.core.step(per_row[:, t])
            total += np.where(alive, reward, 0.0)
            alive &= ~terminated
        returns = total.reshape(n, self.models, samples)
        if self.config.robust.aggregate == "worst":
            return returns.min(axis=1)
        return returns.mean(axis=1)


#: the most simulated steps one planning iteration may take (memory for the candidates'
#: actions, and time): 64 samples x 1 s at 100 Hz is 6,400
MAX_CANDIDATE_STEPS = 50_000_000


def horizon_steps(config: PlannerConfig, control_dt: float) -> int:
    """The horizon in control steps; shorter than one control step is an error."""
    steps = math.floor(config.planner.horizon_seconds / control_dt + 1e-9)
    if steps < 1:
        raise ConfigError(
            f"planner.horizon_seconds: {config.planner.horizon_seconds} s is shorter than one "
            f"control step of {config.env.id} ({control_dt:g} s)"
        )
    candidates = config.planner.samples * config.robust.models
    if candidates * steps > MAX_CANDIDATE_STEPS:
        raise ConfigError(
            f"planner.samples x horizon_seconds: {candidates:,} candidates (samples x "
            f"robust.models) x {steps:,} control steps is {candidates * steps:,} simulated "
            f"steps per planning iteration; at most {MAX_CANDIDATE_STEPS:,}: use fewer samples "
            "or a shorter horizon"
        )
    if config.planner.knots > steps:
        raise ConfigError(
            f"planner.knots: {config.planner.knots} knots over a horizon of {steps} control "
            f"steps; use at most {steps}"
        )
    return steps


def _set_weights(core: BatchedEnv, weights: dict[str, float]) -> None:
    names = core.task.reward_names
    for term, weight in weights.items():
        if term not in names:
            raise ConfigError(
                f"objective.weights.{term}: {core.task.__class__.__name__} has no reward term "
                f"{term!r}; its terms: {', '.join(names)}"
            )
        core.task.reward_weights[term] = float(weight)
