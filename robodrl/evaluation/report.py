"""Results files, plots and a report a person reads: ``results.json``, ``results.csv``, PNG plots,
``report.html`` (self-contained: images embedded) and ``report.md``."""

from __future__ import annotations

import base64
import csv
import html
import io
import json
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from robodrl.evaluation.sweep import SweepSpec


def write_tables(out: Path, spec: SweepSpec, results: list[dict[str, Any]]) -> None:
    """``results.json`` (everything) and ``results.csv`` (one row per policy and cell)."""
    document = {"sweep": spec.model_dump(mode="json"), "policies": results}
    (out / "results.json").write_text(json.dumps(document, indent=1) + "\n")
    axes = [a.name for a in spec.axes]
    columns = ["mean_return", "std_return", "min_return", "cvar10_return", "normalized_return"]
    columns += ["success_rate", "fall_rate", "unstable"]
    with (out / "results.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["policy", *axes, *columns])
        for result in results:
            for cell in result["cells"]:
                writer.writerow(
                    [
                        result["policy"],
                        *(cell["values"][a] for a in axes),
                        *(cell[c] for c in columns),
                    ]
                )


def _curve(spec: SweepSpec, results: list[dict[str, Any]]) -> plt.Figure:
    axis = spec.axes[0].name
    figure, ax = plt.subplots(figsize=(7, 4.2))
    for result in results:
        xs = np.array([c["values"][axis] for c in result["cells"]])
        episodes = np.array([c["normalized_episodes"] for c in result["cells"]])
        mean = episodes.mean(axis=1)
        band = 1.96 * episodes.std(axis=1) / np.sqrt(episodes.shape[1])
        ax.plot(xs, mean, marker="o", label=result["policy"])
        ax.fill_between(xs, mean - band, mean + band, alpha=0.2)
    ax.axhline(0.8, color="grey", linestyle="--", linewidth=1, label="80% of nominal")
    ax.set_xlabel(axis)
    ax.set_ylabel("return / nominal return")
    ax.set_title(f"{spec.name}: normalized return (95% band)")
    ax.legend()
    figure.tight_layout()
    return figure


def _heatmaps(spec: SweepSpec, results: list[dict[str, Any]]) -> plt.Figure:
    x_axis, y_axis = spec.axes[0], spec.axes[1]
    xs, ys = x_axis.grid_values(), y_axis.grid_values()
    figure, axes = plt.subplots(1, len(results), figsize=(5.5 * len(results), 4.5), squeeze=False)
    for ax, result in zip(axes[0], results, strict=True):
        grid = np.full((len(ys), len(xs)), np.nan)
        for cell in result["cells"]:
            i = ys.index(cell["values"][y_axis.name])
            j = xs.index(cell["values"][x_axis.name])
            grid[i, j] = cell["normalized_return"]
        image = ax.imshow(
            grid,
            origin="lower",
            aspect="auto",
            vmin=0,
            vmax=1.2,
            cmap="viridis",
            extent=(min(xs), max(xs), min(ys), max(ys)),
        )
        ax.set_xlabel(x_axis.name)
        ax.set_ylabel(y_axis.name)
        ax.set_title(result["policy"])
        figure.colorbar(image, ax=ax, label="return / nominal")
    figure.suptitle(f"{spec.name}: normalized return")
    figure.tight_layout()
    return figure


def _scatter(spec: SweepSpec, results: list[dict[str, Any]]) -> plt.Figure:
    figure, axes = plt.subplots(1, len(spec.axes), figsize=(5 * len(spec.axes), 4), squeeze=False)
    for ax, axis in zip(axes[0], spec.axes, strict=True):
        for result in results:
            xs = [c["values"][axis.name] for c in result["cells"]]
            ax.scatter(
                xs, [c["normalized_return"] for c in result["cells"]], s=12, label=result["policy"]
            )
        ax.set_xlabel(axis.name)
        ax.set_ylabel("return / nominal return")
        ax.legend()
    figure.tight_layout()
    return figure


def write_plots(out: Path, spec: SweepSpec, results: list[dict[str, Any]]) -> list[Path]:
    """The sweep's figure(s) as PNG files."""
    if spec.kind == "grid" and len(spec.axes) == 1:
        figures = {"curve.png": _curve(spec, results)}
    elif spec.kind == "grid" and len(spec.axes) == 2:
        figures = {"heatmap.png": _heatmaps(spec, results)}
    else:
        figures = {"scatter.png": _scatter(spec, results)}
    paths = []
    for name, figure in figures.items():
        figure.savefig(out / name, dpi=110)
        plt.close(figure)
        paths.append(out / name)
    return paths


def _summary_rows(results: list[dict[str, Any]]) -> list[list[str]]:
    rows = []
    for r in results:
        if "not_applicable" in r:  # a planner on an observation sweep
            rows.append([r["policy"], f"{r['nominal']['mean_return']:.1f}", "n/a", "n/a",
                         "not applicable: reads the true state, not the observation"])  # fmt: skip
            continue
        worst = min(r["cells"], key=lambda c: c["normalized_return"])
        rows.append(
            [
                r["policy"],
                f"{r['nominal']['mean_return']:.1f}",
                f"{r['robustness']['fraction_above_80_percent']:.0%}",
                f"{r['robustness']['area_under_normalized_curve']:.3f}",
                f"{worst['normalized_return']:.2f} at "
                + ", ".join(f"{k}={v:g}" for k, v in worst["values"].items()),
            ]
        )
    return rows


def notes(results: list[dict[str, Any]]) -> list[str]:
    """Why some policies' cells are not applicable (planners on observation sweeps)."""
    return [f"{r['policy']}: {r['not_applicable']}." for r in results if "not_applicable" in r]


STYLE = (
    "body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
    "table{border-collapse:collapse;margin:1em 0}"
    "td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}"
    "th{background:#f2f2f2}img{max-width:100%}"
)
HEADER = ["policy", "nominal return", "cells >= 80% of nominal", "area under curve", "worst cell"]


def write_reports(
    out: Path,
    spec: SweepSpec,
    results: list[dict[str, Any]],
    plots: list[Path],
    videos: list[tuple[Path, str]] = (),
) -> None:
    """``report.md`` and a self-contained ``report.html`` (``videos``: GIFs and captions)."""
    rows = _summary_rows(results)
    episodes = len(results[0]["nominal"]["returns"])
    intro = (
        f"Sweep **{spec.name}** on {results[0]['env_id']}: {len(results[0]['cells'])} cells x "
        f"{episodes} episodes. {spec.description}".strip()
    )
    lines = [f"# Robustness report: {spec.name}", "", intro, "", "| " + " | ".join(HEADER) + " |"]
    lines.append("|" + "---|" * len(HEADER))
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    lines += ["", *(f"![{p.stem}]({p.name})" for p in plots), ""]
    lines += [*(f"![{caption}]({p.name})" for p, caption in videos), ""]
    lines += [
        "Normalized return: 1 + (return - nominal) / |nominal| (1 = as at nominal, 0 = as much "
        "return lost as nominal has). Each cell's episodes start from the same seeds as nominal.",
        *(f"\n{note}" for note in notes(results)),
    ]
    (out / "report.md").write_text("\n".join(lines) + "\n")

    images = "".join(
        f'<figure><img alt="{p.stem}" src="data:image/png;base64,'
        f'{base64.b64encode(p.read_bytes()).decode()}"></figure>'
        for p in plots
    )
    images += "".join(
        f'<figure><img alt="{html.escape(caption)}" src="data:image/gif;base64,'
        f'{base64.b64encode(p.read_bytes()).decode()}"><figcaption>{html.escape(caption)}'
        "</figcaption></figure>"
        for p, caption in videos
    )
    table = "<tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in HEADER) + "</tr>"
    table += "".join(
        "<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in row) + "</tr>" for row in rows
    )
    cells = io.StringIO()
    for r in results:
        cells.write(f"<details><summary>{html.escape(r['policy'])}: every cell</summary><table>")
        cells.write(
            "<tr><th>cell</th><th>mean</th><th>min</th><th>CVaR 10%</th><th>normalized</th>"
            "<th>falls</th></tr>"
        )
        for c in r["cells"]:
            name = ", ".join(f"{k}={v:g}" for k, v in c["values"].items())
            cells.write(
                f"<tr><td>{html.escape(name)}</td><td>{c['mean_return']:.1f}</td>"
                f"<td>{c['min_return']:.1f}</td><td>{c['cvar10_return']:.1f}</td>"
                f"<td>{c['normalized_return']:.2f}</td><td>{c['fall_rate']:.0%}</td></tr>"
            )
        cells.write("</table></details>")
    title = html.escape(spec.name)
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>robodrl robustness report: {title}</title>
<style>{STYLE}</style></head>
<body><h1>Robustness report: {html.escape(spec.name)}</h1>
<p>{html.escape(intro.replace("**", ""))}</p><table>{table}</table>{images}{cells.getvalue()}
<p>Normalized return: 1 + (return - nominal) / |nominal|. Each cell's episodes start from the
same seeds as the nominal episodes.</p>{"".join(f"<p>{html.escape(n)}</p>" for n in notes(results))}
</body></html>
"""
    (out / "report.html").write_text(page)
