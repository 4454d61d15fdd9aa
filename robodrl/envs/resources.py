"""What a batch of simulations costs the machine: the threads it steps on and the memory each
simulation holds, checked before MuJoCo allocates it."""

from __future__ import annotations

import os

import mujoco

from robodrl.errors import TaskArgumentError


def default_num_threads(num_envs: int) -> int:
    """Threads used when none are given: one per simulation, at most one per CPU."""
    return max(1, min(num_envs, os.cpu_count() or 1))


def memory_per_simulation(model: mujoco.MjModel) -> int:
    """Bytes one simulation of a batch needs: its MjData buffer plus its arena. The model's own
    buffer (meshes, textures) is shared by the batch and counted once, not per simulation."""
    data_buffer = mujoco.MjData(model).nbuffer  # qpos, xpos, ...: sized by the model's counts
    return int(model.narena) + int(data_buffer)


def check_memory(model: mujoco.MjModel, num_envs: int) -> None:
    """Refuse a batch whose simulations cannot fit in this machine's memory (before MuJoCo
    spends seconds failing to allocate it)."""
    per_sim = memory_per_simulation(model)
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # not every platform says
        return
    if per_sim * num_envs > memory:
        raise TaskArgumentError(
            f"num_envs={num_envs:,} needs about {per_sim * num_envs / 2**30:,.1f} GiB "
            f"({per_sim / 2**20:.1f} MiB per simulation), more than this machine's "
            f"{memory / 2**30:.1f} GiB; use num_envs <= {memory // per_sim:,}"
        )
