"""Push on the Franka-class arm under dr-default: robodrl's push recipe (DAgger from the
scripted pusher) beside Stable-Baselines3's SAC with goal relabelling (HER), the off-policy
anchor for goal tasks, given the same wall time. Both are then evaluated on the same episodes.

    python benchmarks/push_her_side_by_side.py [--out DIR] [--episodes 256] [--robot franka_class]

1. ``robodrl train manipulator_push_dagger`` runs to its budget; its wall time is measured.
2. SB3 SAC + ``HerReplayBuffer`` (RL Zoo's Fetch settings: future strategy with 4 sampled
   goals, gamma 0.95, learning rate 1e-3, tau 0.05, batch 512, [512, 512, 512] networks)
   trains on the task's goal view (``robodrl.envs.goal_env.GoalEnv``: Fetch's dict observations
   and sparse reward), one simulation, for the same wall time.
3. Both run the same ``--episodes`` episodes (seeds from 50,000) under dr-default.

Gymnasium-Robotics' FetchPush itself does not run on MuJoCo 4 (its ``mujoco_utils`` compares
joint types with ``mjtJoint`` members that MuJoCo 4's enums no longer equal), so the anchor
runs on robodrl's push task, the same task robodrl's recipe solves.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from manipulation_success import episodes, report

from robodrl.envs.goal_env import GoalEnv
from robodrl.envs.gym_env import RobodrlEnv
from robodrl.policy import actions_for
from robodrl.runs.loading import load_policy
from robodrl.runs.run import Run


def train_recipe(out: Path, robot: str) -> tuple[Path, float]:
    run = out / "dagger"
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "robodrl", "train", "manipulator_push_dagger",
                    "--set", f"env.task.robot={robot}", "--run-dir", str(run)],
                   check=True)  # fmt: skip
    return run, time.perf_counter() - start


def train_sac_her(config, seconds: float, out: Path):
    from stable_baselines3 import SAC, HerReplayBuffer
    from stable_baselines3.common.callbacks import BaseCallback

    class Deadline(BaseCallback):
        def __init__(self, end: float) -> None:
            super().__init__()
            self.end = end

        def _on_step(self) -> bool:
            return time.perf_counter() < self.end

    env = config.env
    env = GoalEnv(RobodrlEnv(env.id, randomization=env.randomization,
                             perturbations=env.perturbations, **env.task))  # fmt: skip
    model = SAC(
        "MultiInputPolicy",
        env,
        replay_buffer_class=HerReplayBuffer,
        replay_buffer_kwargs={"n_sampled_goal": 4, "goal_selection_strategy": "future"},
        learning_rate=1e-3,
        gamma=0.95,
        tau=0.05,
        batch_size=512,
        buffer_size=1_000_000,
        learning_starts=1000,
        policy_kwargs={"net_arch": [512, 512, 512]},
        seed=0,
        verbose=0,
    )
    start = time.perf_counter()
    model.learn(10**9, callback=Deadline(start + seconds))
    steps = model.num_timesteps
    model.save(out / "sac_her.zip")
    return model, env, steps, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("runs/push_her_side_by_side"))
    parser.add_argument("--episodes", type=int, default=256)
    parser.add_argument("--seed", type=int, default=50_000)
    parser.add_argument("--robot", default="franka_class")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    run, recipe_seconds = train_recipe(args.out, args.robot)
    config = Run.open(run).config
    model, goal_env, steps, sac_seconds = train_sac_her(config, recipe_seconds, args.out)
    policy = load_policy(run)

    def recipe(core):
        return lambda obs: actions_for(policy, obs, core)

    def sac_her(core):
        def act(obs: np.ndarray) -> np.ndarray:
            return model.predict(goal_env.view(obs), deterministic=True)[0]

        return act

    print(f"\nrobodrl recipe: {recipe_seconds:.0f} s; SAC+HER: {steps:,} steps in "
          f"{sac_seconds:.0f} s\n")  # fmt: skip
    print("| policy | episodes | success | 95% interval | mean return | wall |")
    print("|---|---:|---:|---|---:|---:|")
    for label, act_of in (("robodrl: manipulator_push_dagger", recipe), ("SB3 SAC+HER", sac_her)):
        success, returns, seconds = episodes(config, args.seed, args.episodes, act_of)
        report(label, success, returns, seconds)


if __name__ == "__main__":
    main()
