"""``robodrl pipeline CONFIG``: train → export (with its gates) → robustness sweep, one report."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from robodrl.config import TrainConfig
from robodrl.envs.multi.registry import robot_of
from robodrl.evaluation.run import evaluate
from robodrl.evaluation.sweep import load_sweep
from robodrl.export.exporter import export_run
from robodrl.runs.run import Run
from robodrl.runs.train import default_run_dir, train


def run_pipeline(
    config: TrainConfig,
    *,
    run_dir: Path | None = None,
    sweep: str | Path | list[str | Path] = "observation-noise",
    videos: bool = False,
    console: Console,
) -> dict:
    """Train, export, and sweep both the run and its exported file; return what each step made
    (``run``, ``summary``, ``exported``, ``manifest``, ``report``: the first sweep's report,
    ``reports``: every sweep's). Several sweeps write ``report/`` (the first) and
    ``report-<sweep>/``; ``videos`` adds the nominal episode and the worst cell to each."""
    sweeps = sweep if isinstance(sweep, list) else [sweep]
    robot_id = robot_of(config.env.id, config.env.task)[0]
    for each in sweeps:
        load_sweep(each, robot_id)  # a bad --sweep fails now, not after training
    run_dir = Path(run_dir) if run_dir else default_run_dir(config)
    console.print(f"[bold]1/3 train[/] {config.env.id} with {config.algorithm.name}")
    run, summary = train(config, run_dir)
    console.print(
        f"    run: {run} — {summary['steps']:,} steps in {summary['wall_seconds']:.0f} s, "
        f"evaluation return {summary['final_eval']['mean_return']:.1f}"
    )
    opened = Run.open(run)  # the run's config is read here, once, for export and sweeps
    console.print("[bold]2/3 export[/] to one ONNX file, parity-gated against torch")
    exported, manifest = export_run(opened, run / "export")
    parity, loop = manifest["parity"], manifest["closed_loop"]
    console.print(
        f"    {', '.join(manifest['files'])}: max |onnx - torch| {parity['max_abs_diff']:.1e} over "
        f"{parity['observations']:,} observations; latency p50 "
        f"{loop['latency_ms']['p50'] * 1e3:.0f} µs, p99 {loop['latency_ms']['p99'] * 1e3:.0f} µs"
    )
    reports = []
    for i, each in enumerate(sweeps):
        name = load_sweep(each, robot_id).name
        console.print(
            f"[bold]3/3 sweep[/] {name}: the trained run and the exported file side by side"
        )
        out = run / ("report" if i == 0 else f"report-{name}")
        onnx = exported / "policy.onnx"  # a team's export is its folder
        policies = [opened, onnx if onnx.is_file() else exported]
        report_dir, results = evaluate(policies, each, out=out, videos=videos)
        for result in results:
            score = result["robustness"]
            if "not_applicable" in result:
                console.print(f"    {result['policy']}: {result['not_applicable']}")
                continue
            console.print(
                f"    {result['policy']}: score {score['score']:.2f}, nominal "
                f"{result['nominal']['mean_return']:.1f} (random actions "
                f"{result['nominal']['anchors']['random_actions']:.1f}), "
                f"{score['fraction_above_80_percent']:.0%} of cells >= 80% of nominal"
            )
        reports.append(report_dir / "report.html")
        console.print(f"report: [bold]{reports[-1]}[/]")
    return {
        "run": run,
        "summary": summary,
        "exported": exported,
        "manifest": manifest,
        "report": reports[0],
        "reports": reports,
    }
