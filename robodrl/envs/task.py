"""The vectorized task interface: physics measurements in, observations / rewards / resets out.

A task is written once over arrays of shape ``(num_envs, ...)``; the batched core
(:mod:`robodrl.envs.core`) owns the simulation and calls these methods. No per-simulation
Python loop runs on the step path; only the reset distribution draws per simulation, from
each simulation's own seeded generator, so that a batch equals single environments.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from importlib import resources
from typing import Any, ClassVar, NamedTuple, Protocol, runtime_checkable

import mujoco
import numpy as np
from mujoco import batch as mjbatch

from robodrl.errors import TaskArgumentError


class ResetNoise:
    """Per-simulation random draws for the reset distribution (one generator per simulation)."""

    def __init__(self, generators: list[np.random.Generator]) -> None:
        self.generators = generators

    def uniform(self, ids: np.ndarray, low, high, size: int) -> np.ndarray:
        """Draw U(low, high) of ``size`` values for each simulation: ``(len(ids), size)``."""
        out = np.empty((len(ids), size))
        for row, sim in enumerate(ids):
            out[row] = self.generators[sim].uniform(low, high, size)
        return out

    def normal(self, ids: np.ndarray, scale: float, size: int) -> np.ndarray:
        """Draw N(0, scale²) of ``size`` values for each simulation in ``ids``."""
        out = np.empty((len(ids), size))
        for row, sim in enumerate(ids):
            out[row] = self.generators[sim].normal(0.0, scale, size)
        return out


def _check_positive(**values: float) -> None:
    for name, value in values.items():
        if not np.isfinite(value) or value <= 0:
            raise TaskArgumentError(f"task argument {name}={value!r} must be a finite number > 0")


def _check_range(**ranges: tuple[float, float]) -> None:
    for name, value in ranges.items():
        low, high = value
        if not (np.isfinite(low) and np.isfinite(high) and low <= high):
            raise TaskArgumentError(
                f"task argument {name}={value!r} must be finite (low, high) with low <= high"
            )


def _check_non_negative(**values: float) -> None:
    for name, value in values.items():
        if not np.isfinite(value) or value < 0:
            raise TaskArgumentError(f"task argument {name}={value!r} must be a finite number >= 0")


def frame_skip_of(timestep: float, control_hz: float, physics: str = "the") -> int:
    """Physics steps per control step; the control rate must divide the physics rate."""
    _check_positive(control_hz=control_hz)
    frame_skip = round(1.0 / (control_hz * timestep))
    if frame_skip < 1 or abs(frame_skip * timestep * control_hz - 1.0) > 1e-6:
        raise TaskArgumentError(
            f"task argument control_hz={control_hz!r} must divide {physics} physics rate "
            f"({1 / timestep:g} Hz) evenly, e.g. 50 or 25"
        )
    return frame_skip


@runtime_checkable
class ScriptedController(Protocol):
    """What :meth:`Task.scripted_expert` gives: actions in [-1, 1] ``(num_envs, act_dim)`` for
    the raw observations ``(num_envs, obs_dim)`` of every simulation."""

    def act(self, obs: np.ndarray) -> np.ndarray: ...


class CommandSpace(NamedTuple):
    """A task's own action entries (:meth:`Task.command_space`): names, and the command each
    entry gives at action -1 and +1."""

    names: list[str]
    low: np.ndarray
    high: np.ndarray


class Task(ABC):
    """A robot task over a batch of simulations of one MJCF model.

    Subclasses set the class attributes, build ``obs_spec`` in ``__init__`` and implement
    the abstract methods. Reward terms are data: :meth:`reward_terms` returns each term
    unweighted, ``reward_weights`` holds their weights (the task's ``<term>_weight``
    arguments), and the core applies the weights and fills ``info["reward_<term>"]``; the
    reward is the sum of the weighted terms.
    """

    #: MJCF file name in the task package's ``assets/`` folder.
    xml_file: ClassVar[str]
    #: package holding ``assets/`` (the task's own package).
    assets_package: ClassVar[str]
    #: stage computed after each step: ``mjSTAGE_VEL`` when observations read sensors / sites.
    stage: ClassVar[int] = mujoco.mjtStage.mjSTAGE_NONE
    #: each reward term and its default weight, in order: declared once per task. Every term
    #: is also the task argument ``<term>_weight`` (:meth:`weight_arguments`), which the base
    #: class takes and checks.
    reward_defaults: ClassVar[dict[str, float]]
    #: a term whose weight argument is not called ``<term>_weight`` (a name users know from
    #: elsewhere, e.g. Gymnasium's ``healthy_reward``)
    weight_argument_names: ClassVar[dict[str, str]] = {}
    #: names of the reward terms, in order (from ``reward_defaults``).
    reward_names: ClassVar[tuple[str, ...]]
    #: whether the task defines a success signal (``info["is_success"]``).
    has_success: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "reward_defaults" in cls.__dict__:
            cls.reward_names = tuple(cls.reward_defaults)

    @classmethod
    def weight_arguments(cls) -> dict[str, float]:
        """The ``<term>_weight`` task arguments and their defaults, in the terms' order."""
        return {cls._weight_argument(term): w for term, w in cls.reward_defaults.items()}

    @classmethod
    def _weight_argument(cls, term: str) -> str:
        return cls.weight_argument_names.get(term, f"{term}_weight")

    def __init__(self, *, frame_skip: int, episode_seconds: float, **weights: float) -> None:
        """``weights``: ``<term>_weight`` arguments (a term left out keeps its default)."""
        if not isinstance(frame_skip, int | np.integer) or frame_skip < 1:
            raise TaskArgumentError(f"task argument frame_skip={frame_skip!r} must be an int >= 1")
        _check_positive(episode_seconds=episode_seconds)
        valid = self.weight_arguments()
        for name in weights:
            if name not in valid:
                raise TypeError(
                    f"{type(self).__name__}() got an unexpected keyword argument {name!r}"
                )
        reward_weights = {
            term: weights.get(self._weight_argument(term), default)
            for term, default in self.reward_defaults.items()
        }
        for term, weight in reward_weights.items():
            if not np.isfinite(weight) or weight < 0:
                raise TaskArgumentError(
                    f"the weight of reward term {term!r} is {weight!r}; it must be a finite "
                    "number >= 0 (the term's sign says whether it is a bonus or a cost)"
                )
        self.frame_skip = int(frame_skip)
        self.episode_seconds = float(episode_seconds)
        self.reward_weights = {term: float(w) for term, w in reward_weights.items()}
        self.obs_spec: list[tuple[str, int]] = []

    # -- model -----------------------------------------------------------------------------
    def load_model(self) -> mujoco.MjModel:
        """Compile the task's MJCF (from package resources) into a nominal model."""
        assets = resources.files(self.assets_package).joinpath("assets", self.xml_file)
        with resources.as_file(assets) as path:  # a real path, so <include> files resolve
            model = mujoco.MjModel.from_xml_path(str(path))
        return model

    # -- interface the core calls ----------------------------------------------------------
    @abstractmethod
    def bind(self, batch: mjbatch.Batch, model: mujoco.MjModel) -> None:
        """Bind the batch fields the task reads; called once, before any reset."""

    @abstractmethod
    def reset(self, ids: np.ndarray, noise: ResetNoise) -> None:
        """Write the initial state (qpos, qvel, mocap, commands) of simulations ``ids``."""

    def after_step(self, ctrl: np.ndarray, noise: ResetNoise) -> None:  # noqa: B027 (optional)
        """Advance the task's own clocks (commands, gait phase) after each physics step,
        before :meth:`observe`; ``ctrl`` is the control just applied, ``noise`` each
        simulation's generator (for draws during an episode)."""

    @abstractmethod
    def observe(self) -> np.ndarray:
        """Return observations ``(num_envs, obs_dim)``, float64, laid out as ``obs_spec``."""

    @abstractmethod
    def reward_terms(self, ctrl: np.ndarray) -> dict[str, np.ndarray]:
        """Return each reward term unweighted, ``(num_envs,)``, given the applied controls
        (costs negative, bonuses positive; the core multiplies by ``reward_weights``)."""

    def command_space(self, model: mujoco.MjModel) -> CommandSpace | None:
        """What the policy's actions command, when that is not one control per actuator (an end
        effector's motion, say): each entry's name and range; the core maps actions in [-1, 1]
        onto the ranges and hands the commands to :meth:`write_ctrl`. None (the default): one
        entry per actuator, mapped onto its ctrlrange."""
        return None

    def observation_contract(self) -> dict[str, dict[str, Any]]:
        """How each observation block comes from what a robot measures, for code that builds
        observations outside robodrl's envs (``robodrl.deploy``), written into exported files.
        Block name -> ``{"signal": NAME, "offset": [...]}`` (the signal, minus the offset;
        optionally ``"indices"`` of it, and ``"source": "operator"`` for a command the operator
        gives), ``{"kind": "difference", "signals": [A, B]}`` (A minus B),
        ``{"kind": "previous_action"}`` (the action the robot was last sent, in [-1, 1]) or
        ``{"kind": "clock", "hz": F}`` (sin and cos of a phase advancing F cycles a second).
        Empty: the task gives no contract (its policies are deployed through robodrl's env)."""
        return {}

    def action_size(self) -> int:
        """Entries of an action: one per command of :meth:`command_space`, or per actuator."""
        model = self.load_model()
        space = self.command_space(model)
        return model.nu if space is None else len(space.names)

    def command_metadata(self) -> dict[str, Any]:
        """What a robot needs to turn the commands of :meth:`command_space` into actuator
        commands (written into exported policies); empty for a task without a command space."""
        return {}

    def write_ctrl(self, command: np.ndarray, ctrl: np.ndarray) -> None:
        """Turn ``command`` ``(num_envs, entries)`` (laid out as :meth:`command_space`) into
        actuator controls, written into ``ctrl`` ``(num_envs, nu)``; only tasks with a
        command space implement it."""
        raise NotImplementedError(f"{type(self).__name__} has no command space")

    def terminated(self) -> np.ndarray | None:
        """Return a bool ``(num_envs,)`` of failed / finished episodes, or None if never."""
        return None

    def success(self) -> np.ndarray | None:
        """Return a bool ``(num_envs,)`` of simulations currently at their goal, if defined."""
        return None

    def privileged_observation(self) -> np.ndarray | None:
        """What a critic used only in training may see beside the observation, ``(num_envs,
        k)``: true quantities no robot's sensors give (a legged robot's base height and foot
        forces); None (the default): nothing more (see :mod:`robodrl.envs.privileged`)."""
        return None

    #: a task with a goal names its observation blocks for goal relabelling
    #: (:mod:`robodrl.envs.goal_env`): the achieved goal, the desired goal, and the blocks that
    #: depend on the desired goal; None: the task has no goal
    goal_blocks: ClassVar[tuple[str, str, tuple[str, ...]] | None] = None

    def scripted_expert(self, layout: dict[str, slice]) -> ScriptedController | None:
        """A hand-written controller that solves this task from the observations alone (the
        core's ``obs_layout`` names their blocks), for imitation (dagger's ``expert:
        scripted``); None: the task has none."""
        return None

    def joint_observations(self, model: mujoco.MjModel) -> dict[str, list[str]]:
        """Observation blocks whose entries each belong to one joint: block name → the joint
        of each entry (its position, its velocity, the contact of the foot it moves). A
        multi-agent team (:mod:`robodrl.envs.multi`) gives each agent the entries of its own
        joints; the other blocks are shared. Empty: nothing is per joint."""
        return {}

    def state_dict(self) -> dict[str, list]:
        """Task state beyond the physics (e.g. per-episode commands), as plain lists."""
        return {}

    def load_state_dict(self, state: dict[str, list]) -> None:
        """Restore :meth:`state_dict`."""
        if state:
            raise TaskArgumentError(f"{type(self).__name__} keeps no state; got {sorted(state)}")

    # -- derived ---------------------------------------------------------------------------
    @property
    def obs_dim(self) -> int:
        """Length of the observation vector."""
        return sum(size for _, size in self.obs_spec)

    @property
    def obs_layout(self) -> dict[str, slice]:
        """Observation layout: name → slice of the observation vector."""
        layout, start = {}, 0
        for name, size in self.obs_spec:
            layout[name] = slice(start, start + size)
            start += size
        return layout


class BuiltTask(Task):
    """A task that builds its model (and with it its observation layout) from its arguments
    on first use, in :meth:`load_model`, instead of reading a fixed MJCF."""

    @property
    def obs_dim(self) -> int:
        self.load_model()
        return super().obs_dim

    @property
    def obs_layout(self) -> dict[str, slice]:
        self.load_model()
        return super().obs_layout


@runtime_checkable
class MirroredTask(Protocol):
    """A task that can mirror itself left-right (an optional capability: the lean PPO's mirror
    loss needs it; :class:`~robodrl.envs.legged.task.LeggedTask` has it)."""

    def mirror_maps(self) -> tuple[np.ndarray, np.ndarray]:
        """Left-right mirror matrices of observations and actions."""
