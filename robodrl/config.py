"""Training configs: strict YAML → validated, resolved settings.

Top-level keys: ``env``, ``algorithm``, ``policy``, ``normalize``, ``total_steps``, ``seed``,
``eval``, ``checkpoint``, ``device``, ``adversary``. Unknown keys, wrong types, NaN / inf and
out-of-range values are errors naming the dotted field. ``--set a.b=value`` overrides go through
the same checks.
"""

from __future__ import annotations

import copy
import itertools
import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import Field, ValidationError, field_validator, model_validator

from robodrl.errors import ConfigError, format_validation_error
from robodrl.files.yamlio import load_yaml_text
from robodrl.lookup import find_planner
from robodrl.schema import PositiveInt, Strict

_FLOAT_TEXT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+$")

#: ``expert: scripted``: dagger asks the task's own scripted controller (a path named so is
#: written ``./scripted``)
SCRIPTED = "scripted"


#: a hidden layer's width
LayerWidth = Annotated[int, Field(ge=1, le=65536)]


class EnvConfig(Strict):
    """Which task, how many simulations, and its robustness presets."""

    id: str
    task: dict[str, Any] = Field(default_factory=dict)
    randomization: str | dict[str, Any] | None = None  # preset name, YAML path or the section
    perturbations: str | dict[str, Any] | None = None
    #: robustness ranges that grow over the first steps of training (the training env only;
    #: robodrl.robustness.spec.CurriculumSpec, checked when the config is resolved)
    curriculum: dict[str, Any] | None = None
    num_envs: Annotated[int, Field(ge=1, le=4096)] = 8
    num_threads: PositiveInt | None = None


class AlgorithmConfig(Strict):
    """An algorithm of the registry and its hyperparameters (checked by the algorithm)."""

    name: str
    hyperparameters: dict[str, Any] = Field(default_factory=dict)
    action_noise_std: Annotated[float, Field(ge=0)] = 0.1  # TD3 / DDPG exploration, action units


def check_value(field: str, value: Any) -> None:
    """Hyperparameter values are plain numbers, booleans, strings or lists of those."""
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, int | float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"{field}: must be finite, got {value}")
        return
    if isinstance(value, str):
        if _FLOAT_TEXT.match(value):
            raise ValueError(
                f"{field}: {value!r} is text, not a number (YAML 1.1 reads 1e-3 as a string); "
                f"write it with a decimal point, e.g. {value.replace('e', '.0e', 1)}"
            )
        return
    if isinstance(value, list):
        for item in value:
            check_value(field, item)
        return
    if isinstance(value, dict):  # a nested section (rarl's players)
        for key, item in value.items():
            check_value(f"{field}.{key}", item)
        return
    raise ValueError(f"{field}: expected a number, boolean, string, list or mapping, got {value!r}")


class PolicyConfig(Strict):
    """The policy / value networks."""

    net_arch: list[LayerWidth] | dict[Literal["pi", "vf", "qf"], list[LayerWidth]] = Field(
        default_factory=lambda: [64, 64]
    )
    activation: Literal["tanh", "relu", "elu"] = "tanh"
    log_std_init: float | None = None

    @model_validator(mode="after")
    def _fits_in_memory(self) -> PolicyConfig:
        """Hidden-to-hidden weights (with gradients and Adam's two moments, float32) must fit in
        this machine's memory: checked before torch allocates them."""
        nets = self.net_arch.values() if isinstance(self.net_arch, dict) else [self.net_arch]
        weights = sum(a * b for net in nets for a, b in itertools.pairwise(net))
        needed = 16 * weights * 2  # actor and critic (or twin critics) alike
        memory = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        if needed > memory:
            raise ValueError(
                f"net_arch: {self.net_arch} holds {weights:,} weights per network, about "
                f"{needed / 2**30:.1f} GiB with gradients and optimizer state; this machine has "
                f"{memory / 2**30:.1f} GiB: use narrower layers"
            )
        return self


class NormalizeConfig(Strict):
    """Observation normalization (running mean / std), saved with the policy; optionally,
    rewards scaled for learning by a running estimate of the discounted return's std."""

    observations: bool = True
    #: divide each reward the learner sees by the running std of the discounted return (and
    #: clip it to ±clip), as SB3's VecNormalize does; evaluation and logs keep the task's
    #: rewards. Algorithms with ``Capabilities.reward_scaling`` (SB3's) only.
    rewards: bool = False
    clip: Annotated[float, Field(gt=0)] = 10.0
    epsilon: Annotated[float, Field(gt=0)] = 1e-8


class EvalConfig(Strict):
    """Periodic deterministic evaluation on fixed seeds."""

    every_steps: PositiveInt = 10_000
    episodes: PositiveInt = 4
    seed: Annotated[int, Field(ge=0)] = 10_000


class CheckpointConfig(Strict):
    """Checkpoint schedule: every N steps, keep the last k plus the best."""

    every_steps: PositiveInt = 10_000
    keep_last: PositiveInt = 3


class TrainConfig(Strict):
    """A whole training run."""

    env: EnvConfig
    algorithm: AlgorithmConfig
    policy: PolicyConfig = PolicyConfig()
    normalize: NormalizeConfig = NormalizeConfig()
    total_steps: Annotated[int, Field(ge=1, le=10**12)]
    seed: Annotated[int, Field(ge=0)] = 0
    eval: EvalConfig = EvalConfig()
    checkpoint: CheckpointConfig = CheckpointConfig()
    device: Literal["auto", "cpu", "cuda"] = "cpu"
    #: the learned adversary of ``algorithm: rarl``: a preset name (``default``: the task's),
    #: a YAML path or the section (``robodrl.robustness.adversary``)
    adversary: str | dict[str, Any] | None = None
    #: the demonstrations of an imitation algorithm (bc, gail, airl; optional for dagger): a
    #: dataset folder ``robodrl demos record`` wrote
    demos: str | None = None
    #: load a ``demos`` dataset this account did not record (unsigned, or signed elsewhere);
    #: robodrl still reads it itself and checks every array
    demos_trust: bool = False
    #: the expert ``dagger`` asks for labels: a run directory, an exported ONNX file, a
    #: planner config, or ``scripted`` (the task's own scripted controller)
    expert: str | None = None

    @field_validator("demos", "expert")
    @classmethod
    def _absolute(cls, value: str | None) -> str | None:
        """Kept absolute in the saved config, so a run resumes from any folder (a shipped
        planner config's name is its file; ``scripted`` names no file)."""
        if value is None or value == SCRIPTED:
            return value
        return str(find_planner(Path(value).expanduser()).absolute())


def parse_config(data: Any, *, source: str = "config") -> TrainConfig:
    """The structure of a config mapping (types, ranges, known keys); every error names the
    dotted field and what is valid. What the config names (ids, algorithms, presets, files) is
    checked by :func:`robodrl.resolve.resolve`."""
    if not isinstance(data, dict):
        kind = "empty" if data is None else type(data).__name__
        raise ConfigError(f"{source}: the config must be a mapping of top-level keys, got {kind}")
    try:
        return TrainConfig.model_validate(data)
    except ValidationError as err:
        details = format_validation_error(err)
        for item in err.errors():
            value = item.get("input")
            if isinstance(value, str) and _FLOAT_TEXT.match(value):
                example = (
                    str(int(float(value)))
                    if item["type"].startswith("int")
                    else value.replace("e", ".0e", 1)
                )
                details += (
                    f" (YAML 1.1 reads {value} as text, not a number; write {example} instead)"
                )
                break
        raise ConfigError(f"{source}: {details}") from None


def _command_line_value(text: str, *, source: str) -> Any:
    """A ``--set`` value parsed as YAML, except that ``1e-3`` / ``1e5`` are the numbers a
    command line means (YAML 1.1 reads them as text): ``1e5`` an integer, ``1e-3`` a float."""
    if not _FLOAT_TEXT.match(text.strip()):
        return load_yaml_text(text, source=source)
    number = float(text)
    return int(number) if number.is_integer() and "." not in text else number


def apply_overrides(data: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """Apply ``a.b=value`` overrides (value parsed as YAML) to a copy of ``data``."""
    data = copy.deepcopy(data)
    for item in overrides:
        key, sep, text = item.partition("=")
        if not sep or not key or any(not part for part in key.split(".")):
            raise ConfigError(f"--set {item!r}: expected dotted.key=value")
        value = _command_line_value(text, source=f"--set {key}")
        node = data
        parts = key.split(".")
        for depth, part in enumerate(parts[:-1]):
            child = node.get(part)
            if child is None:
                child = node[part] = {}
            if not isinstance(child, dict):
                raise ConfigError(f"--set {key}: {'.'.join(parts[: depth + 1])} is not a mapping")
            node = child
        node[parts[-1]] = value
    return data


def dump_config(config: TrainConfig) -> str:
    """The resolved config as YAML (every default filled in)."""
    return yaml.safe_dump(config.model_dump(mode="json"), sort_keys=False)
