"""``robodrl robot check``: does the robot stand and do its joints follow their targets?

- **stand**, in both physics settings: the robot is dropped from its standing height and holds
  action 0 (the standing pose) for 5 s. It fails if it falls or turns unstable, tilts more than
  10 degrees, or a foot carries less than 10% or more than 45% of the weight (a quarter each on a
  balanced robot; 80-120% in all). A base that sags more than 15% of its standing height is a
  warning (soft gains: a policy can still learn, but action 0 does not hold the pose).
- **step**: each joint's response to a 0.1 rad step of its target (robot held in the air). It
  fails if the joint is not within 10% of the target after 1 s or overshoots by more than 50%;
  more than 10% overshoot is a warning (``robot init`` tunes kd to stay under it).
- **torque headroom**: each joint's torque limit against the torque that carries the robot
  standing (a quarter of its weight on each foot). The shipped robots have 3-16x; more than
  50x is a warning: the limit is likely no motor's (Gymnasium's ant: 369-578x, from its gear
  150), and a torque cost normalized by the limit then lets the policy use any torque.
- a PNG of the robot standing (accurate physics), where asked.
- where the base sags or a joint overshoots: the gains ``robot init``'s rules give the robot
  (:func:`gain_advice`), for the user to paste.

Each line is ``ok``, ``warn`` or ``fail``; ``robodrl robot check`` exits 1 if any line fails.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from robodrl.envs.checks import Check
from robodrl.envs.checks import status as _status
from robodrl.envs.core import BatchedEnv
from robodrl.envs.legged.gains import standing, standing_torques, step_responses, tune
from robodrl.envs.legged.robot import LEGS, RobotDescription
from robodrl.envs.legged.task import LeggedTask
from robodrl.errors import ConfigError
from robodrl.files.atomic import write_bytes
from robodrl.robustness.roles import robot_mass

HOLD_SECONDS = 5.0
MAX_SAG, MAX_TILT_DEG = 0.15, 10.0
FOOT_SHARE, TOTAL_SHARE = (0.10, 0.45), (0.8, 1.2)
WARN_OVERSHOOT, MAX_OVERSHOOT, MAX_STEP_ERROR = 0.10, 0.50, 0.10
MAX_HEADROOM = 50.0  # torque limit / standing torque
STEP = "step "  # each step-response line's name: STEP + the joint


def standing_env(robot: RobotDescription, physics: str) -> BatchedEnv:
    """One simulation at the standing pose with a standing command and no reset noise."""
    task = LeggedTask(robot=robot, physics=physics, reset_noise_scale=0.0, standing_probability=1.0)
    return BatchedEnv(task, 1, seed=0, autoreset=False)


def stand(robot: RobotDescription, physics: str) -> tuple[list[Check], BatchedEnv]:
    """Drop the robot and hold action 0 for 5 s; the checks and the env at the end."""
    env = standing_env(robot, physics)
    env.reset()
    task, fell, unstable, loads = env.task, False, False, []
    steps = round(HOLD_SECONDS / env.control_dt)
    for step in range(steps):
        _, _, terminated, _, info = env.step(np.zeros((1, env.action_dim)))
        unstable |= bool(np.asarray(info.get("sim_unstable", [False]))[0])
        fell |= bool(terminated[0])
        if fell or unstable:
            break
        if step >= steps - round(0.5 / env.control_dt):
            loads.append(task.sensordata[0, task.touch].copy())
    height = float(task.qpos[0, task.root_qpos + 2])
    sag = 1.0 - height / robot.standing_height
    tilt = float(np.degrees(np.arccos(np.clip(-task._gravity()[0, 2], -1.0, 1.0))))
    checks = [
        Check(physics, "stays up, stable", "fell" if fell else "unstable" if unstable else "yes",
              "5 s at action 0", _status(not (fell or unstable))),
        Check(physics, "base sag", f"{sag:.1%} ({height:.3f} m)", f"<= {MAX_SAG:.0%} (warn)",
              _status(sag <= MAX_SAG, warn_only=True)),
        Check(physics, "tilt", f"{tilt:.1f} deg", f"<= {MAX_TILT_DEG:g} deg",
              _status(tilt <= MAX_TILT_DEG)),
    ]  # fmt: skip
    return checks + _foot_loads(physics, env, loads), env


def _foot_loads(physics: str, env: BatchedEnv, loads: list[np.ndarray]) -> list[Check]:
    weight = robot_mass(env.model) * float(np.linalg.norm(env.model.opt.gravity))
    share = np.mean(loads, axis=0) / weight if loads else np.zeros(4)
    low, high = FOOT_SHARE
    checks = [
        Check(physics, f"{leg} foot load", f"{s:.0%} of weight", f"{low:.0%}-{high:.0%}",
              _status(bool(low <= s <= high)))
        for leg, s in zip(LEGS, share, strict=True)
    ]  # fmt: skip
    total, (low, high) = float(share.sum()), TOTAL_SHARE
    checks.append(Check(physics, "all feet", f"{total:.0%} of weight", f"{low:.0%}-{high:.0%}",
                        _status(low <= total <= high)))  # fmt: skip
    return checks


def step_checks(robot: RobotDescription) -> list[Check]:
    """Each joint's step response against the limits."""
    checks = []
    for r in step_responses(robot):
        fails = r.overshoot > MAX_OVERSHOOT or r.final_error > MAX_STEP_ERROR
        status = "fail" if fails else _status(r.overshoot <= WARN_OVERSHOOT, warn_only=True)
        checks.append(Check(
            "accurate", f"{STEP}{r.joint}",
            f"overshoot {r.overshoot:.0%}, error {r.final_error:.0%}, rise {r.rise_seconds:.3f} s",
            f"overshoot <= {WARN_OVERSHOOT:.0%} (warn) / {MAX_OVERSHOOT:.0%}, "
            f"error <= {MAX_STEP_ERROR:.0%}", status,
        ))  # fmt: skip
    return checks


def torque_check(robot: RobotDescription) -> Check:
    """The largest ratio of a joint's torque limit to the torque that carries the robot
    standing: a warning above :data:`MAX_HEADROOM` (a limit no motor of this robot has)."""
    model, data, joints = standing(robot)  # the load does not depend on the gains
    limit = np.asarray(robot.per_joint("torque_limit", joints), dtype=float)
    load = standing_torques(model, data, robot, joints)
    # a joint whose axis runs through its foot carries no standing load: no ratio to judge
    ratio = np.divide(limit, load, out=np.zeros_like(limit), where=load > 0)
    worst = int(np.argmax(ratio))
    return Check(
        "accurate", "torque headroom",
        f"{ratio[worst]:.0f}x the standing load ({joints[worst]})",
        f"<= {MAX_HEADROOM:.0f}x (warn: is the limit the motor's?)",
        _status(bool(ratio[worst] <= MAX_HEADROOM), warn_only=True),
    )  # fmt: skip


def check_robot(robot: RobotDescription, *, png: Path | None = None) -> list[Check]:
    """Every check, in both physics settings; a PNG of the standing robot if ``png``."""
    checks: list[Check] = []
    for physics in ("fast", "accurate"):
        found, env = stand(robot, physics)
        checks += found
    checks += [*step_checks(robot), torque_check(robot)]
    if png is not None:
        write_bytes(png, standing_png(env))
    return checks


def gain_advice(robot: RobotDescription, checks: list[Check]) -> dict[str, dict] | None:
    """The gains ``robot init`` would write for this robot (its rules: the full action meets the
    torque limit, the standing load bends no joint more than 0.05 rad, kd raised until a step
    overshoots <= 10%), when a sag or step line did not pass; None when they all did."""
    gains_lines = [c for c in checks if c.name == "base sag" or c.name.startswith(STEP)]
    if all(c.status == "ok" for c in gains_lines):
        return None
    joints = [c.name.removeprefix(STEP) for c in checks if c.name.startswith(STEP)]
    kp, kd = tune(robot, joints, robot.per_joint("torque_limit", joints))
    return {"kp": kp, "kd": kd}


def standing_png(env: BatchedEnv) -> bytes:
    """A PNG of simulation 0, looking at the base from the front left."""
    import imageio.v3 as iio
    import mujoco

    model = env.get_model(0)
    data = env.batch.get_data(0)
    mujoco.mj_forward(model, data)
    camera = mujoco.MjvCamera()
    camera.lookat[:] = data.xpos[env.task.base_id]
    camera.distance = 5.0 * env.task.stand_height
    camera.azimuth, camera.elevation = 135.0, -20.0
    height = min(480, model.vis.global_.offheight)
    width = min(640, model.vis.global_.offwidth)
    try:
        with mujoco.Renderer(model, height, width) as renderer:
            renderer.update_scene(data, camera)
            pixels = renderer.render()
    except Exception as err:  # MuJoCo raises FatalError without a GL context
        raise ConfigError(
            f"cannot render the standing robot offscreen ({err}); set MUJOCO_GL=egl before "
            "MuJoCo is imported (the robodrl command does), or leave out the picture"
        ) from None
    buffer = io.BytesIO()
    iio.imwrite(buffer, pixels, extension=".png")
    return buffer.getvalue()
