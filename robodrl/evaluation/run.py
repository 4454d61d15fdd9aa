"""``robodrl eval POLICY... --sweep SWEEP``: evaluate policies over a sweep, write the report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from robodrl.atomic import claim_output_folder, output_folder
from robodrl.errors import ConfigError
from robodrl.evaluation.policies import load_policy
from robodrl.evaluation.report import write_plots, write_reports, write_tables
from robodrl.evaluation.rollouts import evaluate_sweep
from robodrl.evaluation.sweep import load_sweep


def evaluate(
    policies: list[str | Path],
    sweep: str | Path | dict,
    *,
    out: Path,
    episodes: int | None = None,
    seed: int | None = None,
    backend: str = "local",
    address: str | None = None,
    trust: bool = False,
) -> tuple[Path, list[dict[str, Any]]]:
    """Evaluate every policy on every cell; write results and report into ``out`` (atomically).
    ``backend="ray"`` runs the batches as Ray tasks (``address``: an existing cluster)."""
    if episodes is not None and (isinstance(episodes, bool) or episodes < 1):
        raise ConfigError(f"--episodes must be >= 1, got {episodes}")
    if not policies:
        raise ConfigError("give at least one POLICY (a run directory or an .onnx file)")
    claim_output_folder(Path(out), kind="eval", index="results.json")
    loaded = [load_policy(p, trust=trust) for p in policies]
    env_ids = sorted({p.env_id for p in loaded})
    if len(env_ids) != 1:
        raise ConfigError(f"policies of different tasks cannot share a sweep: {env_ids}")
    spec = load_sweep(sweep, env_ids[0])
    episodes = spec.episodes if episodes is None else episodes
    seed = spec.seed if seed is None else seed
    results = [
        evaluate_sweep(
            p, spec, episodes=episodes, seed=seed, trust=trust, backend=backend, address=address
        )
        for p in loaded
    ]
    with output_folder(Path(out), kind="eval", index="results.json") as tmp:
        write_tables(tmp, spec, results)
        plots = write_plots(tmp, spec, results)
        write_reports(tmp, spec, results, plots)
    return Path(out), results
