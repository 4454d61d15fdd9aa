"""Signals for the tests that press Ctrl-C on a ``robodrl`` child process."""

from __future__ import annotations

import signal


def ctrl_c_as_in_a_terminal() -> None:
    """``preexec_fn`` for such a child: SIGINT as a terminal gives it. A shell starts background
    jobs (``pytest &``) with SIGINT ignored, children inherit that, and Python then raises no
    KeyboardInterrupt, so the test would see a run that ignored its Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
