"""The report's figures: mean return against a 1-D grid with the random and zero-action
anchors, the score over a 2-D grid, the score of every cell of anything else."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from robodrl.evaluation.anchors import ANCHORS
from robodrl.evaluation.sweep import SweepSpec

SCORE_LABEL = "score (0 = random actions, 1 = best nominal)"


def _curve(spec: SweepSpec, results: list[dict[str, Any]]) -> plt.Figure:
    axis = spec.axes[0].name
    figure, ax = plt.subplots(figsize=(7, 4.2))
    for result in results:
        xs = np.array([c["values"][axis] for c in result["cells"]])
        episodes = np.array([c["returns"] for c in result["cells"]])
        mean = episodes.mean(axis=1)
        band = 1.96 * episodes.std(axis=1) / np.sqrt(episodes.shape[1])
        ax.plot(xs, mean, marker="o", label=result["policy"])
        ax.fill_between(xs, mean - band, mean + band, alpha=0.2)
    cells = results[0]["cells"]
    xs = np.array([c["values"][axis] for c in cells])
    for (name, label), style in zip(ANCHORS.items(), (":", "--"), strict=True):
        anchor = [c["anchors"][name] for c in cells]
        ax.plot(xs, anchor, color="grey", linestyle=style, label=label)
    ax.set_xlabel(axis)
    ax.set_ylabel("episode return")
    ax.set_title(f"{spec.name}: mean return (95% band) and its anchors")
    ax.legend(fontsize="small")
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
            grid[i, j] = cell["score"]
        image = ax.imshow(
            grid,
            origin="lower",
            aspect="auto",
            vmin=0,
            vmax=1,
            cmap="viridis",
            extent=(min(xs), max(xs), min(ys), max(ys)),
        )
        ax.set_xlabel(x_axis.name)
        ax.set_ylabel(y_axis.name)
        ax.set_title(result["policy"])
        figure.colorbar(image, ax=ax, label=SCORE_LABEL)
    figure.suptitle(f"{spec.name}: score per cell")
    figure.tight_layout()
    return figure


def _scatter(spec: SweepSpec, results: list[dict[str, Any]]) -> plt.Figure:
    figure, axes = plt.subplots(1, len(spec.axes), figsize=(5 * len(spec.axes), 4), squeeze=False)
    for ax, axis in zip(axes[0], spec.axes, strict=True):
        for result in results:
            xs = [c["values"][axis.name] for c in result["cells"]]
            ax.scatter(xs, [c["score"] for c in result["cells"]], s=12, label=result["policy"])
        ax.set_xlabel(axis.name)
        ax.set_ylabel(SCORE_LABEL)
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
