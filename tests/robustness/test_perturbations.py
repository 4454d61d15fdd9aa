"""Perturbations: exact latency, noise statistics, episode biases, dropout, pushes."""

from __future__ import annotations

import re

import mujoco
import numpy as np
import pytest

import robodrl
from robodrl.errors import ConfigError
from tests.conftest import action_sequence


def _rollout(core, actions: np.ndarray) -> np.ndarray:
    obs = [core.reset()]
    for action in actions:
        obs.append(core.step(action)[0])
    return np.array(obs)


def test_observation_latency_is_exact() -> None:
    k = 3
    actions = action_sequence(40, 2, 6)
    plain = _rollout(robodrl.make_core("Cheetah", 2, seed=1), actions)
    late = robodrl.make_core("Cheetah", 2, seed=1, perturbations={"observation_latency_steps": k})
    delayed = _rollout(late, actions)
    np.testing.assert_array_equal(delayed[k:], plain[:-k])
    for t in range(k):  # until the buffer fills, the first observation is repeated
        np.testing.assert_array_equal(delayed[t], plain[0])


def test_a_latency_range_gives_each_episode_its_own_exact_delay() -> None:
    actions = action_sequence(40, 16, 6)
    plain = _rollout(robodrl.make_core("Cheetah", 16, seed=1), actions)
    spec = {"observation_latency_steps": {"low": 0, "high": 3}}
    late = robodrl.make_core("Cheetah", 16, seed=1, perturbations=spec)
    delayed = _rollout(late, actions)
    delays = late.perturber.obs_latency.copy()
    assert set(delays.tolist()) == {0, 1, 2, 3}  # 16 episodes draw every delay
    for sim, k in enumerate(delays):
        np.testing.assert_array_equal(delayed[k:, sim], plain[: len(plain) - k, sim])
    # the draw is per episode, from each simulation's own generator: reproducible
    again = robodrl.make_core("Cheetah", 16, seed=1, perturbations=spec)
    again.reset()  # the rollout above reset twice (make_core, then its own reset)
    np.testing.assert_array_equal(again.perturber.obs_latency, delays)


def test_action_latency_is_exact() -> None:
    k = 2
    actions = action_sequence(30, 1, 6)
    late = robodrl.make_core("Cheetah", 1, seed=1, perturbations={"action_latency_steps": k})
    plain = robodrl.make_core("Cheetah", 1, seed=1)
    late.reset()
    plain.reset()
    plain.step(np.zeros((1, 6)))
    plain.step(np.zeros((1, 6)))  # the delayed env applies zeros for its first k steps
    late.step(actions[0])
    late.step(actions[1])
    for t in range(2, 30):
        a, *_ = late.step(actions[t])
        b, *_ = plain.step(actions[t - k])
        np.testing.assert_array_equal(a, b)


def test_observation_noise_std_per_group() -> None:
    doc = {"perturbations": {"observation_noise": [{"group": "joint_vel", "std": 0.5}]}}
    noisy = robodrl.make_core("Cheetah", 256, seed=3, perturbations=doc)
    clean = robodrl.make_core("Cheetah", 256, seed=3)
    noisy.reset(), clean.reset()
    diffs = []
    for _ in range(20):
        a, *_ = noisy.step(np.zeros((256, 6)))
        b, *_ = clean.step(np.zeros((256, 6)))
        diffs.append(a - b)
    diffs = np.array(diffs)
    layout = noisy.obs_layout
    assert (diffs[..., layout["joint_pos"]] == 0).all()
    vel = diffs[..., layout["joint_vel"]]
    assert abs(vel.std() - 0.5) < 0.02 and abs(vel.mean()) < 0.02


def test_observation_bias_is_constant_within_an_episode() -> None:
    doc = {"perturbations": {"observation_bias": [{"group": "pole_cos", "max_abs": 0.3}]}}
    biased = robodrl.make_core("Pendulum", 4, seed=0, perturbations=doc)
    clean = robodrl.make_core("Pendulum", 4, seed=0)
    offsets = [biased.reset() - clean.reset()]
    for _ in range(10):
        offsets.append(biased.step(np.zeros((4, 1)))[0] - clean.step(np.zeros((4, 1)))[0])
    offsets = np.array(offsets)[..., 0]
    np.testing.assert_allclose(offsets, np.tile(offsets[0], (11, 1)), atol=1e-6)
    assert (np.abs(offsets[0]) <= 0.3).all() and len(np.unique(offsets[0].round(6))) == 4
    first_episode = offsets[0].copy()
    biased.reset(), clean.reset()
    new = biased.step(np.zeros((4, 1)))[0][:, 0] - clean.step(np.zeros((4, 1)))[0][:, 0]
    assert not np.allclose(new, first_episode)


def test_dropout_holds_the_last_delivered_observation() -> None:
    doc = {"perturbations": {"observation_dropout": 0.5}}
    core = robodrl.make_core("Cheetah", 64, seed=0, perturbations=doc)
    previous = core.reset()
    held = 0
    for action in action_sequence(20, 64, 6):
        obs = core.step(action)[0]
        same = (obs == previous).all(axis=1)
        held += same.sum()
        previous = obs
    assert 0.4 < held / (20 * 64) < 0.6


def _momentum(core, i: int) -> np.ndarray:
    model, data = core.get_model(i), core.get_data(i)
    mujoco.mj_forward(model, data)
    mujoco.mj_subtreeVel(model, data)
    torso = model.body("torso").id
    return data.subtree_linvel[torso] * model.body_subtreemass[torso]


def _floating_quadruped(push: dict):
    """Quadruped in zero gravity, lifted 2 m above the floor: only the push moves its centre."""
    doc = {
        "randomization": {
            "params": [
                {
                    "world": True,
                    "quantity": "gravity",
                    "operation": "set",
                    "distribution": {"type": "uniform", "low": 0.0, "high": 0.0},
                }
            ]
        },
        "perturbations": {"pushes": [push]},
    }
    core = robodrl.make_core("Quadruped", 2, seed=0, randomization=doc, perturbations=doc)
    core.task.qpos[:, 2] = 2.0
    core.task.qvel[:] = 0.0
    core.batch.forward()
    return core


def test_force_push_changes_momentum_by_force_times_duration() -> None:
    push = {
        "body": "torso",
        "kind": "force",
        "magnitude": {"low": 30.0, "high": 30.0},
        "interval_seconds": {"low": 0.1, "high": 0.1},  # 5 control steps of 0.02 s
        "duration_seconds": 0.06,  # 3 control steps
        "direction": [1.0, 0.0, 0.0],
    }
    core = _floating_quadruped(push)
    before = _momentum(core, 0)
    for _ in range(9):  # the push starts after step 5 and lasts steps 6-8
        core.step(np.zeros((2, 12)))
    gained = _momentum(core, 0) - before
    np.testing.assert_allclose(gained, [30.0 * 0.06, 0.0, 0.0], atol=5e-3)
    assert (core.task.qpos[:, 2] > 1.5).all()  # still floating: no contact took part


def test_velocity_kick_changes_momentum_by_mass_times_kick() -> None:
    push = {
        "body": "torso",
        "kind": "velocity",
        "magnitude": {"low": 0.5, "high": 1.0},
        "interval_seconds": {"low": 0.1, "high": 0.1},
    }
    core = _floating_quadruped(push)
    mass = core.model.body_subtreemass[core.model.body("torso").id]
    before = np.array([_momentum(core, i) for i in range(2)])
    for _ in range(6):
        core.step(np.zeros((2, 12)))
    kick = (np.array([_momentum(core, i) for i in range(2)]) - before) / mass
    speed = np.linalg.norm(kick, axis=1)
    assert ((speed >= 0.5 - 1e-6) & (speed <= 1.0 + 1e-6)).all()
    np.testing.assert_allclose(kick[:, 2], 0.0, atol=1e-5)  # horizontal by default


def test_perturbed_runs_repeat_with_the_same_seed() -> None:
    actions = action_sequence(30, 3, 12)
    a = _rollout(
        robodrl.make_core("Quadruped", 3, seed=4, randomization="dr-wide", perturbations="dr-wide"),
        actions,
    )
    b = _rollout(
        robodrl.make_core("Quadruped", 3, seed=4, randomization="dr-wide", perturbations="dr-wide"),
        actions,
    )
    np.testing.assert_array_equal(a, b)


def test_env_state_restores_exactly_the_same_continuation() -> None:
    doc = "dr-wide"
    a = robodrl.make_core("Quadruped", 2, seed=0, randomization=doc, perturbations=doc)
    b = robodrl.make_core("Quadruped", 2, seed=1, randomization=doc, perturbations=doc)
    for _ in range(5):
        a.step(np.zeros((2, 12)))
    # copy a's complete state into b: physics, task, randomized model, perturbation streams
    b.load_state_dict(a.state_dict())
    for action in action_sequence(20, 2, 12):
        np.testing.assert_array_equal(a.step(action)[0], b.step(action)[0])


def test_batch_with_randomization_equals_single_envs() -> None:
    actions = action_sequence(30, 3, 3)
    batch = _rollout(robodrl.make_core("Hopper", 3, seed=2, randomization="dr-default"), actions)
    for i in range(3):
        single = _rollout(
            robodrl.make_core("Hopper", 1, seed=2 + i, randomization="dr-default"),
            actions[:, i : i + 1],
        )
        np.testing.assert_array_equal(batch[:, i], single[:, 0])


def test_a_curriculum_grows_the_kicks_with_the_steps_taken() -> None:
    push = {
        "body": "torso",
        "kind": "velocity",
        "magnitude": {"low": 1.0, "high": 1.0},
        "interval_seconds": {"low": 0.1, "high": 0.1},  # a kick every 5 control steps
        "direction": [1.0, 0.0, 0.0],
    }
    core = _floating_quadruped(push)
    grown = robodrl.make_core(
        "Quadruped",
        2,
        seed=0,
        randomization=core.randomizer.spec,
        perturbations=core.perturber.spec,
        curriculum={"steps": 2 * 10},  # full after 10 control steps of both simulations
    )
    grown.task.qpos[:, 2] = 2.0
    grown.task.qvel[:] = 0.0
    grown.batch.forward()
    mass = grown.model.body_subtreemass[grown.model.body("torso").id]
    kicks = []
    for _ in range(4):  # kicks in steps 6, 11 and 16, after 5 / 10 / 15 steps of each simulation
        before = _momentum(grown, 0)
        for _ in range(5):
            grown.step(np.zeros((2, 12)))
        kicks.append((_momentum(grown, 0) - before)[0] / mass)
    np.testing.assert_allclose(kicks, [0.0, 0.5, 1.0, 1.0], atol=1e-3)
    # the count goes on from a saved state, and stops at the full ranges
    copy = robodrl.make_core(
        "Quadruped",
        2,
        seed=3,
        randomization=core.randomizer.spec,
        perturbations=core.perturber.spec,
        curriculum={"steps": 2 * 10},
    )
    assert copy.curriculum.progress == 0.0
    copy.load_state_dict(grown.state_dict())
    assert copy.curriculum.progress == 1.0 and copy.perturber.progress == 1.0


def test_a_curriculum_grows_the_randomized_ranges_from_nominal() -> None:
    doc = {"params": [{"body": "*", "quantity": "mass", "operation": "scale",
                       "distribution": {"type": "uniform", "low": 0.5, "high": 1.5}}]}  # fmt: skip
    nominal = robodrl.make_core("Quadruped", 4, seed=0).model.body_mass
    grown = robodrl.make_core(
        "Quadruped",
        4,
        seed=0,
        randomization=doc,
        curriculum={"steps": 4 * 100, "start": 0.0, "applies_to": ["randomization"]},
    )
    masses = np.array([grown.get_model(i).body_mass for i in range(4)])
    np.testing.assert_allclose(masses, np.broadcast_to(nominal, masses.shape))
    for _ in range(100):
        grown.step(np.zeros((4, 12)))
    grown.reset()  # the next episodes draw from the full ranges
    masses = np.array([grown.get_model(i).body_mass for i in range(4)])
    spread = masses[:, 1:] / nominal[1:]
    assert spread.min() < 0.8 and spread.max() > 1.2


@pytest.mark.parametrize(
    ("curriculum", "perturbations", "message"),
    [
        (
            {"steps": 10},
            None,
            "env.curriculum.applies_to: 'pushes', but the config has no env.perturbations.pushes",
        ),
        (
            {"steps": 10, "applies_to": ["randomization"]},
            None,
            "has no env.randomization or env.perturbations.motor_strength to grow",
        ),
        ({"steps": 0}, "dr-default", "env.curriculum.steps: Input should be greater"),
        ({"steps": 10, "start": 1.5}, "dr-default", "env.curriculum.start"),
        ({"steps": 10, "applies_to": ["kicks"]}, "dr-default", "'pushes' or 'randomization'"),
        ({"steps": 10, "applies_to": ["pushes", "pushes"]}, "dr-default", "names a range twice"),
        ([10], "dr-default", "env.curriculum: expected a mapping"),
    ],
)
def test_a_wrong_curriculum_is_named(curriculum, perturbations, message) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        robodrl.make_core("Quadruped", 2, perturbations=perturbations, curriculum=curriculum)
