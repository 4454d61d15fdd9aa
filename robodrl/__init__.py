"""robodrl: robot learning in MuJoCo on batched simulation.

``import robodrl`` is light: it imports neither torch, MuJoCo nor Gymnasium, so that the
onboard runtime (``robodrl.runtime``) runs with numpy and onnxruntime alone. The task ids are
registered with Gymnasium as ``robodrl/<Task>-v0`` as soon as Gymnasium is imported (now, if
it already is), so ``gymnasium.make("robodrl/Pendulum-v0")`` works after ``import robodrl``.

Unless ``OMP_WAIT_POLICY`` is set, ``import robodrl`` sets it to ``PASSIVE`` (read when torch
loads OpenMP, so import robodrl before torch): torch's OpenMP threads then sleep between
parallel regions instead of spinning. On a busy machine the spinning threads fought the other
processes and MuJoCo's pool for the cores (a Pendulum run beside two CPU-bound processes took
131 s instead of 12 s); alone on the machine the two measure the same
(``benchmarks/under_load.py``).
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

from robodrl._gym_registration import register_with_gymnasium_on_import
from robodrl.errors import (
    ConfigError,
    InvalidActionError,
    RobodrlError,
    TaskArgumentError,
    UnknownEnvError,
)

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch loads OpenMP: see above

__version__ = "0.1.0"
__all__ = [
    "ConfigError",
    "InvalidActionError",
    "RobodrlError",
    "TaskArgumentError",
    "UnknownEnvError",
    "env_ids",
    "get_spec",
    "make_adversarial",
    "make_core",
    "make_parallel",
    "make_sb3_vec",
    "make_team",
    "make_two_player",
    "make_vec",
    "task_arguments",
    "team_ids",
]
_LAZY = {
    "make_core": "robodrl.make",
    "make_vec": "robodrl.make",
    "make_sb3_vec": "robodrl.make",
    "make_two_player": "robodrl.make",
    "make_adversarial": "robodrl.make",
    "make_team": "robodrl.make",
    "make_parallel": "robodrl.make",
    "team_ids": "robodrl.envs.multi.registry",
    "env_ids": "robodrl.registry",
    "get_spec": "robodrl.registry",
    "task_arguments": "robodrl.registry",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'robodrl' has no attribute {name!r}")


register_with_gymnasium_on_import(sys.modules)
