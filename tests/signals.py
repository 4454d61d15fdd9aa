"""Child processes for the tests that press Ctrl-C on ``robodrl``."""

from __future__ import annotations

import signal
import subprocess


def ctrl_c_as_in_a_terminal() -> None:
    """``preexec_fn`` for such a child: SIGINT as a terminal gives it. A shell starts background
    jobs (``pytest &``) with SIGINT ignored, children inherit that, and Python then raises no
    KeyboardInterrupt, so the test would see a run that ignored its Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_as_from_a_terminal(command: list[str]) -> subprocess.Popen:
    """``command`` started with its output piped (text) and Ctrl-C as a terminal gives it."""
    return subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=ctrl_c_as_in_a_terminal,
    )
