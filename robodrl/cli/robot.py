"""``robodrl robot init MJCF`` and ``robodrl robot check ROBOT.yaml``: the user's own quadruped
or arm."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich.console import Console
from rich.table import Table

from robodrl.errors import ConfigError, RobodrlError


class RobotCheckFailedError(RobodrlError):
    """``robot check`` found a line that fails (the table says which)."""

    exit_code = 1


def add(sub) -> None:
    """``robodrl robot init`` / ``robodrl robot check``."""
    robot = sub.add_parser("robot", help="describe and check your own quadruped's or arm's MJCF")
    actions = robot.add_subparsers(dest="robot_command", required=True)
    init = actions.add_parser(
        "init", help="write a robot description from a quadruped's or an arm's MJCF"
    )
    init.add_argument("mjcf", type=Path, help="the robot's MJCF file, as it comes")
    init.add_argument(
        "--out", type=Path, help="the description to write (default: <mjcf name>.yaml here)"
    )
    check = actions.add_parser(
        "check", help="drop test, standing loads and step responses in both physics settings"
    )
    check.add_argument("description", help="a robot description (.yaml) or a shipped robot name")
    check.add_argument(
        "--png", type=Path, help="also write a picture of the robot standing (a new .png file)"
    )
    check.add_argument(
        "--target", type=float, nargs=3, action="append", default=[], metavar=("X", "Y", "Z"),
        help="an arm: also check that its end effector reaches this point (m, world frame)",
    )  # fmt: skip


def run(args: argparse.Namespace) -> None:
    """Dispatch ``robodrl robot ...``."""
    if args.robot_command == "init":
        _init(args.mjcf, args.out or Path(f"{args.mjcf.stem}.yaml"))
    elif is_arm(args.description):
        _check_arm(args.description, args.target)
    else:
        if args.target:
            raise ConfigError("--target: only an arm's check takes targets")
        _check(args.description, args.png)


def is_arm(description: str) -> bool:
    """Whether a description (a shipped name or a YAML path) is an arm's (it names an end
    effector) rather than a quadruped's."""
    from robodrl.envs.manipulator.robot import arm_names
    from robodrl.files.yamlio import load_yaml_file

    if description in arm_names():
        return True
    if description.endswith((".yaml", ".yml")) and Path(description).is_file():
        data = load_yaml_file(description)
        return isinstance(data, dict) and "ee_site" in data
    return False


def _check_arm(description: str, targets: list[list[float]]) -> None:
    from robodrl.envs.manipulator.check import check_arm
    from robodrl.envs.manipulator.robot import load_arm

    _report(f"robot check {description}", check_arm(load_arm(description), targets))


def _init(mjcf: Path, out: Path) -> None:
    import mujoco

    from robodrl.envs.legged.describe import compile_mjcf
    from robodrl.envs.legged.init import describe, render, write_description
    from robodrl.envs.manipulator.init import describe_arm

    model = compile_mjcf(mjcf)
    if (model.jnt_type == mujoco.mjtJoint.mjJNT_FREE).any():  # a floating base: a quadruped
        document, found = describe(mjcf, out)
    else:
        document, found = describe_arm(model, mjcf, out)
    console = Console(width=max(120, Console().width))
    table = Table(title=f"robot init {mjcf}")
    for column in ("field", "value", "from"):
        table.add_column(column)
    for finding in found:
        value = finding.value
        shown = "(added at the base)" if value is None else str(value)
        table.add_row(
            finding.field, shown if len(shown) < 70 else shown[:67] + "...", finding.source
        )
    console.print(table)
    write_description(render(document, found, mjcf), out)
    console.print(f"wrote {out}; next: robodrl robot check {out}")


def _check(description: str, png: Path | None) -> None:
    from robodrl.envs.legged.check import check_robot, gain_advice
    from robodrl.envs.legged.robot import load_robot
    from robodrl.files.atomic import OutputError

    if png is not None and png.exists():
        raise OutputError(f"--png {png}: the file exists; robodrl never replaces it")
    robot = load_robot(description)
    checks = check_robot(robot, png=png)
    advice = gain_advice(robot, checks)
    _report(f"robot check {description}", checks, advice)
    if png is not None:
        Console().print(f"picture: {png}")


def _report(title: str, checks, advice: dict[str, dict] | None = None) -> None:
    """Print the table (and the gains robot init would pick, if given); raise (exit 1) if a line
    fails."""
    table = Table(title=title)
    for column in ("physics", "check", "value", "limit", "result"):
        table.add_column(column)
    colours = {"ok": "green", "warn": "yellow", "fail": "red"}
    for c in checks:
        table.add_row(c.physics, c.name, c.value, c.limit, f"[{colours[c.status]}]{c.status}")
    console = Console(width=max(120, Console().width))
    console.print(table)
    if advice is not None:
        console.print(
            "the base sags or a joint overshoots with these gains; robot init's rules give "
            "(paste into the description to use them):",
            markup=False,
        )
        for field, values in advice.items():
            console.print(f"{field}: {json.dumps(values)}", markup=False, soft_wrap=True)
    failed = [
        f"{c.physics} {c.name}: {c.value} (limit {c.limit})".strip() for c in checks if c.failed
    ]
    if failed:
        raise RobotCheckFailedError("the robot fails: " + "; ".join(failed))
