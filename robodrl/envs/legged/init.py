"""``robodrl robot init MJCF``: write a quadruped's robot description from its MJCF.

- the base is the free joint's body; the legs are the four chains of joints below it, each with
  its foot, the lowest collision geom of the chain, assigned front / back and left / right by its
  position in the base frame;
- the IMU site is a site on the base named ``*imu*``, else the task adds one at the base origin;
- the standing pose comes from a keyframe (``home``, ``stand``, else the first), else qpos0;
- torque limits come from actuator ``forcerange``, joint ``actuatorfrcrange`` or a motor's gear x
  ctrlrange; kp / kd from the MJCF's position actuators, else a step-response test (well damped,
  <= 10% overshoot); armature is kept; angles in degrees are converted (MuJoCo compiles them).
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import ValidationError

from robodrl.envs.descriptions import Finding, render, write_description
from robodrl.envs.legged import describe as d
from robodrl.envs.legged.gains import tune
from robodrl.envs.legged.joints import actuated_joints, check_pose
from robodrl.envs.legged.robot import RobotDescription
from robodrl.envs.motors import armature, position_gains, torque_limit
from robodrl.errors import ConfigError, format_validation_error

CLEARANCE = 0.002  # m between the lowest foot and the floor at reset


def describe(mjcf: Path, out: Path) -> tuple[dict, list[Finding]]:
    """The description of the quadruped in ``mjcf`` (paths relative to ``out``'s folder)."""
    where = str(mjcf)
    model = d.compile_mjcf(mjcf)
    base = d.find_base(model, where)
    joints = actuated_joints(model, base, where=where)
    if not joints:
        raise ConfigError(f"{where}: no hinge or slide joint below the base; nothing to actuate")
    pose, pose_source = d.standing_pose(model, joints)
    check_pose(model, joints, pose, where=f"{where} ({pose_source})")
    data = d.posed_data(model, base, joints, pose)
    feet = d.find_feet(model, data, base, joints, where)
    lowest = min(d.lowest_point(model, data, model.geom(g).id) for g in feet.values())
    imu, imu_source = d.find_imu(model, base)
    limits = [torque_limit(model, j, where) for j in joints]
    relative = os.path.relpath(mjcf.resolve(), out.resolve().parent)
    found = [
        Finding("mjcf", relative, "the file given"),
        Finding("base_body", model.body(base).name, "the body with the free joint"),
        Finding("imu_site", imu, imu_source),
        Finding("feet", feet, "lowest collision geom of each leg chain, placed by position"),
        Finding("standing_pose", _rounded(joints, pose), pose_source),
        Finding("standing_height", round(CLEARANCE - lowest, 4), "the feet just touching"),
        Finding("torque_limit", _rounded(joints, [v for v, _ in limits]),
                  ", ".join(sorted({source for _, source in limits}))),
        Finding("action_scale", d.ACTION_SCALE, "robodrl's default (rad)"),
    ]  # fmt: skip
    arm = armature(model, joints)
    if arm is not None:
        found.append(Finding("armature", _compact(arm), "the MJCF's joints"))
    document = {f.field: f.value for f in found if f.value is not None}
    found += _gains(model, joints, document, out, where)
    document = {f.field: f.value for f in found if f.value is not None}
    return document, found


def _gains(model, joints: list[str], document: dict, out: Path, where: str) -> list[Finding]:
    given = [position_gains(model, j) for j in joints]
    if all(g is not None for g in given):
        kp = _compact({j: g[0] for j, g in zip(joints, given, strict=True)})  # type: ignore[index]
        kd = _compact({j: g[1] for j, g in zip(joints, given, strict=True)})  # type: ignore[index]
        return [Finding("kp", kp, "the MJCF's position actuators"),
                Finding("kd", kd, "the MJCF's position actuators")]  # fmt: skip
    source = str(out.resolve())
    draft = {**document, "mjcf": str((out.resolve().parent / document["mjcf"]).resolve())}
    try:
        robot = RobotDescription.model_validate({**draft, "kp": 1.0, "kd": 0.0, "source": source})
    except ValidationError as err:  # e.g. a base below its feet: no positive standing height
        raise ConfigError(f"{where}: {format_validation_error(err)}") from None
    torque = robot.per_joint("torque_limit", joints)
    kp, kd = tune(robot, joints, torque)
    return [
        Finding(
            "kp", _compact(kp), "full action reaches the torque limit; >= standing load / 0.05 rad"
        ),
        Finding("kd", _compact(kd), "step-response test: <= 10% overshoot"),
    ]


def _rounded(joints: list[str], values) -> dict[str, float]:
    return {j: round(float(v), 6) for j, v in zip(joints, values, strict=True)}


def _compact(values: dict[str, float]) -> float | dict[str, float]:
    """One number when every joint has the same value."""
    unique = set(values.values())
    return next(iter(unique)) if len(unique) == 1 else values


__all__ = ["describe", "render", "write_description"]
