"""One writer per run: ``train``, ``--resume`` and the pruning they do hold an exclusive
``fcntl.flock`` on ``<run>/.lock`` for as long as they write. A second writer is refused with
the holder's PID; the lock goes with the process, so a killed run never leaves it held."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from robodrl.errors import RobodrlError
from robodrl.files.atomic import unwritable

LOCK_FILE = ".lock"


class RunLockedError(RobodrlError):
    """Another process is writing the run."""


@contextlib.contextmanager
def run_lock(run_dir: Path) -> Iterator[None]:
    """Hold ``run_dir``'s writer lock; raise :class:`RunLockedError` naming the holder."""
    path = run_dir / LOCK_FILE
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    except OSError as err:
        raise unwritable(path, err) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            raise RunLockedError(
                f"{run_dir} is being written by another robodrl process (PID {holder}); wait "
                "for it to finish or stop it, or give another --run-dir"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
