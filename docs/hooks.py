"""mkdocs hook: fill the generated tables (``docs/tables.py``) of every page from the code."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "robodrl_docs_tables", Path(__file__).with_name("tables.py")
)
tables = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tables)
_cache: dict[str, str] = {}


def on_page_markdown(markdown: str, **_: object) -> str:
    return tables.filled(markdown, _cache)
