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

from robodrl.evaluation.anchors import ANCHORS, SCORE_SENTENCE, ranked
from robodrl.evaluation.sweep import SweepSpec

#: per-cell anchor columns of ``results.csv``
ANCHOR_COLUMNS = [f"{name}_return" for name in ANCHORS] + ["best_return", "best_policy"]


def write_tables(
    out: Path,
    spec: SweepSpec,
    results: list[dict[str, Any]],
    anchors: dict[str, dict[str, Any]],
) -> None:
    """``results.json`` (everything, the anchors' own results too) and ``results.csv`` (one row
    per policy and cell, with the cell's anchors)."""
    document = {
        "sweep": spec.model_dump(mode="json"),
        "score": SCORE_SENTENCE,
        "policies": results,
        "anchors": anchors,
    }
    (out / "results.json").write_text(json.dumps(document, indent=1) + "\n")
    axes = [a.name for a in spec.axes]
    columns = ["mean_return", "std_return", "min_return", "cvar10_return", "normalized_return"]
    columns += ["score", "success_rate", "fall_rate", "unstable"]
    with (out / "results.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["policy", *axes, *columns, *ANCHOR_COLUMNS])
        for result in results:
            for cell in result["cells"]:
                anchor = cell["anchors"]
                writer.writerow(
                    [
                        result["policy"],
                        *(cell["values"][a] for a in axes),
                        *(cell[c] for c in columns),
                        *(anchor[name] for name in ANCHORS),
                        anchor["best_return"],
                        anchor["best_policy"],
                    ]
                )


def _summary_rows(results: list[dict[str, Any]]) -> list[list[str]]:
    """One row per policy, best score first."""
    rows = []
    for r in ranked(results):
        nominal = f"{r['nominal']['mean_return']:.1f}"
        if "not_applicable" in r:  # a planner on an observation sweep
            rows.append([r["policy"], "n/a", nominal, "n/a", "n/a",
                         "not applicable: reads the true state, not the observation"])  # fmt: skip
            continue
        worst = min(r["cells"], key=lambda c: c["mean_return"])
        rows.append(
            [
                r["policy"],
                f"{r['robustness']['score']:.2f}",
                nominal,
                f"{r['robustness']['fraction_above_80_percent']:.0%}",
                f"{r['robustness']['area_under_normalized_curve']:.3f}",
                f"{worst['mean_return']:.1f} at "
                + ", ".join(f"{k}={v:g}" for k, v in worst["values"].items()),
            ]
        )
    return rows


def anchor_lines(results: list[dict[str, Any]], anchors: dict[str, dict[str, Any]]) -> list[str]:
    """The anchors at nominal, per set of task arguments, as sentences."""
    lines = []
    for label, anchor in anchors.items():
        where = "" if len(anchors) == 1 else f" ({label})"
        returns = ", ".join(
            f"{label} {anchor[name]['nominal']['mean_return']:.1f}"
            for name, label in ANCHORS.items()
        )
        lines.append(f"Anchors at nominal{where}: {returns}.")
    best = results[0]["nominal"]["anchors"]
    if best["best_policy"] is not None:
        lines.append(f"Best nominal return: {best['best_return']:.1f} ({best['best_policy']}).")
    return lines


def notes(results: list[dict[str, Any]]) -> list[str]:
    """Why some policies' cells are not applicable (planners on observation sweeps)."""
    return [f"{r['policy']}: {r['not_applicable']}." for r in results if "not_applicable" in r]


STYLE = (
    "body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
    "table{border-collapse:collapse;margin:1em 0}"
    "td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}"
    "th{background:#f2f2f2}img{max-width:100%}"
)
HEADER = ["policy", "score", "nominal return", "cells >= 80% of nominal", "area (normalized)"]
HEADER += ["worst cell (mean return)"]
NORMALIZED_SENTENCE = (
    "Normalized return (relative to the policy's own nominal, so it flatters a bad policy): "
    "1 + (return - nominal) / |nominal|; 1 = as at nominal, 0 = as much return lost as nominal "
    "has. Each cell's episodes start from the same seeds as nominal; episode e starts as "
    "reset(seed=seed + e)."
)


def write_reports(
    out: Path,
    spec: SweepSpec,
    results: list[dict[str, Any]],
    anchors: dict[str, dict[str, Any]],
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
    reading = [SCORE_SENTENCE, *anchor_lines(results, anchors), NORMALIZED_SENTENCE]
    reading += notes(results)
    lines = [f"# Robustness report: {spec.name}", "", intro, "", "| " + " | ".join(HEADER) + " |"]
    lines.append("|" + "---|" * len(HEADER))
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    lines += ["", *(f"{line}\n" for line in reading)]
    lines += [*(f"![{p.stem}]({p.name})" for p in plots), ""]
    lines += [*(f"![{caption}]({p.name})" for p, caption in videos), ""]
    (out / "report.md").write_text("\n".join(lines) + "\n")
    page = _page(spec, intro, rows, reading, results, plots, videos)
    (out / "report.html").write_text(page)


def _page(
    spec: SweepSpec,
    intro: str,
    rows: list[list[str]],
    reading: list[str],
    results: list[dict[str, Any]],
    plots: list[Path],
    videos: list[tuple[Path, str]],
) -> str:
    """The self-contained HTML report: images embedded."""
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
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in reading)
    title = html.escape(spec.name)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>robodrl robustness report: {title}</title>
<style>{STYLE}</style></head>
<body><h1>Robustness report: {title}</h1>
<p>{html.escape(intro.replace("**", ""))}</p><table>{table}</table>{paragraphs}{images}
{_cell_tables(results)}
</body></html>
"""


def _cell_tables(results: list[dict[str, Any]]) -> str:
    """Every cell of every policy, with its anchors, folded."""
    cells = io.StringIO()
    for r in results:
        cells.write(f"<details><summary>{html.escape(r['policy'])}: every cell</summary><table>")
        cells.write(
            "<tr><th>cell</th><th>mean</th><th>min</th><th>CVaR 10%</th><th>score</th>"
            "<th>random actions</th><th>zero actions</th><th>best policy</th>"
            "<th>normalized</th><th>falls</th></tr>"
        )
        for c in r["cells"]:
            name = ", ".join(f"{k}={v:g}" for k, v in c["values"].items())
            anchor = c["anchors"]
            best = "" if anchor["best_return"] is None else f"{anchor['best_return']:.1f}"
            cells.write(
                f"<tr><td>{html.escape(name)}</td><td>{c['mean_return']:.1f}</td>"
                f"<td>{c['min_return']:.1f}</td><td>{c['cvar10_return']:.1f}</td>"
                f"<td>{c['score']:.2f}</td><td>{anchor['random_actions']:.1f}</td>"
                f"<td>{anchor['zero_actions']:.1f}</td><td>{best}</td>"
                f"<td>{c['normalized_return']:.2f}</td><td>{c['fall_rate']:.0%}</td></tr>"
            )
        cells.write("</table></details>")
    return cells.getvalue()
