"""Where a training iteration's time goes: the recipe's whole loop, phase by phase (issue 30).

Runs ``robodrl train`` of a recipe (default ``quadruped_robust_ppo``) in this process for
``--iterations`` iterations, with evaluations and checkpoints every ``--every`` iterations, and
times each phase by wrapping the functions that do it (each second counts once, for the
innermost phase running):

- physics: ``mujoco.batch.Batch.step``;
- task: the task's ``after_step``, ``observe``, ``reward_terms``, ``terminated``;
- resets: the core's resets (model reset, task reset, forward), randomization excluded;
- randomization and perturbations: the randomizer's draws, pushes, action and observation noise;
- env bookkeeping: the rest of the core's ``step`` (action checks, instability, reward sum);
- inference: the agent's forward passes during the rollout;
- normalizer: observation normalization and its running statistics;
- rollout other: the rest of the rollout loop (tensors, time-limit bootstrap, episode stats);
- GAE, update: the advantages, then the epochs of minibatch steps;
- evaluation, checkpoints, logs (scalars, the episode log, the progress bar).

Evaluation and checkpoints are also given per event and amortized at the recipe's own schedule
(every ``eval.every_steps`` and ``checkpoint.every_steps``), since this run makes them more often.

Usage: python benchmarks/training_breakdown.py [--recipe quadruped_robust_ppo]
       [--iterations 12] [--every 4]
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import torch
from mujoco import batch as mjbatch

from robodrl.algorithms import ppo
from robodrl.algorithms.normalizer import RunningNormalizer
from robodrl.algorithms.onpolicy import Agent, OnPolicyLearner
from robodrl.envs.core import BatchedEnv
from robodrl.envs.episodes import EpisodeTracker
from robodrl.envs.legged.task import LeggedTask
from robodrl.resolve import load_config
from robodrl.robustness.perturbations import Perturber
from robodrl.robustness.randomization import DomainRandomizer
from robodrl.runs.episode_log import EpisodeLog
from robodrl.runs.progress import ProgressBar
from robodrl.runs.scalars import Scalars
from robodrl.runs.session import RunSession
from robodrl.runs.train import train


class PhaseClock:
    """Exclusive wall time per phase: a wrapped call pauses the phase that called it."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.stack: list[list] = []  # [phase, started, opaque]

    def wrap(self, owner, name: str, phase: str, *, opaque=False, inside=None) -> None:
        """Time ``owner.name`` as ``phase``; ``opaque``: calls within it count as it;
        ``inside``: only when called from that phase (else it counts as its caller)."""
        original = getattr(owner, name)

        def timed(*args, **kwargs):
            top = self.stack[-1] if self.stack else None
            if (top is not None and top[2]) or (
                inside is not None and (top or [None])[0] != inside
            ):
                return original(*args, **kwargs)
            now = time.perf_counter()
            if top is not None:
                self.seconds[top[0]] += now - top[1]
            self.stack.append([phase, now, opaque])
            self.calls[phase] += 1
            try:
                return original(*args, **kwargs)
            finally:
                end = time.perf_counter()
                done = self.stack.pop()
                self.seconds[done[0]] += end - done[1]
                if self.stack:
                    self.stack[-1][1] = end

        setattr(owner, name, timed)


def instrument(clock: PhaseClock) -> None:
    clock.wrap(RunSession, "rollout_start", "logs")  # scalars dump; evaluation inside
    clock.wrap(OnPolicyLearner, "collect", "rollout other")
    clock.wrap(mjbatch.Batch, "step", "physics")
    clock.wrap(BatchedEnv, "step", "env bookkeeping")
    clock.wrap(BatchedEnv, "_reset_ids", "resets")
    for name in ("after_step", "observe", "reward_terms", "terminated"):
        clock.wrap(LeggedTask, name, "task")
    for name in ("reset", "action", "apply_pushes", "observation"):
        clock.wrap(Perturber, name, "randomization and perturbations")
    for name in ("resample", "due"):
        clock.wrap(DomainRandomizer, name, "randomization and perturbations")
    for name in ("distribution", "value"):
        clock.wrap(Agent, name, "inference", inside="rollout other")
    clock.wrap(OnPolicyLearner, "policy_input", "normalizer")
    clock.wrap(RunningNormalizer, "update", "normalizer")
    clock.wrap(EpisodeTracker, "update", "rollout other")
    clock.wrap(ppo.PPOLearner, "update", "update")
    clock.wrap(ppo, "gae", "GAE")
    clock.wrap(RunSession, "_evaluate", "evaluation", opaque=True)
    clock.wrap(RunSession, "save_checkpoint", "checkpoints", opaque=True)
    for owner, name in ((Scalars, "dump"), (EpisodeLog, "write"), (ProgressBar, "update"),
                        (RunSession, "rollout_end")):  # fmt: skip
        clock.wrap(owner, name, "logs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipe", default="quadruped_robust_ppo")
    parser.add_argument("--iterations", type=int, default=12)
    parser.add_argument("--every", type=int, default=4, help="iterations between evaluations")
    args = parser.parse_args()
    recipe = load_config(args.recipe)
    hp = recipe.algorithm.hyperparameters
    per_iteration = hp["n_steps"] * recipe.env.num_envs
    every = per_iteration * args.every
    config = load_config(args.recipe, [
        f"total_steps={per_iteration * args.iterations}",
        f"eval.every_steps={every}", f"checkpoint.every_steps={every}",
    ])  # fmt: skip
    clock = PhaseClock()
    instrument(clock)
    with tempfile.TemporaryDirectory(prefix="robodrl-breakdown-") as folder:
        start = time.perf_counter()
        train(config, Path(folder) / "run")
        total = time.perf_counter() - start

    n = args.iterations
    print(
        f"\n{args.recipe}: {n} iterations of {per_iteration:,} steps in {total:.1f} s "
        f"({per_iteration * n / total:,.0f} steps/s end to end, this run's schedule); "
        f"{platform.machine()}, {os.cpu_count()} CPUs, torch threads {torch.get_num_threads()}"
    )
    print("| phase | ms per iteration | share | calls |")
    print("|---|---:|---:|---:|")
    rows = sorted(clock.seconds.items(), key=lambda item: -item[1])
    rows.append(("not attributed (run setup, loop)", total - sum(clock.seconds.values())))
    for phase, seconds in rows:
        print(f"| {phase} | {1000 * seconds / n:,.1f} | {seconds / total:.1%} | "
              f"{clock.calls.get(phase, '')} |")  # fmt: skip
    loop = sum(s for p, s in clock.seconds.items() if p not in ("evaluation", "checkpoints"))
    print(f"\nthe training loop without evaluations and checkpoints: {1000 * loop / n:,.0f} ms "
          f"per iteration ({per_iteration * n / loop:,.0f} steps/s)")  # fmt: skip
    for phase, schedule in (("evaluation", recipe.eval.every_steps),
                            ("checkpoints", recipe.checkpoint.every_steps)):  # fmt: skip
        events = clock.calls.get(phase, 0)
        if events:
            each = clock.seconds[phase] / events
            amortized = 1000 * each * per_iteration / schedule
            print(f"{phase}: {each:.2f} s per event; at the recipe's schedule (every "
                  f"{schedule:,} steps) {amortized:.1f} ms per iteration")  # fmt: skip


if __name__ == "__main__":
    main()
