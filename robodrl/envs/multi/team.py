"""A team: one robot's actuators split among named agents, and what each agent observes.

A :class:`MultiAgentTask` is a single-agent task (the robot, its reward, its resets) plus a
partition of its actuators among agents. Each agent observes:

- the entries of the task's per-joint observation blocks (:meth:`Task.joint_observations`)
  that belong to its own joints (the joints its actuators drive) and to the joints within
  ``neighbourhood`` hops of them in the kinematic tree;
- the entries of the ``shared_joints`` (e.g. a planar robot's root joints) in those blocks;
- every block that is not per joint (base sensors, the command), whole.

The team's global ``state()`` (for centralized critics) is the single-agent observation.
Every agent receives the team reward (the task's reward); the task's weighted reward terms are
reported in ``info`` as for single-agent tasks.
"""

from __future__ import annotations

from dataclasses import dataclass

import mujoco
import numpy as np

from robodrl.envs.task import Task
from robodrl.errors import TaskArgumentError


@dataclass(frozen=True)
class AgentLayout:
    """One agent: its actuators (indices into the robot's), its joints, and its observation
    (indices into the single-agent observation, with a name → slice layout)."""

    name: str
    actuators: np.ndarray
    actuator_names: tuple[str, ...]
    joints: tuple[str, ...]
    obs_index: np.ndarray
    obs_layout: dict[str, slice]

    @property
    def obs_dim(self) -> int:
        return int(self.obs_index.size)

    @property
    def action_dim(self) -> int:
        return int(self.actuators.size)


class MultiAgentTask:
    """A single-agent ``task`` whose actuators are split among ``agents`` (name → actuator
    names, together every actuator exactly once)."""

    def __init__(
        self,
        task: Task,
        agents: dict[str, list[str]],
        *,
        shared_joints: tuple[str, ...] = (),
        neighbourhood: int = 0,
    ) -> None:
        if (
            not isinstance(neighbourhood, int)
            or isinstance(neighbourhood, bool)
            or neighbourhood < 0
        ):
            raise TaskArgumentError(
                f"team argument neighbourhood={neighbourhood!r} must be an int >= 0 "
                "(0: own joints only, 1: also the joints next to them, ...)"
            )
        if not agents:
            raise TaskArgumentError("a team needs at least one agent")
        self.task = task
        self.agent_actuators = {name: list(actuators) for name, actuators in agents.items()}
        self.shared_joints = tuple(shared_joints)
        self.neighbourhood = neighbourhood
        self.layouts: dict[str, AgentLayout] = {}

    @property
    def agents(self) -> list[str]:
        return list(self.agent_actuators)

    def bind(self, model: mujoco.MjModel) -> None:
        """Resolve names against the compiled model: actuator partition and observations."""
        actuator_ids = _partition(model, self.agent_actuators)
        joint_names = [model.joint(j).name for j in range(model.njnt)]
        unknown = sorted(set(self.shared_joints) - set(joint_names))
        if unknown:
            raise TaskArgumentError(
                f"shared joints {unknown} are not joints of the robot: {joint_names}"
            )
        per_joint = self.task.joint_observations(model)
        for name, ids in actuator_ids.items():
            own = [joint_names[model.actuator_trnid[a, 0]] for a in ids]
            seen = set(_neighbours(model, own, self.neighbourhood)) | set(self.shared_joints)
            index, layout = _observation(self.task, per_joint, seen)
            self.layouts[name] = AgentLayout(
                name=name,
                actuators=np.asarray(ids, dtype=np.int64),
                actuator_names=tuple(model.actuator(a).name for a in ids),
                joints=tuple(own),
                obs_index=index,
                obs_layout=layout,
            )


def _partition(model: mujoco.MjModel, agents: dict[str, list[str]]) -> dict[str, list[int]]:
    """Actuator ids per agent; every actuator must belong to exactly one agent."""
    valid = [model.actuator(i).name for i in range(model.nu)]
    owner: dict[str, str] = {}
    ids: dict[str, list[int]] = {}
    for agent, actuators in agents.items():
        if not actuators:
            raise TaskArgumentError(f"agent {agent!r} has no actuators; the robot's: {valid}")
        for actuator in actuators:
            if actuator not in valid:
                raise TaskArgumentError(
                    f"agent {agent!r}: {actuator!r} is not an actuator of the robot; "
                    f"valid actuators: {valid}"
                )
            if actuator in owner:
                raise TaskArgumentError(
                    f"actuator {actuator!r} belongs to agents {owner[actuator]!r} and {agent!r}; "
                    "each actuator belongs to exactly one agent"
                )
            owner[actuator] = agent
        ids[agent] = [valid.index(a) for a in actuators]
    missing = [a for a in valid if a not in owner]
    if missing:
        raise TaskArgumentError(f"actuators {missing} belong to no agent; agents: {list(agents)}")
    return ids


def _neighbours(model: mujoco.MjModel, joints: list[str], hops: int) -> list[str]:
    """``joints`` and the joints within ``hops`` steps of them, two joints being one step
    apart when one's body is the other's body or its parent."""
    body = {model.joint(j).name: int(model.jnt_bodyid[j]) for j in range(model.njnt)}
    found = list(joints)
    frontier = set(joints)
    for _ in range(hops):
        bodies = {body[j] for j in frontier}
        near = bodies | {int(model.body_parentid[b]) for b in bodies}
        near |= {b for b in range(model.nbody) if int(model.body_parentid[b]) in bodies}
        frontier = {j for j, b in body.items() if b in near and j not in found}
        found += sorted(frontier, key=list(body).index)
    return found


def _observation(
    task: Task, per_joint: dict[str, list[str]], seen: set[str]
) -> tuple[np.ndarray, dict[str, slice]]:
    """The single-agent observation entries an agent sees, and their layout."""
    index: list[int] = []
    layout: dict[str, slice] = {}
    for block, where in task.obs_layout.items():
        entries = range(where.start, where.stop)
        if block in per_joint:
            owners = per_joint[block]
            entries = [e for e, joint in zip(entries, owners, strict=True) if joint in seen]
        if entries:
            layout[block] = slice(len(index), len(index) + len(entries))
            index.extend(entries)
    return np.asarray(index, dtype=np.int64), layout
