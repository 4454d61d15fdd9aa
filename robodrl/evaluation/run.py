"""``robodrl eval POLICY... --sweep SWEEP``: evaluate policies over a sweep, write the report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from robodrl.backends import backend_session
from robodrl.errors import ConfigError
from robodrl.evaluation.adversaries import load_sweep_adversary
from robodrl.evaluation.anchors import ANCHORS, anchor_policy, attach_anchors
from robodrl.evaluation.plots import write_plots
from robodrl.evaluation.policies import EvaluatedPolicy, load_policy
from robodrl.evaluation.report import write_reports, write_tables
from robodrl.evaluation.rollouts import evaluate_sweep
from robodrl.evaluation.sweep import load_sweep
from robodrl.files.atomic import claim_output_folder, output_folder
from robodrl.registry import make_task
from robodrl.runs.run import Run


def evaluate(
    policies: list[str | Path | Run],
    sweep: str | Path | dict,
    *,
    out: Path,
    episodes: int | None = None,
    seed: int | None = None,
    backend: str = "local",
    address: str | None = None,
    trust: bool = False,
    task_variants: list[dict[str, Any]] | None = None,
    videos: bool = False,
    adversary: str | None = None,
) -> tuple[Path, list[dict[str, Any]]]:
    """Evaluate every policy (a run, opened or its directory, an ONNX file, a planner) on every
    cell; write results and report into ``out`` (atomically).
    ``backend="ray"`` runs the batches as Ray tasks (``address``: an existing cluster).
    ``task_variants``: evaluate each policy once per set of task arguments (e.g. the physics
    settings ``[{"physics": "fast"}, {"physics": "accurate"}]``: a sim-to-sim gap report).
    ``videos``: the report shows the first policy's nominal episode and its worst cell (GIFs).
    ``adversary``: a rarl run or ``random``, for a sweep with an ``adversary_force_scale``
    axis (the policies face it, its forces scaled per cell)."""
    if episodes is not None and (isinstance(episodes, bool) or episodes < 1):
        raise ConfigError(f"--episodes must be >= 1, got {episodes}")
    if not policies:
        raise ConfigError("give at least one POLICY (a run directory or an .onnx file)")
    claim_output_folder(Path(out), kind="eval", index="results.json")
    loaded = [
        policy.with_task(variant)
        for policy in (load_policy(p, trust=trust) for p in policies)
        for variant in (task_variants or [{}])
    ]
    for policy in loaded:  # a wrong task argument fails here, before any rollout
        make_task(policy.env_id, **policy.task_arguments).load_model()
    env_ids = sorted({p.env_id for p in loaded})
    if len(env_ids) != 1:
        raise ConfigError(f"policies of different tasks cannot share a sweep: {env_ids}")
    spec = load_sweep(sweep, env_ids[0])
    check_adversary(spec, adversary, env_ids[0], trust=trust, videos=videos)
    episodes = spec.episodes if episodes is None else episodes
    seed = spec.seed if seed is None else seed
    options = {"episodes": episodes, "seed": seed, "trust": trust, "backend": backend}
    options |= {"address": address, "adversary": adversary}
    with backend_session(backend, address):  # one Ray start for every policy and anchor
        results = [evaluate_sweep(p, spec, **options) for p in loaded]
        anchors = evaluate_anchors(loaded, results, spec, options)
    attach_anchors(results, anchors)
    with output_folder(Path(out), kind="eval", index="results.json") as tmp:
        write_tables(tmp, spec, results, anchors)
        plots = write_plots(tmp, spec, results)
        clips = write_videos(tmp, spec, loaded[0], results[0], seed) if videos else []
        write_reports(tmp, spec, results, anchors, plots, clips)
    return Path(out), results


def evaluate_anchors(
    loaded: list[EvaluatedPolicy],
    results: list[dict[str, Any]],
    spec: Any,
    options: dict[str, Any],
) -> dict[str, dict[str, Any]]:
    """Random and zero actions on the sweep, once per set of task arguments the policies are
    evaluated with (same seeds, cells and adversary); each result learns its label
    (``anchors_for``)."""
    anchors: dict[str, dict[str, Any]] = {}
    for policy, result in zip(loaded, results, strict=True):
        arguments = policy.task_arguments
        label = ", ".join(f"{k}={v}" for k, v in sorted(arguments.items())) or "default"
        result["anchors_for"] = label
        if label in anchors:
            continue
        anchors[label] = {}
        for kind in ANCHORS:
            anchor = anchor_policy(
                kind, policy.env_id, arguments, episodes=options["episodes"], seed=options["seed"]
            )
            outcome = evaluate_sweep(anchor, spec, **options)
            anchors[label][kind] = {k: outcome[k] for k in ("nominal", "cells", "robustness")}
    return anchors


def check_adversary(
    spec: Any, adversary: str | None, env_id: str, *, trust: bool, videos: bool
) -> None:
    """An adversary goes with a sweep that scales one, and loads (before any rollout)."""
    axis = spec.adversary_axis()
    if axis is None and adversary is not None:
        raise ConfigError(
            f"--adversary: sweep {spec.name!r} has no adversary_force_scale axis to face it with"
        )
    if axis is None:
        return
    if adversary is None:
        raise ConfigError(
            f"sweep {spec.name!r} scales an adversary's forces (axis {axis!r}): give --adversary "
            "RUN (a run trained with algorithm rarl) or --adversary random"
        )
    if videos:
        raise ConfigError("--videos does not show an adversary's forces yet; leave it out")
    load_sweep_adversary(adversary, env_id, trust=trust)


def task_variants(options: list[str]) -> list[dict[str, Any]]:
    """``--task KEY=V1,V2`` options → every combination of the values, e.g.
    ``["physics=fast,accurate"]`` → ``[{"physics": "fast"}, {"physics": "accurate"}]``."""
    import itertools

    from robodrl.files.yamlio import load_yaml_text

    axes: dict[str, list[Any]] = {}
    for option in options:
        key, sep, values = option.partition("=")
        if not sep or not key.strip() or not values.strip():
            raise ConfigError(
                f"--task {option!r}: expected KEY=VALUE[,VALUE...], e.g. physics=fast"
            )
        if key.strip() in axes:
            raise ConfigError(f"--task {key.strip()} is given twice; list its values once")
        axes[key.strip()] = [
            load_yaml_text(v.strip(), source=f"--task {key}") for v in values.split(",")
        ]
    return [dict(zip(axes, combo, strict=True)) for combo in itertools.product(*axes.values())]


def write_videos(
    out: Path, spec: Any, policy: Any, result: dict[str, Any], seed: int
) -> list[tuple[Path, str]]:
    """GIFs of ``policy``'s nominal episode and of its worst cell (lowest mean return), the
    first episode seed of the sweep, at most 8 s each; return each file and its caption."""
    from robodrl.evaluation.render import render_frames, write_gif

    worst = min(result["cells"], key=lambda c: c["mean_return"])
    label = ", ".join(f"{k}={v:g}" for k, v in worst["values"].items())
    clips = []
    for name, cell, caption in (
        ("nominal.gif", None, f"{policy.name}: nominal episode (first 8 s)"),
        ("worst_cell.gif", worst["values"], f"{policy.name}: worst cell ({label}, first 8 s)"),
    ):
        frames, fps, _ = render_frames(
            policy, spec, cell, seed=seed, width=320, height=240, max_fps=15, max_seconds=8.0
        )
        write_gif(out / name, frames, fps)
        clips.append((out / name, caption))
    return clips
