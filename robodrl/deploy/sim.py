"""``--robot sim``: the deploy loop's robot is a simulator in a separate process.

:class:`SimRobot` starts ``python -m robodrl.deploy.sim_server`` (MuJoCo on the file's robot in
the accurate physics settings, paced to real time), connects to it over a local authenticated
socket and speaks :mod:`robodrl.deploy.wire`. The loop sees what a robot would give it:
stamped measurements, late by the configured latency, with sensor noise. If the process dies,
``read`` and ``write`` raise :class:`~robodrl.deploy.interface.RobotLostError` with its exit
code and the last lines it printed."""

from __future__ import annotations

import contextlib
import os
import select
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from multiprocessing.connection import Client
from pathlib import Path

from robodrl.deploy import wire
from robodrl.deploy.interface import Command, DeployError, RobotInfo, RobotLostError, State


@dataclass(frozen=True)
class SimOptions:
    """The simulated robot's conditions and (for tests of the loop's checks) its faults."""

    seed: int = 0
    noise: float = 0.0
    latency_ms: float = 0.0
    kick_speed: float = 0.0
    kick_every: tuple[float, float] = (2.0, 3.0)
    control_hz: float | None = None
    swap_joints: tuple[int, int] | None = None
    flip_joint: int | None = None
    drop_joint: int | None = None
    nan_at: float | None = None
    freeze_at: float | None = None
    truth: Path | None = None

    def argv(self) -> list[str]:
        args = ["--seed", str(self.seed), "--noise", str(self.noise)]
        args += ["--latency-ms", str(self.latency_ms), "--kick-speed", str(self.kick_speed)]
        args += ["--kick-every", *map(str, self.kick_every)]
        for name in ("control_hz", "flip_joint", "drop_joint", "nan_at", "freeze_at", "truth"):
            value = getattr(self, name)
            if value is not None:
                args += [f"--{name.replace('_', '-')}", str(value)]
        if self.swap_joints is not None:
            args += ["--swap-joints", *map(str, self.swap_joints)]
        return args


class SimRobot:
    """A simulated robot in its own process (see the module docstring)."""

    def __init__(
        self, policy: Path, options: SimOptions = SimOptions(), *, startup_seconds: float = 120.0
    ) -> None:
        key = os.urandom(16)
        self.errors = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (closed in close())
        command = [sys.executable, "-m", "robodrl.deploy.sim_server", str(policy), *options.argv()]
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=self.errors,
            text=True,
            env={**os.environ, wire.KEY_VARIABLE: key.hex()},
        )
        port = self._port(startup_seconds)
        try:
            self.conn = Client(("127.0.0.1", port), authkey=key)
            self.info = wire.parse_handshake(self.conn.recv_bytes())
        except (OSError, EOFError) as err:
            words = self._last_words()
            self.close()
            raise DeployError(f"the sim robot did not answer: {err}{words}") from None
        self.last: State | None = None

    def _port(self, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        stdout = self.process.stdout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([stdout], [], [], 0.2)
            if ready:
                line = stdout.readline()
                if line.startswith("listening "):
                    return int(line.split()[1])
            if self.process.poll() is not None:
                break
        self.process.kill()
        self.process.wait()
        words = self._last_words()
        self.close()
        raise DeployError(f"the sim robot did not start{words}")

    def _last_words(self) -> str:
        code = self.process.poll()
        self.errors.seek(0)
        lines = [line for line in self.errors.read().splitlines() if line.strip()][-3:]
        said = (": " + " / ".join(lines)) if lines else ""
        return f" (sim process {'running' if code is None else f'exit code {code}'}){said}"

    def describe(self) -> RobotInfo:
        return self.info

    def now(self) -> float:
        return time.monotonic()

    def read(self) -> State:
        """The newest state the robot sent (the previous one if nothing new came)."""
        try:
            while self.conn.poll():
                self.last = wire.parse_state(self.conn.recv_bytes(), self.info)
        except (EOFError, OSError):
            raise RobotLostError(f"the sim robot's link closed{self._last_words()}") from None
        if self.last is None:
            return State(stamp=float("-inf"), signals={}, sequence=-1)
        return self.last

    def write(self, command: Command) -> None:
        try:
            self.conn.send_bytes(wire.command_bytes(command))
        except OSError:
            raise RobotLostError(f"the sim robot's link closed{self._last_words()}") from None

    def close(self) -> None:
        """Tell the robot to stop, then wait for its process (it writes its truth file)."""
        conn = getattr(self, "conn", None)
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.send_bytes(wire.command_bytes(None))
            conn.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()
        self.errors.close()
