"""The plain single-file PPO that issue 30 measures robodrl's training loop against: it imports
nothing from robodrl, steps the model robodrl builds for the recipe's robot (through the card
the throughput benchmark writes), sees the observation layout the mirror maps are made for,
and trains (a real iteration on a small batch)."""

from __future__ import annotations

import ast
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def load(name: str):
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_the_reference_imports_nothing_from_robodrl() -> None:
    modules = imported_modules(BENCHMARKS / "plain_ppo.py")
    assert "robodrl" not in modules
    assert {"mujoco", "numpy", "torch"} <= modules


@pytest.fixture(scope="module")
def card(tmp_path_factory: pytest.TempPathFactory) -> dict:
    sys.path.insert(0, str(BENCHMARKS))  # the throughput benchmark imports its neighbour
    try:
        throughput = load("legged_train_throughput")
        card = throughput.robot_card(8, tmp_path_factory.mktemp("card"))
    finally:
        sys.path.remove(str(BENCHMARKS))
    json.dumps(card)  # a card is plain JSON
    return card


def test_the_reference_trains_on_robodrls_model_of_the_robot(card: dict) -> None:
    from robodrl.make import make_core
    from robodrl.resolve import load_config

    plain = load("plain_ppo")
    config = load_config("quadruped_robust_ppo", ["env.num_envs=8"])
    core = make_core(config.env.id, 8, seed=0, **config.env.task)
    ppo = plain.PPO(card, 8, seed=0, total_steps=10_000)
    assert ppo.env.batch.nsim == 8
    assert ppo.obs.shape == (8, core.obs_dim)  # the layout the mirror maps describe
    assert np.asarray(card["obs_mirror"]).shape == (core.obs_dim, core.obs_dim)
    before = [p.detach().clone() for p in ppo.params]
    steps = ppo.iteration() + ppo.iteration()
    assert steps == 2 * 24 * 8
    assert all(torch.isfinite(p).all() for p in ppo.params)
    assert any(not torch.equal(a, b) for a, b in zip(before, ppo.params, strict=True))
    # a robot standing at the reset pose, then stepped: finite observations, base above ground
    assert np.isfinite(ppo.obs).all()
    assert (ppo.env.qpos[:, 2] > 0).all()


def test_the_raw_physics_reference_keeps_the_robots_on_their_feet() -> None:
    """Training's robots stand or walk; random controls topple them, and a toppled robot touches
    nothing in the fast settings (cheaper physics), so the raw reference restarts each
    iteration from the settled standing state."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        throughput = load("legged_train_throughput")
        standing, random = throughput.raw_contender(64), throughput.raw_random_contender(64)
    finally:
        sys.path.remove(str(BENCHMARKS))
    start_height = np.asarray(standing.qpos)[:, 2].copy()
    for _ in range(6):
        assert standing() == random() == 24 * 64
    assert (np.asarray(standing.qpos)[:, 2] > 0.8 * start_height).all()
    assert (np.asarray(random.qpos)[:, 2] < 0.6 * start_height).any()
