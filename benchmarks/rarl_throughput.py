"""RARL's training throughput next to single-agent PPO on the same task, envs and networks.

Contenders, both on the robust legged recipe (robodrl/Legged-v0, fast physics, dr-default
randomization and perturbations, the recipe's networks and batch of simulations):

- ``lean_ppo``: robodrl's lean batched PPO alone (the recipe as it is);
- ``rarl``: the same PPO as the protagonist against a lean-PPO adversary (the task's default
  adversary: horizontal forces on the base), one adversary update per protagonist update.

Both count every environment step they train on (for RARL: both players' phases). Each
iteration is one rollout + one update; rounds are interleaved; the figure is env steps per wall
second, best round of each. Target (issue 12): the second player costs <= 30% of throughput.

Usage: python benchmarks/rarl_throughput.py [--envs 1024] [--iterations 4] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import platform

import torch
from legged_train_throughput import best_rates, learner_iteration, recipe

from robodrl.algorithms.registry import get_algorithm


def contender(envs: int, algorithm: str):
    config = recipe(envs)
    if algorithm == "rarl":
        ppo = dict(config.algorithm.hyperparameters)
        adversary = {k: v for k, v in ppo.items() if k != "symmetry_coef"}
        rarl = {
            "name": "rarl",
            "hyperparameters": {
                "protagonist": {"algorithm": "lean_ppo", "hyperparameters": ppo},
                "adversary": {"algorithm": "lean_ppo", "hyperparameters": adversary},
            },
        }
        config = recipe(envs, rarl)
    return learner_iteration(get_algorithm(algorithm).build(config))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--envs", type=int, default=1024)
    parser.add_argument("--iterations", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    contenders = {name: contender(args.envs, name) for name in ("lean_ppo", "rarl")}
    best = best_rates(contenders, args.rounds, args.iterations)
    print(
        f"\nmachine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"torch threads {torch.get_num_threads()}; {args.envs} simulations, best of "
        f"{args.rounds} rounds x {args.iterations} iterations"
    )
    print("| contender | steps/s | / lean_ppo |")
    print("|---|---:|---:|")
    for name, rate in best.items():
        print(f"| {name} | {rate:,.0f} | {rate / best['lean_ppo']:.2f} |")
    print(f"second player's cost: {1 - best['rarl'] / best['lean_ppo']:.0%} (target <= 30%)")


if __name__ == "__main__":
    main()
