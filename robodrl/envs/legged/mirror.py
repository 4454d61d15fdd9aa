"""Left-right mirror images of a quadruped's observations and actions.

A quadruped is (nearly) symmetric about its sagittal (x-z) plane, so the right answer to a
mirrored situation is the mirrored answer. Algorithms use these maps to teach a policy that
symmetry (walking left as well as right). The maps come from the model itself, for any robot:

- legs: each foot's chain of joints up to the base; front left ↔ front right, back left ↔ back
  right, joint for joint in chain order;
- joint signs: a joint angle is a rotation about the joint's axis, an axial vector, which a
  reflection R = diag(1, -1, 1) turns into -R·axis: the mirrored angle is
  -(R·axis_left · axis_right) times the angle (abduction joints flip, hip and knee do not);
- base quantities: lateral velocity, roll and yaw rates, the lateral gravity component and the
  lateral and yaw commands change sign; the trot clock moves half a cycle (its diagonal pairs
  swap), which negates its sin and cos.
"""

from __future__ import annotations

import mujoco
import numpy as np

from robodrl.envs.legged.robot import LEGS
from robodrl.errors import ConfigError

REFLECTION = np.diag([1.0, -1.0, 1.0])
#: sign of each component of the base's vector observations under the mirror
BASE_SIGNS = {
    "command": (1.0, -1.0, -1.0),  # vx, vy, yaw rate
    "base_linear_velocity": (1.0, -1.0, 1.0),
    "gyro": (-1.0, 1.0, -1.0),  # roll, pitch, yaw rates (axial)
    "gravity": (1.0, -1.0, 1.0),
    "gait_phase": (-1.0, -1.0),  # half a cycle later: sin and cos change sign
}
PAIRS = {"front_left": "front_right", "back_left": "back_right"}


def leg_chains(model: mujoco.MjModel, foot_geoms: list[str], joint_names: list[str]) -> dict:
    """Each leg's joints (indices into ``joint_names``), base first."""
    index = {name: i for i, name in enumerate(joint_names)}
    chains = {}
    for leg, geom in zip(LEGS, foot_geoms, strict=True):
        body, chain = int(model.geom(geom).bodyid[0]), []
        while body > 0:
            start, count = model.body_jntadr[body], model.body_jntnum[body]
            names = [model.joint(j).name for j in range(start, start + count) if start >= 0]
            chain = [index[n] for n in names if n in index] + chain
            body = int(model.body_parentid[body])
        chains[leg] = chain
    return chains


def joint_mirror(model: mujoco.MjModel, foot_geoms: list[str], joint_names: list[str]):
    """``(source, sign)``: the mirrored joint vector is ``sign * q[source]``."""
    data = mujoco.MjData(model)
    mujoco.mj_forward(model, data)
    chains = leg_chains(model, foot_geoms, joint_names)
    source = np.arange(len(joint_names))
    sign = np.ones(len(joint_names))
    for left, right in PAIRS.items():
        if len(chains[left]) != len(chains[right]):
            raise ConfigError(
                f"the {left} and {right} legs have {len(chains[left])} and "
                f"{len(chains[right])} joints; mirroring needs symmetric legs"
            )
        for a, b in zip(chains[left], chains[right], strict=True):
            axis_a = data.xaxis[model.joint(joint_names[a]).id]
            axis_b = data.xaxis[model.joint(joint_names[b]).id]
            flip = -float(np.dot(REFLECTION @ axis_a, axis_b))
            source[a], source[b] = b, a
            sign[a] = sign[b] = np.sign(flip) or 1.0
    return source, sign


def mirror_maps(
    model: mujoco.MjModel,
    foot_geoms: list[str],
    joint_names: list[str],
    obs_layout: dict[str, slice],
    obs_dim: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Matrices ``(M_obs, M_act)``: ``obs @ M_obs.T`` and ``action @ M_act.T`` are the mirror
    images of observations and actions."""
    source, sign = joint_mirror(model, foot_geoms, joint_names)
    n = len(joint_names)
    joints = np.zeros((n, n))
    joints[np.arange(n), source] = sign
    m_obs = np.zeros((obs_dim, obs_dim))
    for name, part in obs_layout.items():
        if name in BASE_SIGNS:
            m_obs[part, part] = np.diag(BASE_SIGNS[name])
        else:  # joint_pos, joint_vel, last_action: one entry per joint
            m_obs[part, part] = joints
    return m_obs, joints
