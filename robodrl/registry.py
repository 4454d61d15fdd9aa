"""Environment ids → tasks: ``robodrl/<Task>-v0`` names each; unknown ids list the valid ones."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import math
import numbers
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from robodrl.errors import TaskArgumentError, UnknownEnvError, suggest
from robodrl.registries import Registry

if TYPE_CHECKING:
    from robodrl.envs.task import Task

NAMESPACE = "robodrl"


@dataclass(frozen=True)
class EnvSpec:
    """A registered task: its id, where its class lives, a one-line description, the task
    arguments this version changes from the class's defaults, and where its presets are."""

    id: str
    task_path: str  # "module:Class", imported on first use
    description: str
    defaults: tuple[tuple[str, object], ...] = ()
    #: the presets folder (randomization, perturbations, sweeps/, adversaries/), relative to
    #: the folder of the task's module
    presets: str = "presets"

    def task_class(self) -> type[Task]:
        """Import and return the task class."""
        module, name = self.task_path.split(":")
        return getattr(importlib.import_module(module), name)

    def presets_folder(self) -> Path:
        """The task's presets folder, beside its code (found without importing the task)."""
        module = self.task_path.split(":")[0]
        found = importlib.util.find_spec(module)
        if found is None or found.origin is None:
            raise UnknownEnvError(f"{self.id}: its task module {module} cannot be found")
        return Path(found.origin).parent / self.presets


#: env id → its spec (ids resolve through :func:`get_spec`, which also takes short forms)
_SPECS: Registry[EnvSpec] = Registry("env id", error=UnknownEnvError)


def register(
    *,
    name: str,
    task_path: str,
    description: str,
    version: int = 0,
    defaults: dict[str, object] | None = None,
    presets: str = "presets",
) -> EnvSpec:
    """Register a task as ``robodrl/<name>-v<version>`` (:func:`unregister` takes it back);
    ``defaults`` are the task arguments
    this version sets differently from the task class (a new version keeps old runs exact);
    ``presets``: its presets folder, relative to the task module's folder."""
    spec = EnvSpec(
        f"{NAMESPACE}/{name}-v{version}",
        task_path,
        description,
        tuple((defaults or {}).items()),
        presets,
    )
    _SPECS.add(spec.id, spec)
    return spec


def unregister(env_id: str) -> None:
    """Take a registration back (a task registered for a while, as the tests do)."""
    _SPECS.remove(env_id)


def _short_name(env_id: str) -> str:
    """``robodrl/ArmPush-v1`` → ``ArmPush``."""
    return env_id.split("/")[-1].rsplit("-v", 1)[0]


def env_ids() -> list[str]:
    """Every registered id, in registration order."""
    return _SPECS.names()


def get_spec(env_id: str) -> EnvSpec:
    """The spec of ``env_id``; ``Pendulum-v0`` and ``Pendulum`` (the latest version) are
    accepted as short forms."""
    if not isinstance(env_id, str):
        raise UnknownEnvError(f"env id must be a string, got {env_id!r}; valid ids: {env_ids()}")
    for candidate in (env_id, f"{NAMESPACE}/{env_id}"):
        if candidate in _SPECS:
            return _SPECS.get(candidate)
    versions = [spec for spec in _SPECS.values() if _short_name(spec.id) == env_id]
    if versions:
        return versions[-1]
    short = {_short_name(spec.id): spec.id for spec in _SPECS.values()}
    name = _short_name(env_id)
    close = suggest(name, list(short))
    hint = f" (did you mean {short[close.split(chr(39))[1]]!r}?)" if close else ""
    raise UnknownEnvError(f"unknown env id {env_id!r}{hint}; valid ids: {', '.join(env_ids())}")


def task_arguments(env_id: str) -> dict[str, object]:
    """The task arguments of ``env_id`` with their defaults (the version's own included)."""
    spec = get_spec(env_id)
    from robodrl.envs.task import Task

    task_class = spec.task_class()
    arguments: dict[str, object] = {}
    for cls in task_class.__mro__:  # a task passing **arguments on takes its parents' too
        if cls is Task or cls is object or "__init__" not in cls.__dict__:
            continue
        parameters = inspect.signature(cls.__init__).parameters.values()
        for param in parameters:
            if param.kind is inspect.Parameter.KEYWORD_ONLY:
                arguments.setdefault(param.name, param.default)
        if not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
            break
    weights = task_class.weight_arguments()  # the reward terms' weights, declared once
    return {**weights, **arguments, **dict(spec.defaults)}


def make_task(env_id: str, **task_kwargs: object) -> Task:
    """Build the task of ``env_id``; unknown arguments are rejected with the valid names."""
    spec = get_spec(env_id)
    check_task_arguments(spec.id, task_kwargs)
    return spec.task_class()(**{**dict(spec.defaults), **task_kwargs})


def check_task_arguments(env_id: str, task_kwargs: dict[str, object]) -> None:
    """Raise ``TaskArgumentError`` for an argument the task does not take or cannot use."""
    spec = get_spec(env_id)
    valid = task_arguments(spec.id)
    for name in task_kwargs:
        if name not in valid:
            raise TaskArgumentError(
                f"{spec.id} has no task argument {name!r}{suggest(name, list(valid))}; "
                f"valid arguments: {', '.join(valid)}"
            )
    for name, value in task_kwargs.items():
        _check_argument_type(spec.id, name, value, valid[name])


def _is_number(value: object) -> bool:
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    return ok and math.isfinite(value)  # type: ignore[arg-type]


def _check_argument_type(env_id: str, name: str, value: object, default: object) -> None:
    """A task argument must have its default's kind: a number, a flag, text or a range."""
    if isinstance(default, bool):
        ok, kind = isinstance(value, bool), "true or false"
    elif isinstance(default, int):
        ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
        kind = "an integer"
    elif isinstance(default, float):
        ok, kind = _is_number(value), "a finite number"
    elif isinstance(default, str):
        ok, kind = isinstance(value, str), "text"
    elif isinstance(default, tuple) and all(_is_number(v) for v in default):
        is_sequence = hasattr(value, "__len__") and not isinstance(value, str | bytes | dict)
        ok = is_sequence and len(value) == len(default)  # type: ignore[arg-type]
        ok = ok and all(_is_number(v) for v in value)  # type: ignore[union-attr]
        kind = f"{len(default)} finite numbers"
    else:
        return
    if not ok:
        raise TaskArgumentError(
            f"{env_id}: task argument {name} must be {kind} (default {default!r}), got {value!r}"
        )


register(
    name="Pendulum",
    task_path="robodrl.envs.pendulum.task:PendulumTask",
    description="torque-limited swing-up and balance",
)
register(
    name="Cheetah",
    task_path="robodrl.envs.cheetah.task:CheetahTask",
    description="planar runner, 6 motors, forward speed",
)
register(
    name="Hopper",
    task_path="robodrl.envs.hopper.task:HopperTask",
    description="planar one-legged hopper, healthy-state termination",
)
register(
    name="Quadruped",
    task_path="robodrl.envs.quadruped.task:QuadrupedTask",
    description="3D quadruped, PD joints, velocity-command tracking",
)
register(
    name="ArmReach",
    task_path="robodrl.envs.arm.reach:ArmReachTask",
    description="4-joint arm, reach a random target",
    presets="presets/reach",
)
register(
    name="ArmPush",
    task_path="robodrl.envs.arm.push:ArmPushTask",
    description="4-joint arm, push a block to a goal on a table",
    presets="presets/push",
)
register(
    name="ArmPush",
    version=1,
    task_path="robodrl.envs.arm.push:ArmPushTask",
    description="ArmPush-v0, but pushing the block off the table costs 400",
    defaults={"block_fell_weight": 400.0},
    presets="presets/push",
)
register(
    name="ArmPush",
    version=2,
    task_path="robodrl.envs.arm.push:ArmPushTask",
    description="ArmPush-v1, but the tip is drawn to the block's far side and success pays",
    defaults={
        "block_fell_weight": 400.0,
        "tip_to_block_weight": 0.0,
        "tip_to_push_point_weight": 1.0,
        "block_to_goal_weight": 3.0,
        "success_weight": 1.0,
    },
    presets="presets/push",
)
register(
    name="BimanualPush",
    task_path="robodrl.envs.arm.two_arm:TwoArmPushTask",
    description="two arms, one policy, push a crate along a rail to a goal neither reaches alone",
    presets="presets/bimanual_push",
)
register(
    name="ManipulatorReach",
    task_path="robodrl.envs.manipulator.reach:ManipulatorReachTask",
    description="any arm MJCF from an arm description, reach a target (end effector or joints)",
    presets="presets/reach",
)
register(
    name="ManipulatorPush",
    task_path="robodrl.envs.manipulator.push:ManipulatorPushTask",
    description="any arm MJCF from an arm description, push a block to a goal on the table",
    presets="presets/push",
)
register(
    name="ManipulatorPickPlace",
    task_path="robodrl.envs.manipulator.pick:ManipulatorPickPlaceTask",
    description="any arm MJCF with a gripper, pick a block up and place it at a goal in the air",
    presets="presets/pick_place",
)
register(
    name="Legged",
    task_path="robodrl.envs.legged.task:LeggedTask",
    description="any quadruped MJCF from a robot description, velocity commands, trot clock",
)
register(
    name="Legged",
    version=1,
    task_path="robodrl.envs.legged.task:LeggedTask",
    description="Legged-v0 with commands and costs scaled to the robot (Froude, torque limits)",
    defaults={"scale_with_robot": True},
)
register(
    name="Legged",
    version=2,
    task_path="robodrl.envs.legged.task:LeggedTask",
    description="Legged-v1 with the trot clock of a robot shorter than robodrl's quadruped "
    "scaled to it (Froude)",
    defaults={"scale_with_robot": True, "scale_gait_with_robot": True},
)
