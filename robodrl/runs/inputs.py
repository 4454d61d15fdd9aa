"""What a learner takes besides its config, loaded here in the run layer: the expert policy
``expert:`` names (a run, an ONNX file or a planner) and the learned reward of the run an
entry re-uses (airl's ``reward_run``). Algorithms receive them in
:class:`~robodrl.algorithms.registry.Inputs` and never load another run themselves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from robodrl.algorithms.registry import Algorithm, Inputs, get_algorithm
from robodrl.config import SCRIPTED, TrainConfig
from robodrl.errors import ConfigError
from robodrl.make import make_core
from robodrl.runs.loading import load_policy
from robodrl.runs.run import Run


def prepare_inputs(config: TrainConfig) -> Inputs:
    """The inputs ``config`` names, loaded and verified."""
    entry = get_algorithm(config.algorithm.name)
    expert = None
    if config.expert == SCRIPTED:
        expert = ScriptedExpert(config.env.id, dict(config.env.task))
    elif config.expert is not None:
        expert = load_policy(config.expert)
    reward_run = entry.reward_run(config)
    reward = learned_reward(entry, Path(reward_run)) if reward_run is not None else None
    return Inputs(expert=expert, reward=reward)


class ScriptedExpert:
    """The task's scripted controller (``expert: scripted``) as a policy: it acts from the
    observations of the core it is asked about, with that core's task (its block size, its
    gripper), so it needs the core as planners do."""

    needs_state = True

    def __init__(self, env_id: str, task_arguments: dict[str, Any]) -> None:
        probe = make_core(env_id, 1, **task_arguments)
        try:
            probe.task.scripted_expert(probe.obs_layout)
        except ValueError as err:
            raise ConfigError(f"expert: scripted: {err}") from None
        self.env_id, self.task_arguments = env_id, task_arguments
        self.obs_dim, self.act_dim = probe.obs_dim, probe.action_dim

    def act(self, obs: np.ndarray, core: Any = None) -> np.ndarray:
        if core is None:
            raise ConfigError("expert: scripted: call act(obs, core) with the acting core")
        return core.task.scripted_expert(core.obs_layout).act(obs)  # a script keeps no state


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
