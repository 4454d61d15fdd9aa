"""A Markdown page's code blocks, run in order the way a reader would, with tiny budgets.

Each fenced block tagged ``python``, ``bash`` or ``yaml`` runs; an untagged block is output or
a layout, never run. An HTML comment on the line before a fence changes that:

- ``<!-- test: skip: REASON -->``: not run (the reason says why, and the test prints it);
- ``<!-- test: file NAME -->``: a YAML block the reader saves as NAME; every such file is
  written before the first block runs.

Python blocks share one namespace; bash blocks run with ``set -euo pipefail`` (a plain
``robodrl ...`` command runs its ``main()`` in the test's process, with the reader's folder and
environment: :mod:`tests.cli_in_process`). Every
``robodrl train`` / ``pipeline`` gets a tiny budget, every ``robodrl eval`` one episode per
cell and every ``robodrl render`` one 2-s clip (:func:`tiny`); nothing else is changed.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from tests.cli_in_process import run_in_process

FENCE = re.compile(r"^```(\w*)\s*$")
DIRECTIVE = re.compile(r"^<!-- test: (skip|file)[: ]\s*(.+?)\s*-->$")
#: steps a training gets, by its run folder: the imitation page's Pendulum demonstrator gets
#: enough to beat random actions (``demos record`` refuses one that does not), every other
#: training one rollout of 4 simulations
STEPS = {"runs/pendulum": 65536}
TINY_STEPS = 2048
#: simulated seconds a rendered episode is cut at
RENDER_SECONDS = "2"


@dataclass
class Block:
    language: str
    code: str
    line: int  # of the opening fence, 1-based
    directive: str | None = None  # skip | file
    argument: str = ""

    @property
    def where(self) -> str:
        return f"line {self.line}"


def blocks(text: str) -> list[Block]:
    """The fenced code blocks of a Markdown text, with the directive before each."""
    found, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        start, body = i, []
        i += 1
        while i < len(lines) and lines[i].strip() != "```":
            body.append(lines[i])
            i += 1
        before = lines[start - 1].strip() if start > 0 else ""
        directive = DIRECTIVE.match(before)
        found.append(
            Block(
                match.group(1),
                "\n".join(body) + "\n",
                start + 1,
                directive.group(1) if directive else None,
                directive.group(2) if directive else "",
            )
        )
        i += 1
    return found


def commands(script: str) -> list[str]:
    """A bash block's commands: continuation lines joined."""
    joined = script.replace("\\\n", " ")
    return [line for line in joined.splitlines() if line.strip()]


def tiny(command: str) -> str:
    """``command`` with a tiny budget (training), one episode per cell (eval) or one short clip
    (render)."""
    words = shlex.split(command, comments=True)
    if words[:2] == ["robodrl", "eval"]:
        words = [*_without(words, "--episodes"), "--episodes", "1"]
    elif words[:2] == ["robodrl", "render"]:
        words = [*_without(words, "--episodes"), "--seconds", RENDER_SECONDS]
    elif words[:2] in (["robodrl", "train"], ["robodrl", "pipeline"]):
        run_dir = words[words.index("--run-dir") + 1] if "--run-dir" in words else None
        steps = STEPS.get(run_dir, TINY_STEPS)
        if "--resume" in words:
            if any(w.startswith("total_steps=") for w in words):
                words = [f"total_steps={2 * steps}" if w.startswith("total_steps=") else w
                         for w in words]  # fmt: skip
        else:
            words += ["--set", f"total_steps={steps}", "--set", f"eval.every_steps={steps}"]
            words += ["--set", "eval.episodes=1", "--set", f"checkpoint.every_steps={steps}"]
            if steps == TINY_STEPS:
                words += ["--set", "env.num_envs=4"]
    return shlex.join(words)


def _without(words: list[str], option: str) -> list[str]:
    if option not in words:
        return words
    i = words.index(option)
    return words[:i] + words[i + 2 :]


def run_bash(block: Block, cwd: Path, env: dict[str, str], page: str = "") -> None:
    """Run a bash block's commands, tiny, one after another; fail naming the block."""
    for command in commands(block.code):
        if not shlex.split(command, comments=True):
            continue
        start = time.perf_counter()
        words = plain_robodrl(tiny(command))
        if words is not None:  # the command's own main(), without a fresh interpreter
            done = run_in_process(words[1:], env=env, cwd=cwd)
        else:
            done = subprocess.run(
                ["bash", "-euo", "pipefail", "-c", tiny(command)],
                cwd=cwd,
                env=env,
                capture_output=True,
                text=True,
                timeout=900,
            )
        print(f"{time.perf_counter() - start:6.1f} s  {page} {block.where}: {tiny(command)}")
        if done.returncode != 0:
            output = (done.stdout + done.stderr)[-3000:]
            where = f"{page} {block.where}".strip()
            raise AssertionError(f"{where}: `{command}` failed ({done.returncode}):\n{output}")


def plain_robodrl(command: str) -> list[str] | None:
    """The words of a ``robodrl ...`` command that needs no shell (no pipes, redirections,
    variables or lists); None for anything else."""
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    lexer.whitespace_split, lexer.commenters = True, "#"
    words = list(lexer)
    shell = any(set(w) <= set("();<>|&") or "$" in w or "`" in w for w in words)
    return None if shell or words[:1] != ["robodrl"] else words


def run_python(block: Block, namespace: dict, path: Path) -> None:
    exec(compile(block.code, f"{path.name}:{block.line}", "exec"), namespace)


def reader_env(home: Path) -> dict[str, str]:
    """The environment a reader's shell has: this Python's ``robodrl`` first on PATH."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["ROBODRL_HOME"] = str(home)
    env.setdefault("MUJOCO_GL", "egl")
    return env


def save_files(found: list[Block], cwd: Path) -> None:
    """The YAML files the reader writes (``test: file NAME``), each checked to parse."""
    for block in found:
        if block.directive == "file":
            yaml.safe_load(block.code)
            (cwd / block.argument).write_text(block.code)
