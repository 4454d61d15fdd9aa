"""The ``robodrl`` command run inside the test process: the same ``main()`` a process runs,
with the command's own working folder, environment, output streams and warning filters, and
its exit code; without paying a fresh interpreter's imports (torch, MuJoCo, ONNX: about 2 s)
for every command. Tests of what only a process shows (signals, SIGKILL, the installed entry
point) run the command in a process."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import traceback
import warnings
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def _as_a_process(env: dict[str, str] | None, cwd: Path | None) -> Iterator[None]:
    """The environment, folder, torch threads and warning filters a fresh process would have,
    put back afterwards."""
    import torch

    environ, folder, threads = dict(os.environ), os.getcwd(), torch.get_num_threads()
    os.environ.update(env or {})
    try:
        if cwd is not None:
            os.chdir(cwd)
        with warnings.catch_warnings():
            warnings.showwarning = warnings._showwarning_orig  # printed, as a process does
            warnings.resetwarnings()  # Python's own defaults, and robodrl's deprecations fail
            for category in (DeprecationWarning, PendingDeprecationWarning, ImportWarning,
                             ResourceWarning):  # fmt: skip
                warnings.filterwarnings("ignore", category=category)
            warnings.filterwarnings("error", category=DeprecationWarning, module="robodrl")
            yield
    finally:
        os.chdir(folder)
        os.environ.clear()
        os.environ.update(environ)
        torch.set_num_threads(threads)


def run_in_process(
    args: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess:
    """``robodrl ARGS`` as :func:`subprocess.run` would report it (code, stdout, stderr)."""
    from robodrl.cli import main

    out, err = io.StringIO(), io.StringIO()
    with _as_a_process(env, cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in args])
        except SystemExit as stop:  # argparse's usage errors and --version
            code = stop.code if isinstance(stop.code, int) else int(stop.code is not None)
        except Exception:  # what an uncaught error prints in a process
            traceback.print_exc()
            code = 1
    return subprocess.CompletedProcess(["robodrl", *map(str, args)], code, out.getvalue(),
                                       err.getvalue())  # fmt: skip
