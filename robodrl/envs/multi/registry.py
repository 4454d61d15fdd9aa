"""Team ids → (the robot's single-agent env id, the team split): ``robodrl/CheetahTeam-v0``."""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass
from typing import Any

from robodrl.envs.multi.team import MultiAgentTask
from robodrl.envs.task import Task
from robodrl.errors import TaskArgumentError, UnknownEnvError, suggest
from robodrl.registries import Registry
from robodrl.registry import NAMESPACE, task_arguments


@dataclass(frozen=True)
class TeamSpec:
    """A registered multi-agent task: its id, the single-agent env of its robot, the function
    splitting that robot among agents (``"module:function"``) and a one-line description."""

    id: str
    env_id: str
    team_path: str
    description: str

    def team_function(self):
        module, name = self.team_path.split(":")
        return getattr(importlib.import_module(module), name)

    def team_arguments(self) -> dict[str, Any]:
        """The team's own arguments with their defaults."""
        signature = inspect.signature(self.team_function())
        return {
            name: param.default
            for name, param in signature.parameters.items()
            if param.kind is inspect.Parameter.KEYWORD_ONLY
        }

    def split_arguments(self, kwargs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """(team arguments, task arguments) of ``kwargs``; an unknown name lists both kinds."""
        team_args, task_args = self.team_arguments(), task_arguments(self.env_id)
        for name in kwargs:
            if name not in team_args and name not in task_args:
                valid = [*team_args, *task_args]
                raise TaskArgumentError(
                    f"{self.id} has no argument {name!r}{suggest(name, valid)}; team arguments: "
                    f"{', '.join(team_args)}; task arguments: {', '.join(task_args)}"
                )
        team = {k: v for k, v in kwargs.items() if k in team_args}
        return team, {k: v for k, v in kwargs.items() if k not in team_args}

    def build(self, task: Task, **team_kwargs: Any) -> MultiAgentTask:
        return self.team_function()(task, **team_kwargs)


#: multi-agent id → its spec
_TEAMS: Registry[TeamSpec] = Registry("multi-agent id", error=UnknownEnvError)


def register_team(*, name: str, env_id: str, team_path: str, description: str) -> TeamSpec:
    """Register a team as ``robodrl/<name>-v0`` over the robot of ``env_id``."""
    spec = TeamSpec(f"{NAMESPACE}/{name}-v0", env_id, team_path, description)
    _TEAMS.add(spec.id, spec)
    return spec


def team_ids() -> list[str]:
    """Every registered multi-agent id."""
    return _TEAMS.names()


def find_team(team_id: object) -> TeamSpec | None:
    """The spec of ``team_id`` if it names a registered team, else None."""
    try:
        return get_team_spec(team_id)  # type: ignore[arg-type]
    except UnknownEnvError:
        return None


def robot_of(env_id: str, task: dict[str, Any]) -> tuple[str, dict[str, Any], TeamSpec | None]:
    """The robot's single-agent id and task arguments under ``env_id`` (a team's robot and its
    share of the arguments, or the id itself), and the team (None for a single-agent id)."""
    team = find_team(env_id)
    if team is None:
        return env_id, dict(task), None
    return team.env_id, team.split_arguments(task)[1], team


def get_team_spec(team_id: str) -> TeamSpec:
    """The spec of ``team_id`` (``CheetahTeam-v0`` and ``CheetahTeam`` are accepted)."""
    if isinstance(team_id, str):
        for candidate in (team_id, f"{NAMESPACE}/{team_id}", f"{NAMESPACE}/{team_id}-v0"):
            if candidate in _TEAMS:
                return _TEAMS.get(candidate)
    names = [i.split("/")[-1] for i in _TEAMS]
    hint = suggest(str(team_id).split("/")[-1], names)
    raise UnknownEnvError(
        f"unknown multi-agent id {team_id!r}{hint}; multi-agent ids: {', '.join(team_ids())}"
    )


register_team(
    name="CheetahTeam",
    env_id="robodrl/Cheetah-v0",
    team_path="robodrl.envs.multi.teams:cheetah_legs",
    description="the Cheetah as two agents, back leg and front leg (the 2x3 split)",
)
register_team(
    name="QuadrupedLegs",
    env_id="robodrl/Quadruped-v0",
    team_path="robodrl.envs.multi.teams:quadruped_legs",
    description="the Quadruped as 4 leg agents (or 2: front / back) tracking a velocity command",
)
register_team(
    name="LeggedLegs",
    env_id="robodrl/Legged-v1",
    team_path="robodrl.envs.multi.teams:legged_legs",
    description="the user's quadruped (Legged-v1) as 4 leg agents tracking a velocity command",
)
register_team(
    name="TwoArmPush",
    env_id="robodrl/BimanualPush-v0",
    team_path="robodrl.envs.multi.teams:two_arms",
    description="two arm agents push a crate to a goal neither arm can bring it to alone",
)
