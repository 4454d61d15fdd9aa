"""TwoArmPush: the crate reaches its goal only when both arms work on it.

The left arm reaches the crate only near its start, the right arm only near its goal. The
tests sample each arm's whole joint space for how far it reaches along the rail, then play a
scripted pusher (inverse kinematics onto the crate's back face, pushing 15 cm into it) for each
arm alone and for the two in relay, on the real task.
"""

from __future__ import annotations

import mujoco
import numpy as np
import pytest

import robodrl
from robodrl.envs.arm import names
from robodrl.envs.arm.two_arm import (
    CRATE_HALF_DEPTH,
    CRATE_HEIGHT,
    PUSH_POINT_Y,
    READY_POSE,
    arm_names,
)

PUSH_DEPTH = 0.15  # m: how far inside the crate's face the scripted pusher aims
TIP_RADIUS = 0.02  # the pusher sphere (arm_robot.xml)
CRATE_HALF_WIDTH, CRATE_TOP = 0.12, 0.16  # two_arm_push.xml


def tip_reach(model: mujoco.MjModel, arm: str, samples: int = 20000) -> tuple[float, float]:
    """The least and greatest x the arm's pusher surface reaches beside or over the crate's
    path (|y| and z within the crate's), over random joint configurations in range."""
    data = mujoco.MjData(model)
    joints = [model.joint(j) for j in arm_names(arm)]
    low, high = np.array([j.range for j in joints]).T
    tip = model.site(f"{arm}_{names.TIP_SITE}").id
    found = []
    for q in np.random.default_rng(0).uniform(low, high, (samples, len(joints))):
        data.qpos[[j.qposadr[0] for j in joints]] = q
        mujoco.mj_kinematics(model, data)
        x, y, z = data.site_xpos[tip]
        if abs(y) <= CRATE_HALF_WIDTH + TIP_RADIUS and -TIP_RADIUS <= z <= CRATE_TOP + TIP_RADIUS:
            found.append(x)
    return min(found) - TIP_RADIUS, max(found) + TIP_RADIUS


def test_neither_arm_reaches_the_crate_along_the_whole_way() -> None:
    core = robodrl.make_core("BimanualPush", 1, seed=0)
    low_goal = core.task.goal_distance[0]
    left_low, left_high = tip_reach(core.model, "left")
    right_low, right_high = tip_reach(core.model, "right")
    # the left arm loses the crate once its back face is past left_high: the crate's centre
    # stops at least 5 cm short of the nearest goal (it slides < 8 cm when let go at 1 m/s)
    assert left_high + CRATE_HALF_DEPTH + 0.08 < low_goal - 0.05
    # the right arm cannot touch the crate at its start (its front face is at +0.1 m)
    assert right_low > CRATE_HALF_DEPTH + 0.1
    # the left arm can start it, and the right arm can take it on from there to the goal
    assert left_low < -CRATE_HALF_DEPTH and right_low < left_high - 0.2
    assert right_high > core.task.goal_distance[1] - CRATE_HALF_DEPTH + 0.1


def test_the_crate_stops_within_8_cm_when_let_go_at_1_m_per_s() -> None:
    core = robodrl.make_core("BimanualPush", 1, seed=0)
    core.reset()
    qvel = core.task.qvel[0].copy()
    qvel[core.task.crate_qvel] = 1.0
    core.task.qvel[0] = qvel
    hold = core.ctrl_to_action(core.task.qpos[0, core.task.arm_qpos])
    for _ in range(50):
        core.step(hold[None])
    assert core.task.qvel[0, core.task.crate_qvel] == pytest.approx(0.0, abs=1e-3)
    assert 0.01 < core.task.crate_x()[0] < 0.08


class Pusher:
    """A scripted arm: inverse kinematics to 8 cm behind the crate's back face, then onto a
    point 15 cm inside it (the servo pushes), on its own half of the face; while the point
    behind the crate is out of its reach, it holds its ready posture."""

    def __init__(self, core, arm: str) -> None:
        self.core, self.arm = core, arm
        self.model = core.model
        self.data = mujoco.MjData(self.model)
        joints = [self.model.joint(j) for j in arm_names(arm)]
        self.qpos = [j.qposadr[0] for j in joints]
        self.dofs = [j.dofadr[0] for j in joints]
        self.tip = self.model.site(f"{arm}_{names.TIP_SITE}").id
        index = names.ARMS.index(arm)
        self.actuators = slice(4 * index, 4 * index + 4)

    def targets(self, point: np.ndarray) -> tuple[np.ndarray, float]:
        """Joint angles that put the tip nearest ``point`` (damped least squares from the
        ready posture) and how far from it (m)."""
        q = self.model.qpos0.copy()
        q[self.qpos] = READY_POSE[self.arm]
        for _ in range(100):
            self.data.qpos[:] = q
            mujoco.mj_fwdPosition(self.model, self.data)
            error = point - self.data.site_xpos[self.tip]
            jacobian = np.zeros((3, self.model.nv))
            mujoco.mj_jacSite(self.model, self.data, jacobian, None, self.tip)
            j = jacobian[:, self.dofs]
            q[self.qpos] += 0.5 * j.T @ np.linalg.solve(j @ j.T + 1e-4 * np.eye(3), error)
        return q[self.qpos], float(np.linalg.norm(error))

    def act(self, action: np.ndarray) -> None:
        """Write this arm's action (in [-1, 1]) into ``action``."""
        task = self.core.task
        face = task.crate_x()[0] - CRATE_HALF_DEPTH
        tip = task.tips()[0, names.ARMS.index(self.arm)]
        behind = tip[0] < face - 0.01 and abs(tip[1] - PUSH_POINT_Y[self.arm]) < 0.03
        ahead = PUSH_DEPTH if behind and abs(tip[2] - CRATE_HEIGHT) < 0.03 else -0.08
        point = np.array([face + ahead, PUSH_POINT_Y[self.arm], CRATE_HEIGHT])
        if ahead < 0 and tip[0] > face - 0.05:  # come round from above, not through the crate
            point[2] = CRATE_TOP + 0.08
        ctrl, miss = self.targets(point)
        if ahead < 0 and miss > 0.01:
            ctrl = np.asarray(READY_POSE[self.arm])
        robot = self.core.action_to_ctrl(action)
        robot[self.actuators] = ctrl
        action[self.actuators] = np.clip(self.core.ctrl_to_action(robot)[self.actuators], -1, 1)


def push(arms: tuple[str, ...], seed: int, seconds: float = 12.0) -> tuple[float, float, bool]:
    """Play scripted pushers on ``arms`` (the others hold their ready posture) for one
    episode of ``seconds`` (longer than the task's 8 s: the script is slower than a trained
    team): the crate's final x, its goal's x, and whether it reached the goal."""
    core = robodrl.make_core(
        "BimanualPush", 1, seed=seed, goal_distance=(0.9, 0.9), episode_seconds=seconds
    )
    core.reset()
    ready = core.ctrl_to_action(core.task.qpos[0, core.task.arm_qpos])
    pushers = [Pusher(core, arm) for arm in arms]
    reached = False
    for step in range(int(seconds / core.control_dt) - 1):
        action = ready.copy()
        if step % 5 == 0:
            for pusher in pushers:
                pusher.act(action)
            held = action
        _, _, _, _, info = core.step(held[None])
        reached |= bool(info["is_success"][0])
    return float(core.task.crate_x()[0]), float(core.task.goal_x()[0]), reached


@pytest.mark.parametrize("seed", [4, 5])
@pytest.mark.parametrize("arm", names.ARMS)
def test_one_arm_alone_leaves_the_crate_short_of_its_goal(arm: str, seed: int) -> None:
    crate, goal, reached = push((arm,), seed)
    assert not reached
    assert crate < goal - 0.15


@pytest.mark.parametrize("seed", [4, 5])
def test_the_two_arms_in_relay_bring_the_crate_to_its_goal(seed: int) -> None:
    crate, goal, reached = push(names.ARMS, seed)
    assert reached, f"crate at {crate:.3f} m, goal at {goal:.3f} m"
