"""What a learner takes besides its config, loaded here in the run layer: the expert policy
``expert:`` names (a run, an ONNX file or a planner) and the learned reward of the run an
entry re-uses (airl's ``reward_run``). Algorithms receive them in
:class:`~robodrl.algorithms.registry.Inputs` and never load another run themselves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from robodrl.algorithms.registry import Algorithm, Inputs, get_algorithm
from robodrl.config import TrainConfig
from robodrl.errors import ConfigError
from robodrl.runs.loading import load_policy
from robodrl.runs.run import Run


def prepare_inputs(config: TrainConfig) -> Inputs:
    """The inputs ``config`` names, loaded and verified."""
    entry = get_algorithm(config.algorithm.name)
    expert = load_policy(config.expert) if config.expert is not None else None
    reward_run = entry.reward_run(config)
    reward = learned_reward(entry, Path(reward_run)) if reward_run is not None else None
    return Inputs(expert=expert, reward=reward)


def learned_reward(entry: Algorithm, run_dir: Path) -> Any:
    """The learned reward of ``run_dir``'s best checkpoint (verified before it is read), which
    must be a run of the same algorithm as ``entry``."""
    run = Run.open(run_dir)
    if run.config.algorithm.name != entry.name:
        raise ConfigError(
            f"hyperparameters.reward_run: {run_dir} is not an {entry.name} run (it was trained "
            f"with {run.config.algorithm.name})"
        )
    with run.checkpoint("best") as opened:
        return entry.load_reward(opened.folder)
