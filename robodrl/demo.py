"""``robodrl demo``: the main job.

1. A short rollout of every task (zero and random actions), summarized in the terminal.
2. The pipeline on the robust quadruped recipe (``recipes/quadruped_robust_ppo.yaml``): train
   a walking policy under pushes, payloads, friction changes, sensor noise and latency, export
   one ONNX file (parity-gated against torch), sweep pushes and payloads with GIFs of the nominal
   episode and of the worst cell in each report, and print where the reports are.
   ``--quick`` runs the Pendulum PPO recipe instead (``recipes/pendulum_ppo.yaml``): train to a
   swing-up, export, sweep observation noise for the trained run and the exported file side by
   side.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from robodrl.make import make_core
from robodrl.registry import env_ids


def rollout_summary(
    env_id: str, *, policy: str, num_envs: int = 8, seconds: float = 4.0, seed: int = 0
) -> dict[str, float]:
    """Run ``num_envs`` simulations for ``seconds`` of simulated time; summarize the return."""
    core = make_core(env_id, num_envs, seed=seed)
    rng = np.random.default_rng(seed)
    steps = max(1, round(seconds / core.control_dt))
    returns = np.zeros(num_envs)
    alive = np.ones(num_envs, dtype=bool)
    terms: dict[str, float] = {}
    start = time.perf_counter()
    for _ in range(steps):
        if policy == "zero":
            action = np.zeros((num_envs, core.action_dim))
        else:
            action = rng.uniform(-1, 1, (num_envs, core.action_dim))
        _, reward, terminated, truncated, info = core.step(action)
        returns += reward * alive
        for name in core.task.reward_names:
            terms[name] = terms.get(name, 0.0) + float(np.mean(info[f"reward_{name}"] * alive))
        alive &= ~(terminated | truncated)
    elapsed = time.perf_counter() - start
    return {
        "return": float(returns.mean()),
        "alive": float(alive.mean()),
        "steps_per_s": steps * num_envs / elapsed,
        **{f"term:{k}": v for k, v in terms.items()},
    }


def run_demo(console: Console | None = None) -> None:
    """Print a rollout summary of each task under a zero and a random policy."""
    console = console or Console()
    table = Table(title="robodrl tasks: 4 s rollouts, 8 simulations each (mean over simulations)")
    for column in ("env id", "policy", "return", "still running", "env steps/s", "reward terms"):
        table.add_column(
            column, justify="left" if column in ("env id", "reward terms") else "right"
        )
    for env_id in env_ids():
        for policy in ("zero", "random"):
            summary = rollout_summary(env_id, policy=policy)
            terms = ", ".join(
                f"{k[5:]} {v:+.1f}" for k, v in summary.items() if k.startswith("term:")
            )
            table.add_row(
                env_id,
                policy,
                f"{summary['return']:.1f}",
                f"{summary['alive']:.0%}",
                f"{summary['steps_per_s']:,.0f}",
                terms,
            )
    console.print(table)


#: the demo recipe (shipped in the package; the checkout's ``recipes/`` links to it)
DEMO_RECIPE = Path(__file__).resolve().parent / "recipes" / "pendulum_ppo.yaml"
#: mean evaluation return above which the pendulum counts as swung up and balanced (hanging
#: still scores about -1970, random torques about -1500)
SWING_UP_RETURN = -400.0
#: the legged demo: the robust quadruped recipe, its push and payload sweeps
LEGGED_RECIPE = Path(__file__).resolve().parent / "recipes" / "quadruped_robust_ppo.yaml"
LEGGED_SWEEPS = ["push", "payload"]


def pipeline_demo(
    console: Console, *, recipe: Path = DEMO_RECIPE, run_dir: Path | None = None
) -> dict:
    """Train → export (with its gates) → sweep on the demo recipe; say whether it swung up."""
    from robodrl.pipeline import run_pipeline
    from robodrl.resolve import load_config

    config = load_config(recipe)
    run_dir = run_dir or Path("runs") / f"demo-{time.strftime('%Y%m%d-%H%M%S')}"
    made = run_pipeline(config, run_dir=run_dir, sweep="observation-noise", console=console)
    final = made["summary"]["final_eval"]["mean_return"]
    verdict = "swung up and balanced" if final > SWING_UP_RETURN else "NOT swung up yet"
    console.print(
        f"evaluation return {final:.1f} (hanging still: about -1970): {verdict}\n"
        f"run: [bold]{made['run']}[/]\nexported policy: [bold]{made['exported'] / 'policy.onnx'}[/]"
        f"\nrobustness report: [bold]{made['report']}[/]"
    )
    return made


def legged_demo(
    console: Console, *, recipe: Path = LEGGED_RECIPE, run_dir: Path | None = None
) -> dict:
    """Train → export → push and payload sweeps (with videos) on the robust quadruped."""
    from robodrl.pipeline import run_pipeline
    from robodrl.resolve import load_config

    config = load_config(recipe)
    run_dir = run_dir or Path("runs") / f"demo-legged-{time.strftime('%Y%m%d-%H%M%S')}"
    made = run_pipeline(config, run_dir=run_dir, sweep=LEGGED_SWEEPS, videos=True, console=console)
    final = made["summary"]["final_eval"]
    steps = make_core(config.env.id, 1, **config.env.task).max_episode_steps
    console.print(
        f"evaluation return {final['mean_return']:.1f}; episodes last {final['mean_length']:.0f} "
        f"of {steps} control steps on average (shorter: falls)\n"
        f"run: [bold]{made['run']}[/]\nexported policy: [bold]{made['exported'] / 'policy.onnx'}[/]"
        + "".join(f"\nreport: [bold]{report}[/]" for report in made["reports"])
    )
    return made
