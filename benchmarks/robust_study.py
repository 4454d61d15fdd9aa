"""What learned adversaries buy: nominal, domain-randomized, RARL and RAP policies side by side.

For each seed, trains four policies of one task with the same base algorithm (the task's PPO
recipe; RARL / RAP with PPO players, the protagonist getting the same steps as the others):

- ``nominal``: ``<task>_ppo`` as it is;
- ``dr``: ``<task>_ppo`` with the task's ``dr-default`` randomization and perturbations;
- ``rarl``: ``<task>_rarl_ppo`` (one learned adversary);
- ``rap``: ``<task>_rap_ppo`` (a population of learned adversaries),

then evaluates all four with ``robodrl eval`` in one report per test: the ``rarl-mass-friction``
grid (every body's mass and every geom's friction x 0.5-1.5, 11 x 11 cells), random forces
under the task's default adversary (``--sweep adversary --adversary random``), and each trained
adversary population (``--adversary <rarl run>``, ``--adversary <rap run>``). Per policy it
prints the fraction of grid cells keeping >= 80% of the policy's own nominal return, the
worst grid cell, the cost at nominal parameters (vs the nominal policy), and the mean return
at full force against each adversary.

``--adversary NAME`` trains RARL / RAP against the task's adversary preset ``NAME`` instead of
its default (``rrls``: RRLS's 3 N caps); the random-force test keeps the default's caps.

Usage: python benchmarks/robust_study.py [--task hopper] [--seeds 0 1 2] [--out DIR]
       [--grid-episodes 5] [--episodes 16] [--adversary default]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from robodrl.runs.checkpoints import find_checkpoint


def train(recipe: str, run: Path, seed: int, overrides: list[str]) -> None:
    if (run / "summary.json").is_file():
        return  # trained by an earlier invocation
    sets = [arg for o in [f"seed={seed}", *overrides] for arg in ("--set", o)]
    command = [sys.executable, "-m", "robodrl", "train", recipe, "--run-dir", str(run), *sets]
    subprocess.run(command, check=True)


def evaluate(runs: list[Path], out: Path, sweep: str, episodes: int, adversary: str | None):
    if not (out / "results.json").is_file():
        command = [sys.executable, "-m", "robodrl", "eval", *map(str, runs), "--sweep", sweep,
                   "--episodes", str(episodes), "--out", str(out)]  # fmt: skip
        if adversary is not None:
            command += ["--adversary", adversary]
        subprocess.run(command, check=True)
    return json.loads((out / "results.json").read_text())["policies"]


def full_force(result: dict) -> float:
    return next(c for c in result["cells"] if c["values"]["adversary_force_scale"] == 1.0)[
        "mean_return"
    ]


def protagonist_share(run: Path) -> float:
    """The protagonist's share of a run's steps (1 for a single-agent run), from its latest
    checkpoint (the alternating schedule keeps the share steady)."""
    state = json.loads((find_checkpoint(run, "latest") / "state.json").read_text())
    players = state["learner"].get("players")
    if not players:
        return 1.0
    return players["protagonist"]["num_timesteps"] / state["num_timesteps"]


def plot_learning(runs: dict[str, Path], out: Path, title: str) -> None:
    """Each run's evaluation returns along the way, as the run evaluated itself (the DR run
    under its randomization and perturbations; RARL / RAP also against their adversaries)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, ax = plt.subplots(figsize=(7, 4.2))
    for name, run in runs.items():
        rows = [json.loads(line) for line in (run / "logs" / "evaluations.jsonl").open()]
        share = protagonist_share(run)
        steps = [row["step"] * share / 1e6 for row in rows]
        (line,) = ax.plot(steps, [row["mean_return"] for row in rows], marker="o", label=name)
        if "vs_adversary_mean_return" in rows[0]:
            against = [row["vs_adversary_mean_return"] for row in rows]
            ax.plot(steps, against, linestyle="--", color=line.get_color(),
                    label=f"{name} against its adversaries")  # fmt: skip
    ax.set_xlabel("the protagonist's env steps, millions")
    ax.set_ylabel("evaluation return (dr: randomized)")
    ax.set_title(title)
    ax.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(out, dpi=100)
    plt.close(figure)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", default="hopper")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--out", type=Path, default=Path("runs/robust_study"))
    parser.add_argument("--grid-episodes", type=int, default=5)
    parser.add_argument("--episodes", type=int, default=16)
    parser.add_argument("--adversary", default="default")
    args = parser.parse_args()
    dr = ["env.randomization=dr-default", "env.perturbations=dr-default"]
    adversary = [f"adversary={args.adversary}"]
    policies = {
        "nominal": (f"{args.task}_ppo", []),
        "dr": (f"{args.task}_ppo", dr),
        "rarl": (f"{args.task}_rarl_ppo", adversary),
        "rap": (f"{args.task}_rap_ppo", adversary),
    }
    rows: dict[str, list[dict[str, float]]] = {name: [] for name in policies}
    for seed in args.seeds:
        root = args.out / f"seed{seed}"
        runs = {name: root / name for name in policies}
        for name, (recipe, overrides) in policies.items():
            train(recipe, runs[name], seed, overrides)
        title = f"{args.task}, seed {seed}, RARL / RAP adversary: {args.adversary}"
        plot_learning(runs, root / "learning_curves.png", title)
        order = list(runs.values())
        grid = evaluate(order, root / "grid", "rarl-mass-friction", args.grid_episodes, None)
        tests = {
            test: evaluate(order, root / folder, "adversary", args.episodes, adversary)
            for test, folder, adversary in (
                ("random", "random", "random"),
                ("vs rarl", "vs_rarl", str(runs["rarl"])),
                ("vs rap", "vs_rap", str(runs["rap"])),
            )
        }
        nominal = grid[0]["nominal"]["mean_return"]
        for index, name in enumerate(policies):
            result = grid[index]
            rows[name].append(
                {
                    "nominal": result["nominal"]["mean_return"],
                    "kept": result["robustness"]["fraction_above_80_percent"],
                    "worst": min(c["mean_return"] for c in result["cells"]),
                    "cost": 1 - result["nominal"]["mean_return"] / nominal,
                    **{test: full_force(found[index]) for test, found in tests.items()},
                }
            )
    print(f"\n{args.task}, seeds {args.seeds}: mean ± std over seeds")
    columns = ["nominal", "kept", "worst", "cost", "random", "vs rarl", "vs rap"]
    print("| policy | nominal return | grid cells >= 80% | worst grid cell | cost at nominal "
          "| random forces (x1) | vs RARL adversary (x1) | vs RAP adversaries (x1) |")  # fmt: skip
    print("|---|" + "---:|" * len(columns))
    for name, found in rows.items():
        cells = []
        for column in columns:
            values = np.array([row[column] for row in found])
            percent = column in ("kept", "cost")
            scale, unit = (100, "%") if percent else (1, "")
            cells.append(f"{values.mean() * scale:,.0f}{unit} ± {values.std() * scale:,.0f}")
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
