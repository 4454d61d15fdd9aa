"""A trained TwoArmPush team with one arm held still: does the crate still reach its goal?

Plays the team's policy (a run, or an exported team folder) on robodrl/BimanualPush-v0 (the
team's robot) three ways: both arms acting, the left arm held at its start posture, the right
arm held at its start posture. Prints, for each, the fraction of episodes ending with the crate
within the success distance of its goal and the farthest the crate got.

    python benchmarks/two_arm_relay.py RUN [--episodes 16] [--seed 1000]
"""

from __future__ import annotations

import argparse

import numpy as np

import robodrl
from robodrl.envs.arm import names
from robodrl.envs.arm.two_arm import READY_POSE
from robodrl.runs.loading import load_policy


def play(policy, held: str | None, episodes: int, seed: int) -> tuple[float, float, float]:
    """(success rate at the end, mean final crate x, farthest crate x) with arm ``held`` (or
    none) at its start posture."""
    core = robodrl.make_core("BimanualPush", episodes, seed=seed, autoreset=False)
    obs = core.reset()
    ready = np.concatenate([READY_POSE[arm] for arm in names.ARMS])
    hold = core.ctrl_to_action(ready)
    farthest = np.zeros(episodes)
    for _ in range(core.max_episode_steps):
        action = policy.act(obs)
        if held is not None:
            arm = slice(4 * names.ARMS.index(held), 4 * names.ARMS.index(held) + 4)
            action[:, arm] = hold[arm]
        obs, _, _, _, info = core.step(action)
        farthest = np.maximum(farthest, core.task.crate_x())
    crate = core.task.crate_x()
    return float(info["is_success"].mean()), float(crate.mean()), float(farthest.max())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("policy", help="a TwoArmPush run or exported team folder")
    parser.add_argument("--episodes", type=int, default=16)
    parser.add_argument("--seed", type=int, default=1000)
    parser.add_argument("--trust", action="store_true")
    args = parser.parse_args()
    policy = load_policy(args.policy, trust=args.trust)
    for held in (None, *names.ARMS):
        success, crate, farthest = play(policy, held, args.episodes, args.seed)
        who = "both arms acting" if held is None else f"{held} arm held still"
        print(
            f"{who:22s} success {success:6.1%}   crate ends at {crate:.2f} m (mean)   "
            f"farthest {farthest:.2f} m"
        )


if __name__ == "__main__":
    main()
