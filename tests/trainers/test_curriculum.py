"""``env.curriculum`` reaches the training env of every kind of trainer (robodrl's, SB3's, a
game's, a team's) and never an evaluation env, which sees the full ranges."""

from __future__ import annotations

import numpy as np

from robodrl.algorithms.adversarial.rarl import RARLLearner
from robodrl.algorithms.marl.ippo import team_rows
from robodrl.algorithms.sb3.build import task_env
from robodrl.make import make_training_core
from robodrl.resolve import validate_config
from robodrl.runs.evaluation import evaluate

CURRICULUM = {"steps": 4000, "start": 0.25}


def _config(env_id: str, algorithm: str, **extra):
    return validate_config(
        {
            "env": {
                "id": env_id,
                "num_envs": 2,
                "perturbations": "dr-default",
                "curriculum": CURRICULUM,
            },
            "algorithm": {"name": algorithm},
            "total_steps": 64,
            "eval": {"every_steps": 64, "episodes": 1},
            **extra,
        }
    )


def _grows(core) -> None:
    assert core.curriculum is not None and core.curriculum.spec.steps == 4000
    assert core.perturber.progress == 0.25
    core.step(np.zeros((core.num_envs, core.action_dim)))
    assert core.curriculum.steps_taken == core.num_envs and core.perturber.progress > 0.25


def test_robodrl_and_sb3_training_envs_grow_and_evaluation_envs_do_not() -> None:
    _grows(make_training_core(_config("Quadruped", "lean_ppo")))
    config = _config("Quadruped", "ppo")
    _grows(task_env(config).core)
    played = []

    def act(obs: np.ndarray) -> np.ndarray:
        played.append(obs)
        return np.zeros((obs.shape[0], 12))

    evaluate(act, config)  # runs, on an env built without the curriculum
    assert played


def test_a_game_and_a_team_grow_their_training_env() -> None:
    _grows(RARLLearner(_config("Quadruped", "rarl", adversary="default")).core)
    rows = team_rows(_config("robodrl/QuadrupedLegs-v0", "ippo"), 2, 0, with_state=False)
    _grows(rows.team.core)
    probe = team_rows(_config("robodrl/QuadrupedLegs-v0", "ippo"), 1, 0, with_state=False,
                      autoreset=False)  # fmt: skip
    assert probe.team.core.curriculum is None
