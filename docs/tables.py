"""Tables in the docs that describe code, generated from the code.

A page holds ``<!-- generated: NAME -->`` ... ``<!-- end: NAME -->``; the site build (the mkdocs
hook ``docs/hooks.py``) fills each from the code, and ``python docs/tables.py`` writes the same
into the files, so the pages read on GitHub are current too (a test fails when they are not).
It also writes ``robodrl/recipes/RESULTS.md``, the tables of ``docs/results.md``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

MARKER = re.compile(r"<!-- generated: (\w+) -->\n.*?<!-- end: \1 -->", re.S)


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def rich_to_markdown(table) -> str:  # a rich.table.Table
    header = [str(column.header) for column in table.columns]
    columns = [[str(cell) for cell in column.cells] for column in table.columns]
    return markdown_table(header, [list(row) for row in zip(*columns, strict=True)])


def tasks() -> str:
    from robodrl.cli.listing import tasks_table

    return rich_to_markdown(tasks_table())


def teams() -> str:
    from robodrl.cli.listing import teams_table

    return rich_to_markdown(teams_table())


def algorithms() -> str:
    from robodrl.algorithms.registry import algorithm_names, get_algorithm

    rows = []
    for name in algorithm_names():
        entry = get_algorithm(name)
        module = type(entry).__module__.replace(".", "/") + ".py"
        rows.append([f"`{name}`", entry.description, f"`{module}`"])
    return markdown_table(["name", "what", "file"], rows)


def quantities() -> str:
    from robodrl.robustness.quantities import QUANTITIES

    rows = [
        [f"`{name}`", q.target, ", ".join(q.operations), q.note] for name, q in QUANTITIES.items()
    ]
    return markdown_table(["quantity", "target", "operations", "what changes"], rows)


def recipes() -> str:
    from robodrl.cli.listing import recipes_table

    return rich_to_markdown(recipes_table())


def presets() -> str:
    from robodrl.cli.listing import presets_table, sweeps_table
    from robodrl.registry import env_ids
    from robodrl.robustness.loading import presets_folder

    root = Path(__file__).resolve().parents[1]
    parts, seen = [], set()
    for env_id in env_ids():
        folder = presets_folder(env_id)
        if folder in seen:
            continue
        seen.add(folder)
        users = ", ".join(f"`{e}`" for e in env_ids() if presets_folder(e) == folder)
        where = folder.relative_to(root)
        parts.append(f"**{where}/** ({users})\n\n{rich_to_markdown(presets_table(env_id))}")
        parts.append(rich_to_markdown(sweeps_table(env_id)))
    return "\n\n".join(parts)


TABLES: dict[str, Callable[[], str]] = {
    "tasks": tasks,
    "teams": teams,
    "algorithms": algorithms,
    "quantities": quantities,
    "recipes": recipes,
    "presets": presets,
}


#: the package's copy of the results' tables (``robodrl recipes`` reads it; no narrative)
RECIPE_RESULTS = Path(__file__).resolve().parents[1] / "robodrl" / "recipes" / "RESULTS.md"


def recipe_results(results: str) -> str:
    """``robodrl/recipes/RESULTS.md``: the headings and tables of ``docs/results.md``, in order,
    without the narrative (which stays in the docs)."""
    lines = [
        "# Recipe results: the tables",
        "",
        "Written from `docs/results.md` by `make docs-tables` (edit the figures there): every",
        "table of that page, under its heading. What they mean, how they were measured and what",
        "falls short: `docs/results.md` (the Results page of the docs).",
    ]
    table: list[str] = []
    heading = ""
    for line in [*results.splitlines(), ""]:
        if line.startswith("#") and not line.startswith("# "):
            heading = line
        elif line.startswith("|"):
            if heading:
                lines += ["", heading]
                heading = ""
            table.append(line)
        elif table:
            lines += ["", *table]
            table = []
    return "\n".join(lines) + "\n"


def filled(markdown: str, cache: dict[str, str] | None = None) -> str:
    """``markdown`` with every generated table written from the code."""
    cache = {} if cache is None else cache

    def fill(match: re.Match) -> str:
        name = match.group(1)
        if name not in TABLES:
            raise KeyError(f"unknown generated table {name!r}; tables: {', '.join(TABLES)}")
        if name not in cache:
            cache[name] = TABLES[name]()
        return f"<!-- generated: {name} -->\n{cache[name]}\n<!-- end: {name} -->"

    return MARKER.sub(fill, markdown)


def main(folder: Path) -> int:
    """Rewrite every page of ``folder`` whose generated tables are stale; say which."""
    from robodrl.files.atomic import write_text

    # the recipes' results first: the generated recipe table (in training.md) reads them
    tables = recipe_results((folder / "results.md").read_text())
    if not RECIPE_RESULTS.is_file() or RECIPE_RESULTS.read_text() != tables:
        write_text(RECIPE_RESULTS, tables)
        print(f"updated {RECIPE_RESULTS}")
    cache: dict[str, str] = {}
    for page in sorted(folder.glob("*.md")):
        text = page.read_text()
        fresh = filled(text, cache)
        if fresh != text:
            write_text(page, fresh)
            print(f"updated {page}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(__file__).parent))
