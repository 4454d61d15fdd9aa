"""The simulated robot's process: ``python -m robodrl.deploy.sim_server POLICY.onnx [options]``.

It plays a robot for the deploy loop (:mod:`robodrl.deploy.sim` starts it): MuJoCo on the
robot the file was trained for, in the accurate physics settings, paced to wall-clock time,
measured every control period with optional sensor noise and latency, and driven by the
commands that come back over the local link (:mod:`robodrl.deploy.wire`). Options add kicks
and the faults of a wrongly wired robot (swapped joints, a flipped encoder, another control
rate, a missing joint, a NaN, a frozen link) so the loop's checks can be shown to catch them.

This is the robot, not the loop: it is the one module of :mod:`robodrl.deploy` that builds
robodrl's envs, and the loop never imports it. On exit it writes the ground truth (``--truth``):
time, base height, uprightness, world velocity, kicks."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import time
from collections import deque
from multiprocessing.connection import Connection, Listener
from pathlib import Path

import numpy as np
import onnx

from robodrl.deploy import wire
from robodrl.deploy.interface import RobotInfo
from robodrl.deploy.sim_arm import ArmBody
from robodrl.deploy.sim_body import LeggedBody, SimBody
from robodrl.envs.multi.registry import robot_of
from robodrl.errors import ConfigError, RobodrlError


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m robodrl.deploy.sim_server")
    parser.add_argument("policy", help="the policy file whose robot to simulate")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--noise", type=float, default=0.0, help="sensor noise scale (x table)")
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--kick-speed", type=float, default=0.0, help="m/s, horizontal")
    parser.add_argument("--kick-every", type=float, nargs=2, default=(2.0, 3.0))
    parser.add_argument("--control-hz", type=float, help="report this rate instead")
    parser.add_argument("--swap-joints", type=int, nargs=2, help="wire two joints crossed")
    parser.add_argument("--flip-joint", type=int, help="this joint's encoder reads negated")
    parser.add_argument("--drop-joint", type=int, help="leave this joint out")
    parser.add_argument("--nan-at", type=float, help="a NaN joint velocity from this time on")
    parser.add_argument("--freeze-at", type=float, help="stop sending state at this time")
    parser.add_argument("--truth", help="write the ground truth (.npz) here on exit")
    return parser.parse_args(argv)


class Wiring:
    """How the robot's joints reach the link: a permutation, encoder signs, a missing joint."""

    def __init__(self, names: list[str], args: argparse.Namespace) -> None:
        n = len(names)
        self.order = np.arange(n)
        if args.swap_joints:
            a, b = args.swap_joints
            self.order[[a, b]] = self.order[[b, a]]
        self.sign = np.ones(n)
        if args.flip_joint is not None:
            self.sign[args.flip_joint] = -1.0
        self.keep = np.array([i for i in range(n) if i != args.drop_joint])
        self.names = [names[i] for i in self.keep]

    def reading(self, values: np.ndarray) -> np.ndarray:
        return (values[self.order] * self.sign)[self.keep]

    def targets(self, sent: np.ndarray, current: np.ndarray) -> np.ndarray:
        """Joint targets in the model's order from what was sent (a dropped joint holds)."""
        full = current.copy()
        full[self.keep] = sent
        out = np.empty_like(full)
        out[self.order] = full
        return out


def serve(conn: Connection, body: SimBody, args: argparse.Namespace) -> None:
    rng = np.random.default_rng(args.seed)
    wiring = Wiring(body.joint_names, args)
    control_dt = body.control_dt if args.control_hz is None else 1.0 / args.control_hz
    signals = {
        name: size if name not in ("joint_pos", "joint_vel") else len(wiring.keep)
        for name, size in body.signal_sizes().items()
    }
    info = RobotInfo(wiring.names, control_dt, signals, name=f"sim:{body.robot_name}")
    conn.send_bytes(wire.handshake_bytes(info))
    pending: deque[tuple[float, bytes]] = deque()
    start = time.monotonic()
    sim_time, next_sample, sequence = 0.0, 0.0, 0
    next_kick = rng.uniform(*args.kick_every)
    while True:
        while conn.poll():
            mode, values = wire.parse_command(conn.recv_bytes())
            if mode == "stop":
                return
            body.commands += 1
            if mode == "damp":
                body.damp()
            elif mode == "end_effector":
                body.move_hand(values)
            else:
                body.set_targets(wiring.targets(values, body.targets()))
        due = time.monotonic() - start
        while sim_time + body.timestep <= due:
            if args.kick_speed and sim_time >= next_kick:
                body.kick(args.kick_speed, rng)
                next_kick += rng.uniform(*args.kick_every)
            body.step()
            sim_time += body.timestep
            if sim_time + 1e-9 >= next_sample:
                next_sample += control_dt
                if args.freeze_at is None or sim_time < args.freeze_at:
                    frame = measured(body, wiring, rng, args, sim_time)
                    pending.append((start + sim_time, frame))
        now = time.monotonic()
        while pending and pending[0][0] + args.latency_ms / 1e3 <= now:
            stamp, frame = pending.popleft()
            conn.send_bytes(wire.state_bytes(stamp, sequence, {k: frame[k] for k in signals}))
            sequence += 1
        time.sleep(0.0005)


def measured(
    body: SimBody,
    wiring: Wiring,
    rng: np.random.Generator,
    args: argparse.Namespace,
    sim_time: float,
) -> dict[str, np.ndarray]:
    """What the robot's sensors read now, through its wiring, with noise."""
    signals = body.signals(rng, args.noise)
    signals["joint_pos"] = wiring.reading(signals["joint_pos"])
    signals["joint_vel"] = wiring.reading(signals["joint_vel"])
    if args.nan_at is not None and sim_time >= args.nan_at:
        signals["joint_vel"] = np.full_like(signals["joint_vel"], np.nan)
    return signals


def policy_task(path: str) -> tuple[str, dict]:
    """The robot's env id and task arguments a policy file (or a team folder, its manifest)
    was trained with (a team's: its robot's, and the robot's share of the arguments)."""
    if Path(path).is_dir():
        facts = json.loads((Path(path) / "manifest.json").read_text())
        env_id, task = facts["env_id"], facts.get("task_arguments", {})
    else:
        model = onnx.load(path, load_external_data=False)
        meta = {p.key: p.value for p in model.metadata_props}
        env_id, task = meta["env_id"], json.loads(meta.get("task_arguments", "{}"))
    robot_id, arguments, _ = robot_of(env_id, task)
    return robot_id, arguments


def make_body(env_id: str, arguments: dict, *, seed: int = 0) -> SimBody:
    """The simulated body of the robot ``env_id`` trains."""
    if env_id.startswith("robodrl/Legged-"):
        return LeggedBody(env_id, arguments, seed=seed)
    if env_id.startswith("robodrl/ManipulatorReach-"):
        return ArmBody(env_id, arguments, seed=seed)
    raise ConfigError(
        f"the sim robot simulates legged robots (robodrl/Legged-v0, -v1) and arms reaching "
        f"(robodrl/ManipulatorReach-v0); this policy is for {env_id}"
    )


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a terminal's Ctrl-C is for the loop to handle
    env_id, arguments = policy_task(args.policy)
    try:
        body = make_body(env_id, arguments, seed=args.seed)
        if args.kick_speed and not body.takes_kicks:
            raise ConfigError(f"the sim robot for {env_id} takes no kicks (--kick-speed)")
    except RobodrlError as err:
        print(f"sim robot: {err}", file=sys.stderr)
        return 2
    key = bytes.fromhex(os.environ[wire.KEY_VARIABLE])
    with Listener(("127.0.0.1", 0), authkey=key) as listener:
        print(f"listening {listener.address[1]}", flush=True)
        with listener.accept() as conn, contextlib.suppress(EOFError, OSError):
            serve(conn, body, args)  # until the loop says stop or goes away
    if args.truth:
        body.save_truth(args.truth)
    return 0


if __name__ == "__main__":
    sys.exit(main())
