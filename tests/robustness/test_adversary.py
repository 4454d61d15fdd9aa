"""The learned adversary's forces: bounds, bodies and components (checked against the change of
momentum), composition with scripted force pushes, and bad input."""

from __future__ import annotations

import mujoco
import numpy as np
import pytest
from mujoco import batch as mjbatch

import robodrl
from robodrl.errors import ConfigError, InvalidActionError
from robodrl.robustness.adversary import Adversary, load_adversary

#: two free spheres without gravity or contacts: forces are the only thing that moves them
FLOATING = """
<mujoco>
  <option gravity="0 0 0" timestep="0.002"><flag contact="disable"/></option>
  <worldbody>
    <body name="ball" pos="0 0 1"><freejoint/><geom type="sphere" size="0.1" mass="2"/></body>
    <body name="other" pos="1 0 1"><freejoint/><geom type="sphere" size="0.1" mass="3"/></body>
  </worldbody>
</mujoco>
"""


def test_forces_and_torques_change_momentum_by_exactly_the_capped_wrench() -> None:
    model = mujoco.MjModel.from_xml_string(FLOATING)
    batch = mjbatch.Batch(model, 3, 1, persistent=True)
    spec = load_adversary(
        {"bodies": ["ball"], "max_force": 4.0, "max_torque": 0.5, "components": ["x", "z"],
         "torque_components": ["y"]},
        "robodrl/Hopper-v0",
    )  # fmt: skip
    adversary = Adversary(spec, batch, model)
    assert adversary.action_names == ["ball:force_x", "ball:force_z", "ball:torque_y"]
    action = np.array([[1.0, -0.5, 0.2], [3.0, -7.0, -2.0], [0.0, 0.0, 0.0]])  # row 1: beyond
    adversary.apply(action)
    nstep = 10
    batch.step(nstep=nstep)
    duration = nstep * model.opt.timestep
    qvel = batch.bind("qvel")
    expected_force = np.clip(action[:, :2], -1, 1) * 4.0
    mass = model.body_mass[1]
    np.testing.assert_allclose(mass * qvel[:, [0, 2]], expected_force * duration, atol=1e-9)
    np.testing.assert_array_equal(qvel[:, 1], 0.0)  # no y component
    inertia = model.body_inertia[1, 1]
    expected_torque = np.clip(action[:, 2], -1, 1) * 0.5
    np.testing.assert_allclose(inertia * qvel[:, 4], expected_torque * duration, rtol=1e-6)
    np.testing.assert_allclose(qvel[:, [3, 5]], 0.0, atol=1e-12)
    np.testing.assert_array_equal(qvel[:, 6:], 0.0)  # the other body: untouched
    xfrc = batch.bind("xfrc_applied")
    assert np.abs(xfrc[:, 1, :3]).max() <= 4.0 and np.abs(xfrc[:, 1, 3:]).max() <= 0.5
    np.testing.assert_array_equal(xfrc[:, 2], 0.0)


@pytest.mark.parametrize(("preset", "cap"), [("default", 20.0), ("rrls", 3.0)])
def test_on_a_task_only_the_configured_bodies_and_components_get_forces(preset, cap) -> None:
    game = robodrl.make_two_player("Cheetah", 4, adversary=preset, seed=0)  # torso, feet; x, z
    rng = np.random.default_rng(0)
    bodies = game.adversary.body_ids
    others = np.setdiff1d(np.arange(game.core.model.nbody), bodies)
    xfrc = game.core.batch.bind("xfrc_applied")
    for _ in range(50):
        game.step(rng.uniform(-1, 1, (4, 6)), rng.uniform(-2, 2, (4, 6)))
        assert cap * 0.9 < np.abs(xfrc[:, bodies][:, :, [0, 2]]).max() <= cap
        np.testing.assert_array_equal(xfrc[:, bodies][:, :, [1, 3, 4, 5]], 0.0)
        np.testing.assert_array_equal(xfrc[:, others], 0.0)


def test_adversary_forces_add_to_a_scripted_force_push_on_the_same_body() -> None:
    push = {"body": "torso", "kind": "force", "magnitude": {"low": 30.0, "high": 30.0},
            "interval_seconds": {"low": 0.1, "high": 0.2}, "duration_seconds": 0.05}  # fmt: skip
    game = robodrl.make_two_player(
        "Hopper", 8, seed=3, adversary={"bodies": ["torso"], "max_force": 5.0},
        perturbations={"pushes": [push]},
    )  # fmt: skip
    perturber, adversary = game.core.perturber, game.adversary
    xfrc = game.core.batch.bind("xfrc_applied")
    torso = adversary.body_ids[0]
    rng = np.random.default_rng(1)
    pushed = 0
    for _ in range(200):
        game.step(rng.uniform(-1, 1, (8, 3)), rng.uniform(-1, 1, (8, 3)))
        # after the step (and any autoreset), xfrc holds exactly both writers' wrenches
        expected = adversary.applied[:, 0].copy()
        expected[:, :3] += perturber.push_applied[0]
        np.testing.assert_allclose(xfrc[:, torso], expected, atol=1e-12)
        pushed += int((np.abs(perturber.push_applied[0]).sum(axis=1) > 0).sum())
    assert pushed > 0


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"bodies": ["tail"], "max_force": 1.0}, "valid body names: torso, thigh, shin, foot"),
        ({"bodies": ["torso"], "max_force": -1.0}, "adversary.max_force"),
        ({"bodies": ["torso"], "max_force": float("inf")}, "adversary.max_force"),
        ({"bodies": ["torso"], "max_force": 1.0, "max_torque": float("nan")}, "max_torque"),
        ({"bodies": ["torso"], "max_force": 1.0, "components": ["x", "w"]},
         "adversary.components[1]"),
        ({"bodies": ["torso"], "max_force": 1.0, "components": ["x", "x"]}, "each axis once"),
        ({"bodies": [], "max_force": 1.0}, "adversary.bodies"),
        ({"bodies": ["torso"], "max_force": 1.0, "force": 2}, "adversary.force: unknown field"),
        ({"max_force": 1.0}, "adversary.bodies: Field required"),
        ("strongest", "unknown adversary preset 'strongest' for robodrl/Hopper-v0; presets: "
         "['default', 'rrls']"),
    ],
)  # fmt: skip
def test_bad_adversary_sections_name_the_field(section, message) -> None:
    with pytest.raises(ConfigError) as err:
        robodrl.make_two_player("Hopper", 2, adversary=section)
    assert message in str(err.value)


def test_a_body_the_task_lacks_lists_the_task_bodies() -> None:
    with pytest.raises(ConfigError, match=r"adversary.bodies\[0\]: no body matches 'foot'.*torso"):
        robodrl.make_two_player("Quadruped", 1, adversary={"bodies": ["foot"], "max_force": 1})


def test_a_task_without_a_default_adversary_says_so() -> None:
    with pytest.raises(ConfigError, match=r"unknown adversary preset 'default'.*Pendulum"):
        robodrl.make_two_player("Pendulum", 1)


def test_bad_adversary_actions_name_the_entry() -> None:
    game = robodrl.make_two_player("Hopper", 2, seed=0)
    with pytest.raises(InvalidActionError, match=r"expected \(2, 4\).*torso:force_x"):
        game.step(np.zeros((2, 3)), np.zeros((2, 3)))
    bad = np.zeros((2, 4))
    bad[1, 3] = np.nan
    with pytest.raises(InvalidActionError, match=r"action\[1, 3\].*'foot:force_z'"):
        game.step(np.zeros((2, 3)), bad)
