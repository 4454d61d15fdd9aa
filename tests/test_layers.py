"""Imports flow one way: nothing below imports from above (function-level imports included,
``if TYPE_CHECKING:`` blocks excluded). The layers, lowest first, are the README's Layout."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "robodrl"
#: lowest first; a module may import its own layer and the ones below
LAYERS = [
    # the config's structure (robodrl.config) is here: it knows no registry
    ("robodrl.errors", "robodrl.schema", "robodrl.files", "robodrl.lookup", "robodrl.backends",
     "robodrl.registries", "robodrl.config"),
    ("robodrl.robustness", "robodrl.envs", "robodrl.registry", "robodrl.make",
     "robodrl._gym_registration"),
    # the torch-free runtime and the deploy loop (which imports nothing of the envs:
    # tests/deploy)
    ("robodrl.runtime", "robodrl.deploy"),
    ("robodrl.policy", "robodrl.datasets"),
    ("robodrl.algorithms",),
    # what a config names, resolved against the registries below
    ("robodrl.resolve", "robodrl.planners"),
    ("robodrl.runs",),
    ("robodrl.evaluation", "robodrl.export"),
    ("robodrl.pipeline", "robodrl.demo", "robodrl.cli", "robodrl.__main__"),
]  # fmt: skip


def _layer(module: str) -> int:
    best, level = -1, None
    for index, names in enumerate(LAYERS):
        for name in names:
            if (module == name or module.startswith(f"{name}.")) and len(name) > best:
                best, level = len(name), index
    assert level is not None, module
    return level


def _imports(tree: ast.AST) -> list[str]:
    for node in ast.walk(tree):  # typing-only imports are not imports at run time
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                child.body = [ast.Pass()]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
    return [name for name in found if name == "robodrl" or name.startswith("robodrl.")]


def test_nothing_below_imports_from_above() -> None:
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "__init__.py":
            continue  # the package's lazy facade: it names the public API of every layer
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        tree = ast.parse(path.read_text())
        for imported in _imports(tree):
            if imported != "robodrl" and _layer(imported) > _layer(module):
                wrong.append(f"{module} imports {imported}")
    assert not wrong, "\n".join(wrong)


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    tree = ast.parse("def f():\n    from robodrl.runs.train import train\n")
    assert _imports(tree) == ["robodrl.runs.train"]
    assert _layer("robodrl.runs.train") > _layer("robodrl.policy")


def _graph() -> dict[str, set[str]]:
    """Every module of the package → the package's modules it imports (function-level imports
    included; ``from robodrl.x import y`` counts ``robodrl.x.y`` when that is a module)."""
    names = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph = {}
    for module, path in names.items():
        if module == "robodrl":
            continue  # the lazy facade
        tree = ast.parse(path.read_text())
        found = set(_imports(tree))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found |= {f"{node.module}.{alias.name}" for alias in node.names}
        graph[module] = {name for name in found if name in names and name != "robodrl"}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Groups of modules that import each other, directly or around a circle (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in graph.get(module, ()):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while (member := stack.pop()) != module:
                group.append(member)
            if group:
                found.append(sorted([module, *group]))

    for module in graph:
        if module not in index:
            visit(module)
    return found


def test_no_modules_import_each_other() -> None:
    assert _cycles(_graph()) == []


def test_the_cycle_check_sees_a_circle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]
