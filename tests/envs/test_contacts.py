"""Every contact a robot makes has friction: a frictionless floor lets a robot stand but never
walk, hop or push (the Hopper's floor once was, and every algorithm only learned to stand)."""

from __future__ import annotations

import numpy as np
import pytest

import robodrl


@pytest.mark.parametrize("env_id", ["Cheetah", "Hopper", "Quadruped", "ArmPush"])
def test_contacts_have_tangential_friction(env_id: str) -> None:
    core = robodrl.make_core(env_id, 4, seed=0)
    core.reset()
    rng = np.random.default_rng(0)
    dims, frictions = [], []
    for _ in range(30):
        for _ in range(10):
            core.step(rng.uniform(-1.0, 1.0, (4, core.action_dim)))
        for i in range(core.num_envs):
            data = core.get_data(i)
            dims += [int(data.contact[k].dim) for k in range(data.ncon)]
            frictions += [float(data.contact[k].friction[0]) for k in range(data.ncon)]
    assert dims, f"{env_id}: no contact in 300 steps of random actions"
    assert min(dims) >= 3, f"{env_id}: frictionless contacts (condim {sorted(set(dims))})"
    assert min(frictions) > 0.1
