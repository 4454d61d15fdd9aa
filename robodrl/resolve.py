"""A training config resolved against everything it names, once.

:mod:`robodrl.config` is the config's structure (types, ranges, known keys). :func:`resolve`
checks what the config names against the registries, presets, robot descriptions, datasets and
experts, and returns a :class:`ResolvedRun`: the env id made canonical, the robot's task and a
team's split of it, the algorithm entry, the adversary. Every error still names the dotted
field. :func:`load_config` and :func:`validate_config` are structure and resolution together:
what the command line, runs and tests load.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from robodrl.algorithms.registry import Algorithm, algorithm_names, get_algorithm
from robodrl.config import SCRIPTED, TrainConfig, apply_overrides, check_value, parse_config
from robodrl.envs.multi.registry import TeamSpec, find_team, robot_of, team_ids
from robodrl.envs.task import Task
from robodrl.errors import ConfigError, RobodrlError, format_validation_error
from robodrl.files.yamlio import load_yaml_file
from robodrl.lookup import RECIPES, find_config
from robodrl.registry import check_task_arguments, get_spec, make_task, task_arguments
from robodrl.robustness.adversary import AdversarySpec, load_adversary
from robodrl.robustness.curriculum import check_growable
from robodrl.robustness.loading import load_curriculum, load_section
from robodrl.robustness.spec import PerturbationSpec, RandomizationSpec, RobustnessSpec


@dataclass(frozen=True)
class ResolvedRun:
    """A config and what it names, resolved."""

    #: the config, its env id made canonical (``Pendulum`` → ``robodrl/Pendulum-v0``)
    config: TrainConfig
    #: the single-agent task of the robot (the id itself unless it names a team)
    robot_id: str
    robot_task: dict[str, Any]
    #: the team of a multi-agent id, else None
    team: TeamSpec | None
    algorithm: Algorithm
    #: the learned adversary of an adversarial algorithm, else None
    adversary: AdversarySpec | None


def resolve(config: TrainConfig, *, source: str = "config") -> ResolvedRun:
    """Check what ``config`` names; a ``ConfigError`` names ``source`` and the dotted field."""
    try:
        return _resolved(config)
    except ValueError as err:  # ConfigError included: each message starts with its field
        raise ConfigError(f"{source}: {err}") from None


def _resolved(config: TrainConfig) -> ResolvedRun:
    env = config.env.model_copy(update={"id": _canonical_id(config.env.id)})
    config = config.model_copy(update={"env": env})
    team = find_team(env.id)
    _check_task(env.id, env.task, team.env_id if team else env.id, team)
    robot_id, robot_task, team = robot_of(env.id, env.task)
    _check_robustness(config, robot_id)
    algorithm = _check_algorithm(config)
    _check_multi_agent(config)
    _check_imitation_sources(config)
    adversary = _check_adversary(config, algorithm, robot_id)
    algorithm.check_config(config)
    return ResolvedRun(config, robot_id, robot_task, team, algorithm, adversary)


def _canonical_id(env_id: str) -> str:
    team = find_team(env_id)
    if team is not None:
        return team.id
    try:
        return get_spec(env_id).id
    except RobodrlError as err:
        raise ValueError(f"env.id: {err}; multi-agent ids: {', '.join(team_ids())}") from None


def _check_task(env_id: str, task: dict, robot_id: str, team: TeamSpec | None) -> None:
    """Every task argument is one of the task's (or the team's) and fits it."""
    robot_arguments = task_arguments(robot_id)
    valid = {**robot_arguments, **(team.team_arguments() if team else {})}
    for name, value in task.items():
        if name not in valid:
            raise ValueError(
                f"env.task.{name}: not an argument of {env_id}; valid arguments: {', '.join(valid)}"
            )
        try:
            if name in robot_arguments:
                check_task_arguments(robot_id, {name: value})
        except RobodrlError as err:
            raise ValueError(f"env.task.{name}: {err}") from None
    if team is not None:
        team_task, robot_task = team.split_arguments(task)
        try:
            team.build(make_task(robot_id, **robot_task), **team_task)
        except RobodrlError as err:
            raise ValueError(f"env.task: {err}") from None


def _check_robustness(config: TrainConfig, robot_id: str) -> None:
    """The randomization and perturbation sections: inline, a YAML path or a preset name."""
    loaded: dict[str, RandomizationSpec | PerturbationSpec | None] = {}
    for section in ("randomization", "perturbations"):
        source = getattr(config.env, section)
        loaded[section] = None
        if isinstance(source, dict) and "preset" in source:  # a preset with fields replaced
            try:
                loaded[section] = load_section(source, robot_id, section)
            except RobodrlError as err:
                raise ValueError(f"env.{err}") from None
        elif isinstance(source, dict):  # inline: the section itself
            try:
                spec = RobustnessSpec.model_validate({section: source})
            except ValidationError as err:
                raise ValueError(format_validation_error(err, prefix="env")) from None
            loaded[section] = getattr(spec, section)
        elif source is not None:
            try:
                loaded[section] = load_section(source, robot_id, section)
            except RobodrlError as err:
                raise ValueError(f"env.{section}: {err}") from None
    if config.env.curriculum is not None:
        _check_curriculum(config, loaded["randomization"], loaded["perturbations"])


def _check_curriculum(
    config: TrainConfig,
    randomization: RandomizationSpec | None,
    perturbations: PerturbationSpec | None,
) -> None:
    """Each range the curriculum grows is there to grow (the sections as checked above)."""
    try:
        check_growable(load_curriculum(config.env.curriculum), randomization, perturbations)
    except RobodrlError as err:
        raise ValueError(str(err)) from None


def _check_algorithm(config: TrainConfig) -> Algorithm:
    """A registered algorithm, its hyperparameters' names, values and rules, and the policy
    and normalization settings it can use."""
    name, hyperparameters = config.algorithm.name, config.algorithm.hyperparameters
    try:
        algorithm = get_algorithm(name)
    except RobodrlError as err:
        raise ValueError(f"algorithm.name: {err}") from None
    try:
        Algorithm.check_hyperparameters(algorithm, hyperparameters)  # names first
        for key, value in hyperparameters.items():
            check_value(f"hyperparameters.{key}", value)
        algorithm.check_hyperparameters(hyperparameters)  # then the algorithm's own rules
    except ValueError as err:
        raise ValueError(f"algorithm.{err}") from None
    capabilities = algorithm.capabilities
    if config.policy.log_std_init is not None and not capabilities.state_independent_log_std:
        having = [n for n in algorithm_names() if _can(n, "state_independent_log_std")]
        raise ValueError(
            f"policy.log_std_init: only algorithms with a state-independent log std "
            f"({', '.join(having)}) take it; {name} learns it"
        )
    if config.normalize.rewards and not capabilities.reward_scaling:
        having = [n for n in algorithm_names() if _can(n, "reward_scaling")]
        raise ValueError(
            f"normalize.rewards: only {', '.join(having)} scale rewards; "
            f"{name} learns from the task's rewards (set it to false)"
        )
    return algorithm


def _can(name: str, capability: str) -> bool:
    return getattr(get_algorithm(name).capabilities, capability)


def _check_adversary(
    config: TrainConfig, algorithm: Algorithm, robot_id: str
) -> AdversarySpec | None:
    if config.adversary is None:
        return None
    if not algorithm.capabilities.adversarial:
        raise ValueError(
            f"adversary: only adversarial algorithms (rarl) train against an adversary; "
            f"{config.algorithm.name} does not"
        )
    try:
        return load_adversary(config.adversary, robot_id)
    except RobodrlError as err:
        raise ValueError(
            str(err) if str(err).startswith("adversary") else f"adversary: {err}"
        ) from None


def _check_multi_agent(config: TrainConfig) -> None:
    """Multi-agent ids go with multi-agent algorithms, single-agent ids with the others."""
    multi = [n for n in algorithm_names() if get_algorithm(n).capabilities.multi_agent]
    name = config.algorithm.name
    team = find_team(config.env.id)
    if team is not None and name not in multi:
        raise ValueError(
            f"env.id: {config.env.id} is a multi-agent task; train it with a multi-agent "
            f"algorithm ({', '.join(multi)}), or train the whole robot as {team.env_id}"
        )
    if team is None and name in multi:
        raise ValueError(
            f"env.id: {name} trains a team of agents; {config.env.id} is a single-agent task "
            f"(multi-agent ids: {', '.join(team_ids())})"
        )


def _check_imitation_sources(config: TrainConfig) -> None:
    """``demos`` where the algorithm learns from demonstrations, ``expert`` where it asks one,
    neither elsewhere; both must exist."""
    name = config.algorithm.name
    capabilities = get_algorithm(name).capabilities
    if capabilities.needs_demonstrations and config.demos is None:
        raise ValueError(
            f"demos: {name} learns from demonstrations; give demos: DATASET (a folder "
            "`robodrl demos record POLICY --episodes N --out DATASET` wrote)"
        )
    if config.demos is not None and not (
        capabilities.needs_demonstrations or capabilities.takes_demonstrations
    ):
        raise ValueError(f"demos: {name} does not learn from demonstrations")
    if capabilities.needs_expert and config.expert is None:
        raise ValueError(
            f"expert: {name} asks an expert for labels; give expert: a run directory, an "
            "exported .onnx policy or a planner config of the same task"
        )
    if config.expert is not None and not capabilities.needs_expert:
        askers = [n for n in algorithm_names() if get_algorithm(n).capabilities.needs_expert]
        raise ValueError(f"expert: only {', '.join(askers)} ask an expert; {name} does not")
    if config.expert == SCRIPTED:
        _check_scripted_expert(config)
    for field, path in (("demos", config.demos), ("expert", config.expert)):
        if path is not None and path != SCRIPTED and not Path(path).exists():
            raise ValueError(f"{field}: {path} does not exist")


def _check_scripted_expert(config: TrainConfig) -> None:
    """``expert: scripted`` needs a task with a scripted controller."""
    robot_id, _, _ = robot_of(config.env.id, config.env.task)
    if get_spec(robot_id).task_class().scripted_expert is Task.scripted_expert:
        raise ValueError(
            f"expert: scripted: {config.env.id} has no scripted controller; give expert: a run "
            "directory, an exported .onnx policy or a planner config"
        )


def validate_config(data: Any, *, source: str = "config") -> TrainConfig:
    """A config mapping, its structure checked and what it names resolved."""
    return resolve(parse_config(data, source=source), source=source).config


def load_config(path: str | Path, overrides: list[str] | None = None) -> TrainConfig:
    """Load, override and validate a YAML training config (a path or a recipe name)."""
    path = find_config(path)
    return config_from_document(load_yaml_file(path), path, overrides)


def config_from_document(data: Any, path: Path, overrides: list[str] | None = None) -> TrainConfig:
    """Override and validate a config document already read from ``path``."""
    if data is not None and not isinstance(data, dict):
        raise ConfigError(f"{path}: the config must be a mapping, got {type(data).__name__}")
    if isinstance(data, dict) and "planner" in data:
        name = path.stem if path.parent == RECIPES else path
        raise ConfigError(
            f"{name} is a planner, not a training config: it acts without training. Use it with "
            f"`robodrl eval {name} --sweep ...`, `robodrl render {name} --out FILE`, or as "
            f"dagger's `expert: {name}` to distill it into a policy"
        )
    data = apply_overrides(data or {}, overrides or [])
    return validate_config(data, source=str(path))
