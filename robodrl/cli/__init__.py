"""The ``robodrl`` command line: one module per command, its parser and its handler together.

Each command module has ``add(sub)`` (its sub-parser) and ``run(args)`` (what it does, with
its heavy imports inside). :data:`COMMANDS` names them; a new command is one module and one
line there."""

from __future__ import annotations

import argparse
import os
import sys
import threading
import warnings
from pathlib import Path
from types import ModuleType

from robodrl import __version__
from robodrl.errors import RobodrlError
from robodrl.files.atomic import disk_full, is_disk_full
from robodrl.registries import Registry

#: command name → the module that parses and runs it (several names may share one module)
COMMANDS: Registry[ModuleType] = Registry(
    "command",
    {
        "envs": "robodrl.cli.listing",
        "demo": "robodrl.cli.demo",
        "train": "robodrl.cli.train",
        "export": "robodrl.cli.export",
        "eval": "robodrl.cli.evaluate",
        "render": "robodrl.cli.render",
        "pipeline": "robodrl.cli.pipeline",
        "bench": "robodrl.cli.bench",
        "demos": "robodrl.cli.demos",
        "run-onnx": "robodrl.cli.run_onnx",
        "deploy": "robodrl.cli.deploy",
        "robot": "robodrl.cli.robot",
        "recipes": "robodrl.cli.listing",
        "sweeps": "robodrl.cli.listing",
        "presets": "robodrl.cli.listing",
    },
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``robodrl`` command."""
    parser = argparse.ArgumentParser(
        prog="robodrl",
        description="Robot learning in MuJoCo: train, harden, evaluate and export policies.",
    )
    parser.add_argument("--version", action="version", version=f"robodrl {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    added: set[str] = set()
    for name in COMMANDS:
        module = COMMANDS.get(name)
        if module.__name__ not in added:
            module.add(sub)
            added.add(module.__name__)
    return parser


def _quiet_on_full_disk(args: threading.ExceptHookArgs) -> None:
    """A writer thread (TensorBoard's) that meets a full disk stays quiet: the command reports
    it once, in one line."""
    if not is_disk_full(args.exc_value):
        threading.__excepthook__(args)


def _own_warnings_as_lines(command: str):
    """A ``warnings.formatwarning`` that writes robodrl's own warnings as one line each
    (``robodrl train: warning: ...``), and any other library's as Python does (only the text
    changes: filters and recorders such as ``pytest.warns`` see the same warnings)."""
    python_way = warnings.formatwarning

    def format_warning(message, category, filename, lineno, line=None) -> str:
        if category.__module__.startswith("robodrl."):
            return f"robodrl {command}: warning: {message}\n"
        return python_way(message, category, filename, lineno, line)

    return format_warning


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code (2 for a user error, with its message on stderr)."""
    args = build_parser().parse_args(argv)
    os.environ.setdefault("MUJOCO_GL", "egl")  # offscreen rendering; read when MuJoCo is imported
    threading.excepthook = _quiet_on_full_disk
    formatted_before = warnings.formatwarning
    warnings.formatwarning = _own_warnings_as_lines(args.command)
    try:
        COMMANDS.get(args.command).run(args)
    except RobodrlError as err:
        code = getattr(err, "exit_code", 2)
        what = "" if code == 130 else "error: "  # a stop the user asked for is no error
        print(f"robodrl {args.command}: {what}{err}", file=sys.stderr)
        return code
    except KeyboardInterrupt:
        print(
            f"robodrl {args.command}: interrupted; files it had not finished were removed",
            file=sys.stderr,
        )
        return 130
    except Exception as err:  # a full disk met outside robodrl's own writers
        if not is_disk_full(err):
            raise
        where = Path(getattr(err, "filename", None) or "its output")
        print(f"robodrl {args.command}: error: {disk_full(where)}", file=sys.stderr)
        return 2
    finally:
        warnings.formatwarning = formatted_before
    return 0
