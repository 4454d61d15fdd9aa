"""Each task reserves a small MuJoCo arena per simulation, and it is enough for hard use."""

from __future__ import annotations

import mujoco
import numpy as np

import robodrl

ARENA_BYTES = 2 * 2**20  # <size memory="2M"/> in every task's MJCF
FULL = [int(mujoco.mjtWarning.mjWARN_CONTACTFULL), int(mujoco.mjtWarning.mjWARN_CNSTRFULL)]


def test_arena_is_small_and_never_fills_under_random_actions(env_id: str) -> None:
    core = robodrl.make_core(env_id, 8, seed=0, randomization="dr-wide")
    assert core.model.narena == ARENA_BYTES  # not MuJoCo's 13 MiB default
    core.reset()
    rng = np.random.default_rng(0)
    for _ in range(400):  # full-range random actions: falls, flails, self-contacts
        core.step(rng.uniform(-1.0, 1.0, (8, core.action_dim)))
    assert core.batch.warning[:, FULL, 0].sum() == 0  # no contact or constraint was dropped
    used = max(core.batch.get_data(i).maxuse_arena for i in range(8))
    assert 0 < used < ARENA_BYTES / 8
