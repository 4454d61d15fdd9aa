"""Two arms push one crate: the scene ``robodrl/BimanualPush-v0`` (one policy drives both arms)
and the team ``robodrl/TwoArmPush-v0`` (one agent per arm) share.

The model is built with ``MjSpec``: two copies of the robodrl arm (``arm_robot.xml``) attached
to the scene ``two_arm_push.xml``, their names prefixed ``left_`` and ``right_``. The crate
slides along x in a damped guide (it stops within centimetres when let go). The left arm stands
beside the crate's start and reaches it only until its back face is 0.58 m along the rail; the
right arm stands 0.8 m further on, on the other side, and reaches it only once it is past
0.22 m. The goal is 0.85-1.0 m ahead: the left arm must bring the crate to the right arm, which
takes it on to the goal. Neither can do it alone, whatever it does: the tests sample each
arm's reach over its whole joint space and play a scripted pusher on each arm alone and on both.
"""

from __future__ import annotations

from importlib import resources
from typing import ClassVar

import mujoco
import numpy as np
from mujoco import batch as mjbatch

from robodrl.envs.arm import names
from robodrl.envs.task import ResetNoise, Task, _check_non_negative, _check_positive, _check_range

#: each arm's start posture (rad; base yaw, shoulder, elbow, wrist): the left tip 6 cm behind
#: the crate's back face at mid-height; the right tip waiting 30 cm above the rail at x = 0.4 m,
#: where the crate passes beneath it into the right arm's reach
READY_POSE = {"left": (-1.96, 0.853, 1.397, 0.88), "right": (2.369, 0.833, 0.706, 0.551)}
#: where each arm pushes: the crate's back face, each on its own half, mid-height (m)
PUSH_POINT_Y = {"left": 0.06, "right": -0.06}
CRATE_HALF_DEPTH = 0.1  # m, from two_arm_push.xml
CRATE_X = 0.0  # m, the crate's centre at the start
CRATE_HEIGHT = 0.08  # m, the crate's centre


def arm_names(arm: str) -> list[str]:
    """``arm``'s joint (and actuator) names in the two-arm model: ``left_shoulder``, ..."""
    return [f"{arm}_{joint}" for joint in names.ARM_JOINTS]


#: both arms' joints, left arm first: the order of every per-joint block
JOINTS = tuple(joint for arm in names.ARMS for joint in arm_names(arm))


class TwoArmPushTask(Task):
    """Observations: both arms' joint angles (8) and velocities (8), each tip's position (6)
    and its offset to its push point on the crate (6), the crate's position and velocity along
    x (2), the goal's x and the goal minus the crate (2); metres, radians, seconds, world frame.
    Left arm first in every per-arm block.

    Reward terms: ``tips_to_crate`` = -w·(|left push point - left tip| + |right ... |) (m),
    ``crate_to_goal`` = -w·|goal - crate| (m), ``joint_velocity`` = -w·Σ q̇² (both arms),
    ``at_goal`` = +w while the crate is within ``success_distance`` m of the goal (success).

    Each episode starts with both arms at :data:`READY_POSE` (± ``reset_noise_scale`` rad per
    joint), the crate at rest at x = 0, and the goal U(``goal_distance``) m ahead of it (a goal
    nearer than 0.8 m is within the left arm's reach alone). Nothing pulls the crate: once past
    its goal, only a push on its front face brings it back.
    """

    xml_file = "two_arm_push.xml"
    assets_package = "robodrl.envs.arm"
    stage = mujoco.mjtStage.mjSTAGE_VEL
    has_success = True
    reward_defaults: ClassVar[dict[str, float]] = {
        "tips_to_crate": 0.5,
        "crate_to_goal": 1.0,
        "joint_velocity": 0.001,
        "at_goal": 1.0,
    }

    def __init__(
        self,
        *,
        success_distance: float = 0.05,
        goal_distance: tuple[float, float] = (0.85, 1.0),
        reset_noise_scale: float = 0.05,
        frame_skip: int = 4,
        episode_seconds: float = 8.0,
        **weights: float,
    ) -> None:
        super().__init__(frame_skip=frame_skip, episode_seconds=episode_seconds, **weights)
        _check_positive(success_distance=success_distance)
        _check_non_negative(reset_noise_scale=reset_noise_scale)
        _check_range(goal_distance=goal_distance)
        self.success_distance = float(success_distance)
        self.goal_distance = tuple(float(d) for d in goal_distance)
        self.reset_noise_scale = float(reset_noise_scale)
        self.obs_spec = [
            ("joint_pos", 8),
            ("joint_vel", 8),
            ("tip_pos", 6),
            ("tip_to_push_point", 6),
            ("crate", 2),
            ("goal", 2),
        ]

    def load_model(self) -> mujoco.MjModel:
        """The scene with both arms attached at their mounts."""
        folder = resources.files(self.assets_package).joinpath("assets")
        with resources.as_file(folder) as path:
            scene = mujoco.MjSpec.from_file(str(path / self.xml_file))
            for arm in names.ARMS:
                robot = mujoco.MjSpec.from_file(str(path / names.ROBOT_FILE))
                robot.compiler.degree = False  # the robot file's angles are radians
                mount = scene.frame(f"{arm}_mount")
                mount.attach_body(robot.body(names.ROBOT_ROOT), f"{arm}_", "")
            return scene.compile()

    def bind(self, batch: mjbatch.Batch, model: mujoco.MjModel) -> None:
        self.qpos = batch.bind("qpos")
        self.qvel = batch.bind("qvel")
        self.site_xpos = batch.bind("site_xpos")
        self.mocap_pos = batch.bind("mocap_pos")
        self.arm_qpos = np.array([model.joint(j).qposadr[0] for j in JOINTS])
        self.arm_qvel = np.array([model.joint(j).dofadr[0] for j in JOINTS])
        self.tip_ids = np.array([model.site(f"{arm}_{names.TIP_SITE}").id for arm in names.ARMS])
        crate = model.joint(names.CRATE_JOINT)
        self.crate_qpos, self.crate_qvel = int(crate.qposadr[0]), int(crate.dofadr[0])
        self.goal_id = int(model.body(names.GOAL_MOCAP).mocapid[0])
        self.qpos0 = model.qpos0.copy()
        self.ready = np.concatenate([READY_POSE[arm] for arm in names.ARMS])

    def reset(self, ids: np.ndarray, noise: ResetNoise) -> None:
        s = self.reset_noise_scale
        qpos = np.tile(self.qpos0, (len(ids), 1))
        qpos[:, self.arm_qpos] = self.ready + noise.uniform(ids, -s, s, self.ready.size)
        self.qpos[ids] = qpos
        self.qvel[ids] = 0.0
        ahead = noise.uniform(ids, *self.goal_distance, 1)[:, 0]
        goal = np.zeros((len(ids), 3))
        goal[:, 0] = CRATE_X + ahead
        goal[:, 2] = 0.001
        self.mocap_pos[ids, self.goal_id] = goal

    # -- quantities ----------------------------------------------------------------------
    def crate_x(self) -> np.ndarray:
        """The crate's centre along x (m)."""
        return CRATE_X + self.qpos[:, self.crate_qpos]

    def goal_x(self) -> np.ndarray:
        return self.mocap_pos[:, self.goal_id, 0]

    def tips(self) -> np.ndarray:
        """Both tips in the world frame (m), ``(num_envs, 2, 3)``, left first."""
        return self.site_xpos[:, self.tip_ids]

    def push_points(self) -> np.ndarray:
        """Each arm's push point on the crate's back face (m), ``(num_envs, 2, 3)``."""
        points = np.empty((len(self.qpos), len(names.ARMS), 3))
        points[:, :, 0] = (self.crate_x() - CRATE_HALF_DEPTH)[:, None]
        points[:, :, 1] = [PUSH_POINT_Y[arm] for arm in names.ARMS]
        points[:, :, 2] = CRATE_HEIGHT
        return points

    def crate_to_goal(self) -> np.ndarray:
        return np.abs(self.goal_x() - self.crate_x())

    def joint_speed_squared(self) -> np.ndarray:
        """Σ q̇² over both arms' joints (rad²/s²), summed per arm, then left + right: one
        order of additions whatever the number of simulations (a single sum over 8 columns
        rounds differently for one row and for several)."""
        per_arm = (self.qvel[:, self.arm_qvel] ** 2).reshape(len(self.qvel), len(names.ARMS), -1)
        return per_arm[:, 0].sum(axis=1) + per_arm[:, 1].sum(axis=1)

    # -- interface -----------------------------------------------------------------------
    def observe(self) -> np.ndarray:
        tips, crate_x, goal_x = self.tips(), self.crate_x(), self.goal_x()
        n = len(crate_x)
        return np.concatenate(
            [
                self.qpos[:, self.arm_qpos],
                self.qvel[:, self.arm_qvel],
                tips.reshape(n, -1),
                (self.push_points() - tips).reshape(n, -1),
                np.stack([crate_x, self.qvel[:, self.crate_qvel]], axis=1),
                np.stack([goal_x, goal_x - crate_x], axis=1),
            ],
            axis=1,
        )

    def reward_terms(self, ctrl: np.ndarray) -> dict[str, np.ndarray]:
        reach = np.linalg.norm(self.push_points() - self.tips(), axis=2).sum(axis=1)
        return {
            "tips_to_crate": -reach,
            "crate_to_goal": -self.crate_to_goal(),
            "joint_velocity": -self.joint_speed_squared(),
            "at_goal": self.success().astype(float),
        }

    def success(self) -> np.ndarray:
        return self.crate_to_goal() < self.success_distance

    def joint_observations(self, model: mujoco.MjModel) -> dict[str, list[str]]:
        """Joint blocks by joint; a tip's entries belong to its arm's wrist (the chain's end)."""
        wrists = [f"{arm}_wrist" for arm in names.ARMS for _ in range(3)]
        return {
            "joint_pos": list(JOINTS),
            "joint_vel": list(JOINTS),
            "tip_pos": wrists,
            "tip_to_push_point": wrists,
        }
