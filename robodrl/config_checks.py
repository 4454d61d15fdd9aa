"""Checks of a training config that span its sections: which algorithms go with multi-agent
ids, and which take demonstrations or an expert. Raised as ``ValueError("<field>: ...")``
inside the config's validation, so the error names the field."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from robodrl.algorithms.registry import algorithm_names, get_algorithm

if TYPE_CHECKING:
    from robodrl.config import TrainConfig


def check_multi_agent(config: TrainConfig) -> None:
    """Multi-agent ids go with multi-agent algorithms, single-agent ids with the others."""
    from robodrl.envs.multi.registry import find_team, team_ids

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


def check_imitation_sources(config: TrainConfig) -> None:
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
    for field, path in (("demos", config.demos), ("expert", config.expert)):
        if path is not None and not Path(path).exists():
            raise ValueError(f"{field}: {path} does not exist")
