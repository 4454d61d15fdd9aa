"""Sampling-based MPC on robodrl's tasks: return, success, planning time and real time.

Part 1, ``--part tasks``: each planner (predictive sampling, MPPI, CEM) drives ``--episodes``
episodes (seeds 1000…, batched) of Pendulum swing-up, Cheetah running, ArmReach, ArmPush and
the Quadruped standing (zero velocity command) under velocity kicks; prints the mean return,
success rate, falls, seconds per plan and the real-time factor (control period / planning time
per step, for all episodes together and per episode).
Part 2, ``--part robust``: the Pendulum with the pole's mass scaled 0.5-2.0 (a sweep through
``robodrl eval``): the planner on the nominal model against the same planner over 4 randomized
models (mean and worst case).
Part 3, ``--part distill``: DAgger with the Pendulum planner as its expert (``expert:
planner.yaml``) and the distilled policy's return as a fraction of the planner's.

Usage: python benchmarks/planner_study.py --part tasks [--episodes 4] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import yaml

from robodrl.make import make_core
from robodrl.planners import make_planner
from robodrl.planners.config import validate_planner

STAND = {"command_vx_range": [0.0, 0.0], "command_vy_range": [0.0, 0.0],
         "command_yaw_rate_range": [0.0, 0.0], "episode_seconds": 5.0}  # fmt: skip
KICKS = {"pushes": [{"body": "torso", "kind": "velocity", "magnitude": {"low": 0.5, "high": 0.5},
                     "interval_seconds": {"low": 1.0, "high": 1.5}}]}  # fmt: skip
#: task → (env section, planner settings, perturbations of the acting simulations)
TASKS = {
    "pendulum": ({"id": "robodrl/Pendulum-v0"},
                 {"samples": 32, "horizon_seconds": 1.5, "knots": 4, "interpolation": "linear",
                  "noise_std": 0.5}, None),
    "cheetah": ({"id": "robodrl/Cheetah-v0", "task": {"episode_seconds": 10.0}},
                {"samples": 64, "horizon_seconds": 0.5, "knots": 3, "noise_std": 0.3}, None),
    "armreach": ({"id": "robodrl/ArmReach-v0"},
                 {"samples": 32, "horizon_seconds": 0.4, "knots": 3, "noise_std": 0.3}, None),
    "armpush": ({"id": "robodrl/ArmPush-v1"},
                {"samples": 64, "horizon_seconds": 0.6, "knots": 3, "noise_std": 0.3}, None),
    "quadruped-stand": ({"id": "robodrl/Quadruped-v0", "task": STAND},
                        {"samples": 32, "horizon_seconds": 0.3, "knots": 3, "noise_std": 0.2},
                        KICKS),
}  # fmt: skip
ITERATIONS = {"predictive_sampling": 1, "mppi": 2, "cem": 2}


def planner_document(task: str, name: str) -> dict:
    env, settings, _ = TASKS[task]
    planner = {"name": name, **settings, "iterations": ITERATIONS[name]}
    if name == "cem":
        planner["elites"] = max(2, settings["samples"] // 8)
    return {"env": env, "planner": planner, "seed": 0, "num_threads": 2}


def run_task(task: str, name: str, episodes: int) -> dict:
    planner = make_planner(validate_planner(planner_document(task, name)))
    env, _, perturbations = TASKS[task]
    core = make_core(env["id"], episodes, seed=1000, autoreset=False, num_threads=1,
                     perturbations=perturbations, **env.get("task", {}))  # fmt: skip
    obs = core.reset()
    returns, running = np.zeros(episodes), np.ones(episodes, dtype=bool)
    fell, success = np.zeros(episodes, bool), np.zeros(episodes, bool)
    start = time.perf_counter()
    while running.any():
        obs, reward, terminated, truncated, info = core.step(planner.act(obs, core))
        returns += reward * running
        fell |= terminated & running
        if "is_success" in info:
            success = np.where(running, info["is_success"], success)
        running &= ~(terminated | truncated)
    stats = planner.statistics()
    single = one_robot_seconds(task, name)
    return {
        "task": task,
        "planner": name,
        "mean_return": float(returns.mean()),
        "returns": returns.round(1).tolist(),
        "success_rate": float(success.mean()) if "is_success" in info else None,
        "fall_rate": float(fell.mean()),
        "seconds_per_plan_all_episodes": stats["seconds_per_plan"],
        "seconds_per_plan_one_robot": single,
        "control_dt": planner.control_dt,
        "real_time_factor_one_robot": planner.control_dt / single,
        "wall_seconds": time.perf_counter() - start,
    }


def one_robot_seconds(task: str, name: str, plans: int = 30) -> float:
    """Planning seconds per control step for one robot (one acting simulation), 2 threads."""
    planner = make_planner(validate_planner(planner_document(task, name)))
    env, _, _ = TASKS[task]
    core = make_core(env["id"], 1, seed=1000, autoreset=False, num_threads=1,
                     **env.get("task", {}))  # fmt: skip
    obs = core.reset()
    for _ in range(plans):
        obs, *_ = core.step(planner.act(obs, core))
    return float(np.median(planner.planning_seconds[5:]))


def robust_part(out: Path, episodes: int) -> None:
    """Nominal and robust planners on a pole-mass sweep, through `robodrl eval`."""
    base = planner_document("pendulum", "predictive_sampling")
    wide = {"params": [{"name": "pole_mass", "body": "pole", "quantity": "mass",
                        "operation": "scale",
                        "distribution": {"type": "uniform", "low": 0.5, "high": 2.0}}]}  # fmt: skip
    robust = {"models": 4, "randomization": wide}
    files = {
        "nominal": base,
        "robust-mean": base | {"robust": robust},
        "robust-worst": base | {"robust": robust | {"aggregate": "worst"}},
    }
    paths = []
    for name, document in files.items():
        path = out / f"pendulum-{name}.yaml"
        path.write_text(yaml.safe_dump(document))
        paths.append(str(path))
    sweep = {"name": "pole-mass", "description": "pole mass scale 0.5-2.0", "kind": "grid",
             "episodes": episodes,
             "axes": [{"name": "pole_mass", "values": [0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0],
                       "randomize": {"body": "pole", "quantity": "mass",
                                     "operation": "scale"}}]}  # fmt: skip
    (out / "pole-mass.yaml").write_text(yaml.safe_dump(sweep))
    command = [sys.executable, "-m", "robodrl", "eval", *paths, "--sweep",
               str(out / "pole-mass.yaml"), "--out", str(out / "robust")]  # fmt: skip
    subprocess.run(command, check=True)


def distill_part(out: Path, labels: int) -> None:
    """DAgger from the Pendulum planner; the distilled policy's return vs the planner's."""
    planner = out / "pendulum-planner.yaml"
    planner.write_text(yaml.safe_dump(planner_document("pendulum", "predictive_sampling")))
    config = {"env": {"id": "robodrl/Pendulum-v0", "num_envs": 16},
              "algorithm": {"name": "dagger", "hyperparameters": {
                  "n_steps": max(1, labels // 16 // 10), "updates_per_round": 500}},
              "policy": {"net_arch": [256, 256], "activation": "relu"},
              "expert": str(planner), "total_steps": labels,
              "eval": {"every_steps": labels, "episodes": 16}}  # fmt: skip
    (out / "distill.yaml").write_text(yaml.safe_dump(config))
    run = out / "distilled"
    if not (run / "summary.json").is_file():
        subprocess.run([sys.executable, "-m", "robodrl", "train", str(out / "distill.yaml"),
                        "--run-dir", str(run)], check=True)  # fmt: skip
    sweep = ["--sweep", "observation-noise", "--episodes", "8", "--out", str(out / "distill-eval")]
    command = [sys.executable, "-m", "robodrl", "eval", str(planner), str(run), *sweep]
    subprocess.run(command, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["tasks", "robust", "distill"], default="tasks")
    parser.add_argument("--tasks", nargs="+", default=list(TASKS))
    parser.add_argument("--planners", nargs="+", default=list(ITERATIONS))
    parser.add_argument("--episodes", type=int, default=4)
    parser.add_argument("--labels", type=int, default=4000)
    parser.add_argument("--out", type=Path, default=Path("runs/planner-study"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.part == "robust":
        robust_part(args.out, args.episodes)
        return
    if args.part == "distill":
        distill_part(args.out, args.labels)
        return
    results_file = args.out / "tasks.json"
    results = json.loads(results_file.read_text()) if results_file.is_file() else {}
    for task in args.tasks:
        for name in args.planners:
            key = f"{task}/{name}"
            if key not in results:
                results[key] = run_task(task, name, args.episodes)
                results_file.write_text(json.dumps(results, indent=1))
            r = results[key]
            success = "" if r["success_rate"] is None else f", success {r['success_rate']:.0%}"
            print(f"| {task} | {name} | {r['mean_return']:.1f}{success}, falls "
                  f"{r['fall_rate']:.0%} | {r['seconds_per_plan_one_robot'] * 1000:.1f} ms | "
                  f"{r['real_time_factor_one_robot']:.2f}x |", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
