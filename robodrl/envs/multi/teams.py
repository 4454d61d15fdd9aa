"""The teams robodrl ships: how each robot's actuators are split among agents.

Each function takes the robot's single-agent task and the team's own arguments (keyword-only,
with defaults; ``robodrl.make_parallel`` passes them by name) and returns the team.
"""

from __future__ import annotations

from robodrl.envs.arm import names as arm
from robodrl.envs.arm.two_arm import arm_names
from robodrl.envs.cheetah import names as cheetah
from robodrl.envs.multi.team import MultiAgentTask
from robodrl.envs.quadruped import names as quadruped
from robodrl.envs.task import Task
from robodrl.errors import TaskArgumentError


def cheetah_legs(task: Task, *, neighbourhood: int = 1) -> MultiAgentTask:
    """The 2x3 split: the back leg (hip, knee, ankle) and the front leg; both observe the root
    joints, and with ``neighbourhood`` >= 2 the other leg's hip."""
    back = [j for j in cheetah.LEG_JOINTS if j.startswith("back_")]
    front = [j for j in cheetah.LEG_JOINTS if j.startswith("front_")]
    return MultiAgentTask(
        task,
        {"back_leg": back, "front_leg": front},
        shared_joints=cheetah.ROOT_JOINTS,
        neighbourhood=neighbourhood,
    )


def quadruped_legs(task: Task, *, agents: int = 4, neighbourhood: int = 1) -> MultiAgentTask:
    """``agents`` = 4: one agent per leg (``front_left`` ... ``back_right``, three actuators
    each); 2: the ``front`` and ``back`` leg pairs (six each). Every agent observes the base
    sensors and the command; with ``neighbourhood`` >= 2 also the other legs' hip abduction."""
    legs = {
        leg: [j for j in quadruped.LEG_JOINTS if j.startswith(f"{leg}_")] for leg in quadruped.LEGS
    }
    if agents == 4:
        split = legs
    elif agents == 2:
        split = {
            pair: [j for leg in quadruped.LEGS if leg.startswith(pair) for j in legs[leg]]
            for pair in ("front", "back")
        }
    else:
        raise TaskArgumentError(
            f"team argument agents={agents!r} is not valid; use 2 (front / back) or 4 (legs)"
        )
    return MultiAgentTask(task, split, neighbourhood=neighbourhood)


def legged_legs(task: Task, *, neighbourhood: int = 0) -> MultiAgentTask:
    """The user's quadruped (``robodrl/Legged-v1``) as one agent per leg (``front_left`` ...
    ``back_right``), each driving the joints between the base and its foot. Every agent
    observes the base sensors, the command and the gait clock, and its own joints' angles,
    speeds and last actions (with ``neighbourhood`` >= 1 also the joints next to them)."""
    return MultiAgentTask(task, task.leg_actuators(), neighbourhood=neighbourhood)


def two_arms(task: Task, *, neighbourhood: int = 0) -> MultiAgentTask:
    """One agent per arm (``left_arm``, ``right_arm``, four actuators each). Each observes its
    own joints, its own tip and push point, and the crate and the goal; not the other arm."""
    return MultiAgentTask(
        task,
        {f"{side}_arm": arm_names(side) for side in arm.ARMS},
        neighbourhood=neighbourhood,
    )
