"""``--keyboard``: the operator's commands from the terminal, one key at a time.

For a legged policy's (vx, vy, yaw rate) command: ``w`` / ``s`` change vx by ``STEP[0]`` m/s,
``a`` / ``d`` vy by ``STEP[1]``, ``q`` / ``e`` the yaw rate by ``STEP[2]`` rad/s, the space bar
stops (all zero), and ``x`` is the e-stop (safe mode). A reader thread takes the keys from the
terminal in cbreak mode (no Enter needed) and gives the terminal back as it was on
:meth:`KeyboardCommands.close`."""

from __future__ import annotations

import os
import select
import threading

import numpy as np

from robodrl.deploy.interface import DeployError

STEP = (0.1, 0.1, 0.2)
KEYS = {"w": (0, 1), "s": (0, -1), "a": (1, 1), "d": (1, -1), "q": (2, 1), "e": (2, -1)}


class KeyboardCommands:
    """A command schedule driven by keys (see the module docstring)."""

    def __init__(self, size: int, fd: int = 0) -> None:
        import termios
        import tty

        if not os.isatty(fd):
            raise DeployError("--keyboard needs a terminal on stdin; give --schedule instead")
        if size != 3:
            raise DeployError(
                f"--keyboard drives a (vx, vy, yaw rate) command; this policy's "
                f"command has {size} values"
            )
        self.fd, self.saved = fd, termios.tcgetattr(fd)
        tty.setcbreak(fd)
        self.command, self.stopped = np.zeros(3), False
        self.lock, self.done = threading.Lock(), threading.Event()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        while not self.done.is_set():
            ready, _, _ = select.select([self.fd], [], [], 0.05)
            if not ready:
                continue
            key = os.read(self.fd, 1).decode(errors="ignore").lower()
            with self.lock:
                if key in KEYS:
                    axis, sign = KEYS[key]
                    self.command[axis] = round(self.command[axis] + sign * STEP[axis], 3)
                elif key == " ":
                    self.command[:] = 0.0
                elif key == "x":
                    self.stopped = True

    def at(self, t: float) -> np.ndarray:
        with self.lock:
            return self.command.copy()

    def estop(self) -> bool:
        """The e-stop hook: ``x`` was pressed."""
        return self.stopped

    def close(self) -> None:
        import termios

        self.done.set()
        self.thread.join(timeout=1.0)
        termios.tcsetattr(self.fd, termios.TCSADRAIN, self.saved)
