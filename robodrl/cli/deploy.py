"""``robodrl deploy POLICY.onnx --robot sim``: drive a robot with an exported policy in a
real-time loop that knows only the file (:mod:`robodrl.deploy`), and write its timing and
safety report. Exit 0 when the run completed, 1 when it ended in safe mode or lost the robot
(the report is written either way), 2 when the robot and the file do not fit."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from robodrl.errors import ConfigError, RobodrlError


class DeployStoppedError(RobodrlError, RuntimeError):
    """A run that ended in safe mode or lost its robot (its report was written)."""

    exit_code = 1


def add(sub: argparse._SubParsersAction) -> None:
    """``robodrl deploy``: drive a robot with an exported policy."""
    deploy = sub.add_parser("deploy", help="drive a robot (or the sim) with an exported policy")
    deploy.add_argument(
        "policy", type=Path, help="an exported policy.onnx, or a team's export folder"
    )
    deploy.add_argument(
        "--robot",
        default="sim",
        help="sim (a simulator in another process), replay:REPORT_FOLDER, or "
        "MODULE:CLASS (your robot: a class with describe/read/write/now/close)",
    )
    deploy.add_argument("--seconds", type=float, default=10.0, help="how long to run")
    commands = deploy.add_mutually_exclusive_group()
    commands.add_argument("--schedule", type=Path, help="commands by time (YAML); default: stand")
    commands.add_argument(
        "--keyboard", action="store_true", help="w/s a/d q/e change the command, x: e-stop"
    )
    deploy.add_argument("--out", type=Path, default=Path("deploy"), help="report folder")
    safety = deploy.add_argument_group("safety")
    safety.add_argument("--safe-mode", choices=("hold", "damp"), default="hold")
    safety.add_argument("--soft-start", type=float, default=1.0, help="seconds")
    safety.add_argument("--stale-ms", type=float, help="watchdog (default 3 periods, >= 50 ms)")
    safety.add_argument("--max-tilt", type=float, default=60.0, help="degrees")
    safety.add_argument("--max-target-rate", type=float, help="rad/s (default: unbounded)")
    safety.add_argument(
        "--clamp-torque", action="store_true", help="clamp targets at the torque limit (else count)"
    )
    safety.add_argument("--no-probe", action="store_true", help="skip the joint check")
    sim = deploy.add_argument_group("sim robot")
    sim.add_argument("--seed", type=int, default=0)
    sim.add_argument("--noise", type=float, default=0.0, help="sensor noise scale")
    sim.add_argument("--latency-ms", type=float, default=0.0)
    sim.add_argument("--kick-speed", type=float, default=0.0, help="m/s")
    sim.add_argument("--kick-every", type=float, nargs=2, default=(2.0, 3.0), metavar="S")


def make_robot(args: argparse.Namespace, truth: Path):
    """The robot ``--robot`` names (a sim writes its ground truth to ``truth``)."""
    from robodrl.deploy.replay import ReplayRobot
    from robodrl.deploy.sim import SimOptions, SimRobot

    if args.robot == "sim":
        options = SimOptions(
            seed=args.seed,
            noise=args.noise,
            latency_ms=args.latency_ms,
            kick_speed=args.kick_speed,
            kick_every=tuple(args.kick_every),
            truth=truth,
        )
        return SimRobot(args.policy, options)
    if args.robot.startswith("replay:"):
        return ReplayRobot(Path(args.robot.removeprefix("replay:")))
    return user_robot(args.robot)


def user_robot(spec: str):
    """``MODULE:CLASS``: the user's robot class, made with no arguments."""
    import importlib

    module, _, name = spec.partition(":")
    if not module or not name:
        raise ConfigError(f"--robot {spec!r}: give sim, replay:FOLDER or MODULE:CLASS")
    try:
        cls = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as err:
        raise ConfigError(f"--robot {spec!r}: {err}") from None
    return cls()


def check_numbers(args: argparse.Namespace) -> None:
    for name, value, low in (
        ("--seconds", args.seconds, 0.0),
        ("--soft-start", args.soft_start, -1e-12),
        ("--noise", args.noise, -1e-12),
        ("--latency-ms", args.latency_ms, -1e-12),
    ):
        if not value > low or value != value:
            raise ConfigError(
                f"{name} must be {'above' if low == 0 else 'at least'} 0, got {value}"
            )


def safety_config(args: argparse.Namespace):
    from robodrl.deploy.safety import SafetyConfig

    return SafetyConfig(
        safe_mode=args.safe_mode,
        soft_start_s=args.soft_start,
        stale_after_s=None if args.stale_ms is None else args.stale_ms / 1e3,
        max_tilt_deg=args.max_tilt,
        max_target_rate=args.max_target_rate,
        clamp_torque=args.clamp_torque,
    )


def operator(args: argparse.Namespace, size: int):
    """The commands (a schedule file, the keyboard, or stand) and the e-stop hook."""
    from robodrl.deploy.keyboard import KeyboardCommands
    from robodrl.deploy.schedule import CommandSchedule

    if args.keyboard:
        keys = KeyboardCommands(size)
        return keys, keys.estop
    if args.schedule:
        return CommandSchedule.load(args.schedule, size), None
    return CommandSchedule.standing(size), None


def run(args: argparse.Namespace) -> None:
    from robodrl.deploy.contract import DeployContract
    from robodrl.deploy.loop import run_loop
    from robodrl.deploy.report import write_report
    from robodrl.deploy.safety import Safety
    from robodrl.deploy.team import TeamPolicy
    from robodrl.files.atomic import claim_output_folder
    from robodrl.runtime import OnnxPolicy

    check_numbers(args)
    policy = TeamPolicy(args.policy) if args.policy.is_dir() else OnnxPolicy(args.policy)
    contract = DeployContract(policy)
    claim_output_folder(args.out, kind="deploy", index="deploy.json")
    commands, estop = operator(args, contract.command_size)
    safety = Safety(contract, safety_config(args), estop)
    with tempfile.TemporaryDirectory() as folder:
        truth = Path(folder) / "sim_truth.npz"
        try:
            robot = make_robot(args, truth)
            try:
                probe = not args.no_probe and not args.robot.startswith("replay:")
                log = run_loop(contract, robot, commands, safety, args.seconds, probe=probe)
            finally:
                robot.close()
        finally:
            if hasattr(commands, "close"):
                commands.close()
        extra = {"sim_truth": sim_truth(truth)} if truth.is_file() else {}
        files = {truth.name: truth.read_bytes()} if truth.is_file() else {}
        document = write_report(
            args.out,
            log,
            safety,
            args.policy,
            args.seconds,
            contract.joint_names,
            contract.control_dt,
            extra=extra,
            files=files,
        )
    _print(document, args.out, robot.compare() if hasattr(robot, "compare") else None)
    if log.ended != "completed":
        raise DeployStoppedError(f"the run ended: {log.ended}; report in {args.out}")


def sim_truth(path: Path) -> dict:
    """What the simulator saw: falls (the base dropping below the task's height or tilting past
    its limit, counted as they begin) and kicks."""
    import numpy as np

    with np.load(path) as truth:
        rows, kicks = truth["truth"], truth["kicks"]
        seen = {"kicks": len(kicks), "seconds": float(rows[-1, 0]) if len(rows) else 0.0}
        if "min_height" not in truth.files or not len(rows):  # an arm does not fall
            return seen
        down = (rows[:, 1] < truth["min_height"]) | (rows[:, 2] < truth["min_up"])
    return seen | {"falls": int(down[0]) + int(np.sum(down[1:] & ~down[:-1]))}


def _print(document: dict, out: Path, replayed: dict | None) -> None:
    late, inference = document["lateness_ms"], document["inference_ms"]
    triggered = {k: v for k, v in document["safety"].items() if v}
    print(
        f"{document['robot']}: {document['steps']} steps, {document['ended']}; "
        f"{document['missed_deadlines']} missed deadlines; lateness p50 {late['p50']:.2f} / "
        f"p99 {late['p99']:.2f} / max {late['max']:.2f} ms; inference p50 "
        f"{inference['p50']:.3f} ms; safety triggers {triggered or 'none'}"
    )
    if "sim_truth" in document:
        truth = document["sim_truth"]
        falls = f"{truth['falls']} falls, " if "falls" in truth else ""
        print(f"sim truth: {falls}{truth['kicks']} kicks in {truth['seconds']:.1f} s")
    if document["reach"]:
        got = document["reach"]
        print(
            f"reach: {got['reached']} of {got['targets']} targets within 2 cm; final "
            f"distances {got['final_distance_m']} m"
        )
    if document["tracking"]:
        print(
            "tracking RMS: "
            + ", ".join(f"{k} {v:.3f}" for k, v in document["tracking"].items() if k != "steps")
        )
    if replayed is not None:
        print(
            f"replay: {replayed['steps']} steps, max |command - logged| = "
            f"{replayed['max_abs_difference']}"
        )
    print(f"report: {out / 'deploy.html'}")
