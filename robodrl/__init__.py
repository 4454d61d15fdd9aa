"""robodrl: robot learning in MuJoCo on batched simulation.

``import robodrl`` registers every task with Gymnasium as ``robodrl/<Task>-v0``.
"""

from __future__ import annotations

import gymnasium

from robodrl.errors import (
    InvalidActionError,
    RobodrlError,
    TaskArgumentError,
    UnknownEnvError,
)
from robodrl.make import make_core, make_sb3_vec, make_vec
from robodrl.registry import env_ids, get_spec, task_arguments

__version__ = "0.1.0"
__all__ = [
    "InvalidActionError",
    "RobodrlError",
    "TaskArgumentError",
    "UnknownEnvError",
    "env_ids",
    "get_spec",
    "make_core",
    "make_sb3_vec",
    "make_vec",
    "task_arguments",
]

for _id in env_ids():
    if _id not in gymnasium.registry:
        gymnasium.register(
            id=_id,
            entry_point="robodrl.envs.gym_env:RobodrlEnv",
            kwargs={"env_id": _id},
            disable_env_checker=False,
        )
