"""``robodrl robot check`` for an arm: does it hold its home pose, does its gripper open and
close, do its joints follow their targets, and does its end effector reach the workspace?

- **hold**: the arm at home with the end-effector action 0 for 2 s; it fails if the end
  effector drifts more than 5 mm.
- **gripper** (arms with one): commanded closed, then open, 1 s each; it fails unless the
  opening goes below 10% and back above 90%.
- **step**: each arm joint's response to a 0.1 rad step of its PD target from home. It fails if
  the joint is not within 10% of the step after 1 s, or overshoots by more than 50% (a warning
  above 10%).
- **workspace**: targets drawn where the tasks put targets and blocks (45-80% of the reach,
  within 0.6 rad of the home direction, table height to 0.4 x reach above it), and any
  ``targets`` the user gives, solved by IK with the hand pointing as at home; it fails if one is
  farther than 5 mm from where IK gets (the table names the worst).

Each line is ``ok``, ``warn`` or ``fail``; ``robodrl robot check`` exits 1 if any line fails.
"""

from __future__ import annotations

import numpy as np

from robodrl.envs.checks import Check, status
from robodrl.envs.core import BatchedEnv
from robodrl.envs.manipulator.build import Scene, build_scene
from robodrl.envs.manipulator.ik import solve
from robodrl.envs.manipulator.reach import ManipulatorReachTask
from robodrl.envs.manipulator.robot import ArmDescription

MAX_DRIFT, REACHED = 0.005, 0.005
STEP, MAX_STEP_ERROR, WARN_OVERSHOOT, MAX_OVERSHOOT = 0.1, 0.10, 0.10, 0.50


def _env(arm: ArmDescription, action: str) -> BatchedEnv:
    task = ManipulatorReachTask(robot=arm, action=action, reset_noise_scale=0.0)
    return BatchedEnv(task, 1, seed=0)


def _hold(arm: ArmDescription) -> tuple[Check, ...]:
    env = _env(arm, "end_effector")
    env.reset()
    start = env.task.ee_pos()[0].copy()
    hold = np.zeros((1, env.action_dim))
    if arm.gripper is not None:
        hold[:, -1] = 1.0 if arm.gripper.open > arm.gripper.closed else -1.0
    for _ in range(round(2.0 / env.control_dt)):
        env.step(hold)
    drift = float(np.linalg.norm(env.task.ee_pos()[0] - start))
    checks = [Check("", "hold home 2 s: end-effector drift", f"{1000 * drift:.1f} mm",
                    f"<= {1000 * MAX_DRIFT:.0f} mm", status(drift <= MAX_DRIFT))]  # fmt: skip
    if arm.gripper is None:
        return tuple(checks)
    openings = []
    for sign in (-1.0, 1.0):  # closed, then open
        command = hold.copy()
        command[:, -1] = sign * hold[:, -1]
        for _ in range(round(1.0 / env.control_dt)):
            obs, *_ = env.step(command)
        openings.append(abs(float(obs[0, env.obs_layout["gripper_opening"]][0])))
    ok = openings[0] < 0.1 and openings[1] > 0.9
    checks.append(Check("", "gripper: opening closed / open", f"{openings[0]:.2f} / "
                        f"{openings[1]:.2f}", "< 0.10 / > 0.90", status(ok)))  # fmt: skip
    return tuple(checks)


def _steps(arm: ArmDescription) -> list[Check]:
    env = _env(arm, "joint")
    task, checks = env.task, []
    for i, name in enumerate(task.scene.arm_joints):
        env.reset()
        room = task.joint_high[i] - task.scene.home[i]
        target = task.scene.home[i] + (STEP if room > STEP else -STEP)
        ctrl = _home_ctrl(env)
        ctrl[task.arm_ctrl[i]] = target
        action = env.ctrl_to_action(ctrl)
        angles = []
        for _ in range(round(1.0 / env.control_dt)):
            env.step(action[None])
            angles.append(task.qpos[0, task.arm_qpos[i]])
        moved = (np.array(angles) - task.scene.home[i]) / (target - task.scene.home[i])
        error, overshoot = abs(1.0 - moved[-1]), max(0.0, float(moved.max()) - 1.0)
        ok = error <= MAX_STEP_ERROR and overshoot <= MAX_OVERSHOOT
        result = status(ok) if not ok else status(overshoot <= WARN_OVERSHOOT, warn_only=True)
        limit = f"<= {MAX_STEP_ERROR:.0%} / <= {WARN_OVERSHOOT:.0%}"
        checks.append(Check("", f"step {name}: error after 1 s / overshoot",
                            f"{error:.0%} / {overshoot:.0%}", limit, result))  # fmt: skip
    return checks


def _home_ctrl(env: BatchedEnv) -> np.ndarray:
    """Every actuator's command at home: the arm's PD targets at home, the gripper open."""
    task = env.task
    ctrl = (env.ctrl_low + env.ctrl_high) / 2
    ctrl[task.arm_ctrl] = task.scene.home
    if task.gripper is not None:
        ctrl[task.gripper] = task.arm.gripper.open
    return ctrl


def workspace_targets(scene: Scene, count: int = 48, seed: int = 0) -> np.ndarray:
    """Points where the tasks place targets and blocks, ``(count, 3)``."""
    space, rng = scene.workspace, np.random.default_rng(seed)
    radius = space.reach * rng.uniform(*space.radius, count)
    angle = space.home_azimuth + rng.uniform(-space.azimuth, space.azimuth, count)
    height = rng.uniform(space.table_z + space.block_half, space.table_z + 0.4 * space.reach,
                         count)  # fmt: skip
    ground = space.base[:2] + radius[:, None] * np.stack([np.cos(angle), np.sin(angle)], 1)
    return np.concatenate([ground, height[:, None]], axis=1)


def _workspace(arm: ArmDescription, targets: list[list[float]]) -> list[Check]:
    scene = build_scene(arm, with_object=False)
    checks, given = [], np.asarray(targets, dtype=float).reshape(-1, 3)
    for label, points in (("workspace", workspace_targets(scene)), ("your targets", given)):
        if not len(points):
            continue
        errors = [
            solve(scene.model, scene.ee_site, scene.arm_joints, p, scene.workspace.home_rotation,
                  scene.home).position_error
            for p in points
        ]  # fmt: skip
        worst = int(np.argmax(errors))
        where = ", ".join(f"{v:.3f}" for v in points[worst])
        checks.append(Check("", f"{label}: {len(points)} targets by IK, worst at ({where}) m",
                            f"{1000 * errors[worst]:.1f} mm", f"<= {1000 * REACHED:.0f} mm",
                            status(errors[worst] <= REACHED)))  # fmt: skip
    return checks


def check_arm(arm: ArmDescription, targets: list[list[float]] | None = None) -> list[Check]:
    """Every line of ``robot check`` for an arm (``targets``: more points to reach, m)."""
    return [*_hold(arm), *_steps(arm), *_workspace(arm, targets or [])]
