"""``robodrl envs``, ``robodrl recipes``, ``robodrl sweeps TASK`` and ``robodrl presets TASK``:
the tasks and teams, and what ships, with what each recipe measured (from the recipes'
RESULTS.md). The
docs' generated tables are these same tables (``docs/tables.py``)."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from rich.console import Console
from rich.table import Table

from robodrl.errors import RobodrlError
from robodrl.files.yamlio import load_yaml_file
from robodrl.lookup import RECIPES, recipe_names
from robodrl.registry import get_spec
from robodrl.resolve import load_config
from robodrl.robustness.loading import presets_folder


def add(sub: argparse._SubParsersAction) -> None:
    """The ``envs``, ``recipes``, ``sweeps`` and ``presets`` commands."""
    sub.add_parser("envs", help="list every environment id with its sizes and control rate")
    sub.add_parser("recipes", help="list the training recipes, with what each measured")
    for name, what in (("sweeps", "robustness sweeps"), ("presets", "randomization presets")):
        command = sub.add_parser(name, help=f"list a task's {what}")
        command.add_argument("task", help="an env id or task name, e.g. Pendulum or Legged")


def run(args: argparse.Namespace) -> None:
    """Dispatch ``robodrl envs / recipes / sweeps / presets``."""
    console = Console(width=max(120, Console().width))
    if args.command == "envs":
        console.print(tasks_table())
        console.print(teams_table())
    elif args.command == "recipes":
        console.print(recipes_table())
    elif args.command == "sweeps":
        console.print(sweeps_table(args.task))
    else:
        console.print(presets_table(args.task))


def tasks_table() -> Table:
    """Every registered task: observation and action sizes, control rate, episode length."""
    from robodrl.make import make_core
    from robodrl.registry import env_ids

    table = Table(title="robodrl environments")
    for column in ("id", "obs", "act", "control Hz", "episode s", "description"):
        table.add_column(column, justify="left" if column in ("id", "description") else "right")
    for env_id in env_ids():
        core = make_core(env_id, 1, num_threads=1, seed=0)
        table.add_row(
            env_id,
            str(core.obs_dim),
            str(core.action_dim),
            f"{1.0 / core.control_dt:g}",
            f"{core.max_episode_steps * core.control_dt:g}",
            get_spec(env_id).description,
        )
    return table


def teams_table() -> Table:
    """The multi-agent ids: each agent's observation and action sizes, and the robot."""
    from robodrl.envs.multi.registry import get_team_spec, team_ids
    from robodrl.make import make_team

    table = Table(title="robodrl multi-agent teams (robodrl.make_parallel / make_team)")
    for column in ("id", "agents (obs -> act)", "robot", "description"):
        table.add_column(column)
    for team_id in team_ids():
        team = make_team(team_id, 1, num_threads=1, seed=0)
        agents = ", ".join(
            f"{a} ({team.obs_dims[a]} -> {team.action_dims[a]})" for a in team.agents
        )
        spec = get_team_spec(team_id)
        table.add_row(team_id, agents, spec.env_id, spec.description)
    return table


def recipes_table() -> Table:
    """Every training recipe: task, algorithm, steps, and the measured wall time and return."""
    measured = measured_results(RECIPES / "RESULTS.md")
    table = Table(title="robodrl recipes (robodrl train NAME; measured: recipes' RESULTS.md)")
    for column in ("recipe", "task", "algorithm", "steps", "wall time", "return"):
        table.add_column(column, justify="right" if column == "steps" else "left")
    for name in recipe_names():
        try:
            config = load_config(name)
        except RobodrlError:
            continue  # a planner file: listed by `robodrl eval`'s docs, not trained
        row = measured.get(name, {})
        table.add_row(
            name,
            config.env.id,
            config.algorithm.name,
            f"{config.total_steps:,}",
            row.get("wall", "-"),
            row.get("return", "-"),
        )
    return table


def measured_results(path: Path) -> dict[str, dict[str, str]]:
    """The first row naming each recipe in the markdown tables of ``path``: its wall time and
    return cells."""
    found: dict[str, dict[str, str]] = {}
    header: list[str] = []
    for line in path.read_text().splitlines() if path.is_file() else []:
        if not line.startswith("|"):
            header = []
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not header:
            header = [c.lower() for c in cells]
            continue
        match = re.search(r"`([\w-]+)\.yaml`", cells[0])
        if match is None or match.group(1) in found:
            continue
        row = dict(zip(header, cells, strict=False))
        wall = next((v for k, v in row.items() if "wall" in k), "")
        returns = next((v for k, v in row.items() if "return" in k), "")
        found[match.group(1)] = {
            "wall": _first(r"[\d,.]+ ?(?:s|min|h)\b", wall),
            "return": _first(r"-?[\d,]+(?:\.\d+)?", returns),
        }
    return found


def _first(pattern: str, text: str) -> str:
    """The first figure in a results cell (seed 0's, where a cell lists several)."""
    match = re.search(pattern, text)
    return match.group(0) if match else "-"


def _task(task: str) -> tuple[str, Path]:
    env_id = get_spec(task).id  # an unknown name lists the ids
    return env_id, presets_folder(env_id)


def sweeps_table(task: str) -> Table:
    """A task's shipped sweeps: name, kind, cells, episodes per cell, description."""
    env_id, folder = _task(task)
    table = Table(title=f"sweeps of {env_id} (robodrl eval POLICY --sweep NAME)")
    for column in ("name", "kind", "axes", "episodes", "description"):
        table.add_column(column)
    for path in sorted((folder / "sweeps").glob("*.yaml")):
        data = load_yaml_file(path) or {}
        axes = ", ".join(str(a.get("name")) for a in data.get("axes", []))
        table.add_row(
            path.stem, data.get("kind", "grid"), axes, str(data.get("episodes", "-")),
            data.get("description", ""),
        )  # fmt: skip
    return table


def presets_table(task: str) -> Table:
    """A task's presets (``env.randomization`` / ``--randomization``) and adversaries."""
    env_id, folder = _task(task)
    table = Table(title=f"presets of {env_id} (env.randomization: NAME; adversary: NAME)")
    for column in ("name", "kind", "description"):
        table.add_column(column)
    for kind, where in (("randomization", folder), ("adversary", folder / "adversaries")):
        for path in sorted(where.glob("*.yaml")):
            data = load_yaml_file(path) or {}
            table.add_row(path.stem, kind, str(data.get("description", "")))
    return table
