"""Imitation from a trained expert: BC, DAgger, GAIL and AIRL, normalized scores over seeds.

For each task: trains the expert with the task's PPO recipe (once), records ``--demos``
demonstrated episodes with ``robodrl demos record``'s code (seeds 0…), then trains each
imitation algorithm per seed and scores its final policy: the mean return over 32 held-out
episodes (seeds 1000…), on the scale expert = 1 and uniformly random actions = 0 (both measured
on the same 32 episodes). Budgets: BC 5,000 gradient steps; DAgger ``dagger_labels`` expert
labels (its env steps); GAIL and AIRL the expert recipe's own PPO as generator, with its
hyperparameters and ``adversarial_steps`` generator steps.

With ``--robust`` the expert is the recipe trained with the task's ``dr-default`` randomization
and perturbations, the demonstrations are recorded under that randomization, and the expert and
its imitators (seed 0) go through the mass x friction grid (``rarl-mass-friction``): does an
imitator keep its expert's robustness?

Usage: python benchmarks/imitation_study.py --task pendulum [--seeds 0 1 2]
       [--algorithms bc dagger gail airl] [--out DIR] [--robust]
Writes DIR/<task>/results.json and prints one table row per algorithm.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from robodrl.datasets.recording import record_demonstrations
from robodrl.datasets.storage import load_demonstrations, save_demonstrations
from robodrl.resolve import load_config, validate_config
from robodrl.runs.loading import load_policy, load_run_policy
from robodrl.runs.train import train

#: expert recipe (a name, or a config document), demonstrations, DAgger labels, GAIL/AIRL steps
TASKS = {
    "pendulum": ("pendulum_ppo", 10, 4_000, 200_000),
    "armreach": ("arm_reach_ppo", 16, 16_000, 500_000),
    "hopper": ("hopper_ppo", 16, 32_000, 1_000_000),
    "cheetah": ("cheetah_ppo", 16, 32_000, 500_000),
}
CHEETAH_LEAN = {  # a faster Cheetah expert than SB3's (same networks, rollout and budget)
    "env": {"id": "robodrl/Cheetah-v0", "num_envs": 16},
    "algorithm": {
        "name": "lean_ppo",
        "hyperparameters": {
            "n_steps": 256,
            "n_epochs": 10,
            "n_minibatches": 8,
            "learning_rate": 3.0e-4,
            "ent_coef": 0.0,
        },
    },
    "policy": {"net_arch": [64, 64], "activation": "tanh", "log_std_init": -0.5},
    "total_steps": 1_000_000,
    "eval": {"every_steps": 200_000, "episodes": 4},
    "checkpoint": {"every_steps": 500_000},
}
SCORE_SEED, SCORE_EPISODES = 1000, 32


#: the robust expert's training distribution (``--robust``)
ROBUST = ["env.randomization=dr-default", "env.perturbations=dr-default"]


def expert_run(task: str, root: Path, robust: bool) -> Path:
    run = root / "expert"
    if not (run / "summary.json").is_file():
        recipe = TASKS[task][0]
        if task == "cheetah":
            config = validate_config(CHEETAH_LEAN)
        else:
            config = load_config(recipe, ROBUST if robust else [])
        train(config, run)
    return run


def grid(root: Path, task: str, runs: list[Path]) -> None:
    """The expert and its imitators on the mass x friction grid, through `robodrl eval`."""
    out = root / "grid"
    if not (out / "results.json").is_file():
        command = [sys.executable, "-m", "robodrl", "eval", *map(str, runs), "--sweep",
                   "rarl-mass-friction", "--episodes", "3", "--out", str(out)]  # fmt: skip
        subprocess.run(command, check=True)
    for policy in json.loads((out / "results.json").read_text())["policies"]:
        worst = min(c["mean_return"] for c in policy["cells"])
        kept = policy["robustness"]["fraction_above_80_percent"]
        print(
            f"{task} grid: {policy['policy']}: nominal {policy['nominal']['mean_return']:.0f},"
            f" {kept:.0%} of cells >= 80% of it, worst cell {worst:.0f}"
        )


def imitation_config(
    task: str, algorithm: str, seed: int, demos: Path, expert: Path, robust: bool
) -> dict:
    recipe, _, labels, adversarial_steps = TASKS[task]
    base = load_config(recipe, ROBUST if robust else []).model_dump(mode="json")
    document = {
        "env": base["env"],
        "algorithm": {"name": algorithm, "hyperparameters": {}},
        "policy": base["policy"],
        "seed": seed,
        "eval": {"every_steps": 10**9, "episodes": 4},
        "checkpoint": {"every_steps": 10**9},
    }
    if algorithm in ("bc", "dagger"):
        document["policy"] = {"net_arch": [256, 256], "activation": "relu"}
    if algorithm == "bc":
        document |= {"demos": str(demos), "total_steps": 5000}
    elif algorithm == "dagger":
        hp = {"n_steps": max(1, labels // base["env"]["num_envs"] // 10), "beta_decay": 0.5}
        document |= {"expert": str(expert), "total_steps": labels}
        document["algorithm"]["hyperparameters"] = hp
    else:
        generator = base["algorithm"]["hyperparameters"]
        document |= {"demos": str(demos), "total_steps": adversarial_steps}
        document["algorithm"]["hyperparameters"] = {"generator_hyperparameters": generator}
    return document


def mean_return(policy) -> tuple[float, float]:
    """The policy's and random actions' mean return on the held-out episodes."""
    reference = record_demonstrations(policy, SCORE_EPISODES, seed=SCORE_SEED).reference
    return reference["demonstrator_return"], reference["random_return"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", choices=list(TASKS), default="pendulum")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--algorithms", nargs="+", default=["bc", "dagger", "gail", "airl"])
    parser.add_argument("--out", type=Path, default=Path("runs/imitation-study"))
    parser.add_argument(
        "--robust",
        action="store_true",
        help="a domain-randomized expert (demos recorded under its randomization), then the "
        "expert and its imitators (seed 0) on the mass x friction grid",
    )
    args = parser.parse_args()
    root = args.out / (f"{args.task}-robust" if args.robust else args.task)
    root.mkdir(parents=True, exist_ok=True)
    results_file = root / "results.json"
    results = json.loads(results_file.read_text()) if results_file.is_file() else {}

    expert = expert_run(args.task, root, args.robust)
    expert_return, random_return = mean_return(load_policy(expert))
    demos = root / "demos"
    if not demos.is_dir():
        episodes = TASKS[args.task][1]
        randomization = "dr-default" if args.robust else None
        recorded = record_demonstrations(
            load_policy(expert), episodes, seed=0, randomization=randomization
        )
        save_demonstrations(recorded, demos)
    dataset = load_demonstrations(demos)
    results["reference"] = {
        "expert": expert_return,
        "random": random_return,
        "demos": len(dataset.episodes),
        "demo_steps": dataset.num_steps,
    }
    for algorithm in args.algorithms:
        for seed in args.seeds:
            key = f"{algorithm}/{seed}"
            if key in results:
                continue
            document = imitation_config(args.task, algorithm, seed, demos, expert, args.robust)
            start = time.perf_counter()
            run, summary = train(validate_config(document), root / algorithm / f"seed_{seed}")
            wall = time.perf_counter() - start
            value, _ = mean_return(load_run_policy(run, checkpoint="latest"))
            score = (value - random_return) / (expert_return - random_return)
            results[key] = {"return": value, "score": score, "wall_seconds": wall,
                            "steps": summary["steps"]}  # fmt: skip
            results_file.write_text(json.dumps(results, indent=1))
            print(f"{args.task} {key}: return {value:.1f}, score {score:.3f}, {wall:.0f} s",
                  flush=True)  # fmt: skip
    print(f"expert {expert_return:.1f}, random {random_return:.1f}, "
          f"{len(dataset.episodes)} demonstrations ({dataset.num_steps} steps)")  # fmt: skip
    for algorithm in args.algorithms:
        rows = [results[f"{algorithm}/{s}"] for s in args.seeds if f"{algorithm}/{s}" in results]
        scores = " / ".join(f"{r['score']:.2f}" for r in rows)
        wall = np.mean([r["wall_seconds"] for r in rows])
        print(f"| {args.task} | {algorithm} | {scores} | {np.mean([r['score'] for r in rows]):.2f}"
              f" | {wall:.0f} s |")  # fmt: skip

    if args.robust:
        grid(root, args.task, [expert] + [root / a / "seed_0" for a in args.algorithms])


if __name__ == "__main__":
    main()
