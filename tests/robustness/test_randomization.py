"""Domain randomization: bounds, statistics, physical consistency, no compounding, seeding."""

from __future__ import annotations

import mujoco
import numpy as np
import pytest

import robodrl


def _doc(*params: dict, every_seconds: float | None = None) -> dict:
    return {"randomization": {"every_seconds": every_seconds, "params": list(params)}}


def _mass(dist: dict, body: str = "pole", **extra) -> dict:
    return {"body": body, "quantity": "mass", "distribution": dist, **extra}


UNIFORM = {"type": "uniform", "low": 0.5, "high": 2.0}
LOG_UNIFORM = {"type": "loguniform", "low": 0.5, "high": 2.0}
GAUSSIAN = {"type": "gaussian", "mean": 1.0, "std": 0.2, "low": 0.7, "high": 1.4}


@pytest.mark.parametrize(
    ("dist", "mean", "std"),
    [
        (UNIFORM, 1.25, 1.5 / np.sqrt(12)),
        (LOG_UNIFORM, 1.5 / np.log(4), None),  # E = (b - a) / ln(b / a)
        (GAUSSIAN, 1.0, None),
    ],
)
def test_samples_in_bounds_with_the_right_statistics(dist: dict, mean: float, std) -> None:
    core = robodrl.make_core("Pendulum", 4000, seed=0, randomization=_doc(_mass(dist)))
    nominal = core.model.body("pole").mass[0]
    scale = core.batch.expanded("body_mass")[:, core.model.body("pole").id] / nominal
    low, high = dist["low"], dist["high"]
    assert scale.min() >= low and scale.max() <= high
    assert abs(scale.mean() - mean) < 0.02
    if std is not None:
        assert abs(scale.std() - std) < 0.02
    if dist["type"] == "gaussian":
        # clipped at -1.5 and +2 std: P(z < -1.5) = 0.067 and P(z > 2) = 0.023 sit on the bounds
        assert abs(np.isclose(scale, low).mean() - 0.0668) < 0.012
        assert abs(np.isclose(scale, high).mean() - 0.0228) < 0.008
        inside = scale[(scale > low) & (scale < high)]
        assert abs(inside.std() - 0.2) < 0.05


def test_mass_scale_scales_inertia_and_derived_constants() -> None:
    core = robodrl.make_core("Pendulum", 3, seed=0, randomization=_doc(_mass(UNIFORM)))
    pole = core.model.body("pole").id
    scale = core.batch.expanded("body_mass")[:, pole] / core.model.body_mass[pole]
    for i in range(3):
        model = core.get_model(i)
        assert np.isclose(model.body_mass[pole], scale[i] * core.model.body_mass[pole])
        np.testing.assert_allclose(
            model.body_inertia[pole], scale[i] * core.model.body_inertia[pole]
        )
        # derived by mj_setConst: the world's subtree mass follows
        assert np.isclose(model.body_subtreemass[0], core.model.body_subtreemass[0] * scale[i])
    # gravity torque of a static horizontal pose scales with the mass
    bias = core.batch.bind("qfrc_bias")
    core.task.qpos[:] = np.pi / 2
    core.task.qvel[:] = 0.0
    core.batch.forward()
    nominal = mujoco.MjData(core.model)
    nominal.qpos[:] = np.pi / 2
    mujoco.mj_forward(core.model, nominal)
    np.testing.assert_allclose(bias[:, 0], scale * nominal.qfrc_bias[0], rtol=1e-10)


def test_com_offset_and_payload() -> None:
    doc = _doc(
        {
            "body": "torso",
            "quantity": "com_offset",
            "operation": "add",
            "distribution": {"type": "uniform", "low": -0.05, "high": 0.05},
        },
        {
            "body": "torso",
            "quantity": "payload",
            "operation": "add",
            "distribution": {"type": "uniform", "low": 0.5, "high": 1.0},
        },
    )
    core = robodrl.make_core("Quadruped", 8, seed=0, randomization=doc)
    torso = core.model.body("torso").id
    offset = core.batch.expanded("body_ipos")[:, torso] - core.model.body_ipos[torso]
    added = core.batch.expanded("body_mass")[:, torso] - core.model.body_mass[torso]
    assert (np.abs(offset) <= 0.05).all() and len(np.unique(offset)) == 24
    assert ((added >= 0.5) & (added <= 1.0)).all()
    # payload is a point mass at the centre of mass: inertia about it is unchanged
    for i in range(8):
        np.testing.assert_array_equal(
            core.get_model(i).body_inertia[torso], core.model.body_inertia[torso]
        )


def test_no_compounding_over_1000_resets() -> None:
    doc = _doc(_mass(UNIFORM), {"joint": "hinge", "quantity": "damping", "distribution": UNIFORM})
    core = robodrl.make_core("Pendulum", 2, seed=0, randomization=doc)
    pole = core.model.body("pole").id
    masses, dampings = [], []
    for _ in range(1000):
        core.reset()
        masses.append(core.batch.expanded("body_mass")[:, pole].copy())
        dampings.append(core.batch.expanded("dof_damping")[:, 0].copy())
    masses = np.array(masses) / core.model.body_mass[pole]
    dampings = np.array(dampings) / core.model.dof_damping[0]
    for values in (masses, dampings):
        assert values.min() >= 0.5 and values.max() <= 2.0
        # the last hundred resets span the same range as the first hundred
        assert abs(values[:100].mean() - values[-100:].mean()) < 0.15


def test_simulations_do_not_leak_parameters() -> None:
    core = robodrl.make_core("Cheetah", 4, seed=0, randomization="dr-default")
    before = {
        n: core.batch.expanded(n).copy() for n in ("body_mass", "geom_friction", "dof_damping")
    }
    core.reset(ids=[2])
    for name, old in before.items():
        now = core.batch.expanded(name)
        np.testing.assert_array_equal(now[[0, 1, 3]], old[[0, 1, 3]])
        assert not np.array_equal(now[2], old[2])
    # each simulation's model carries its own values, as reported in info["dr"]
    _, _, _, _, info = core.step(np.zeros((4, 6)))
    for i in range(4):
        model = core.get_model(i)
        np.testing.assert_array_equal(model.geom_friction[:, 0], info["dr"]["friction"][i][:, 0])


def test_info_dr_reports_current_values() -> None:
    core = robodrl.make_core("Quadruped", 3, seed=0, randomization="dr-default")
    _, _, _, _, info = core.step(np.zeros((3, 12)))
    torso = core.model.body("torso").id
    masses = info["dr"]["payload"][:, 0]
    np.testing.assert_array_equal(masses, core.batch.expanded("body_mass")[:, torso])
    kp = info["dr"]["kp"]
    assert kp.shape == (3, 12) and np.all((kp > 0.9 * 40 - 1e-9) & (kp < 1.1 * 40 + 1e-9))


def test_same_seed_same_draws_and_state_restores_exactly() -> None:
    def draws(core) -> np.ndarray:
        return core.batch.expanded("body_mass").copy()

    a = robodrl.make_core("Hopper", 3, seed=5, randomization="dr-wide")
    b = robodrl.make_core("Hopper", 3, seed=5, randomization="dr-wide")
    c = robodrl.make_core("Hopper", 3, seed=6, randomization="dr-wide")
    np.testing.assert_array_equal(draws(a), draws(b))
    assert not np.array_equal(draws(a), draws(c))

    saved = a.randomizer.state_dict()
    a.reset()
    expected = draws(a)
    b.reset(seed=99)  # scramble b, then restore a's saved sampler into it
    b.randomizer.load_state_dict(saved)
    b.reset()
    np.testing.assert_array_equal(draws(b), expected)


def test_curriculum_progress_scales_ranges() -> None:
    core = robodrl.make_core("Pendulum", 500, seed=0, randomization=_doc(_mass(UNIFORM)))
    pole = core.model.body("pole").id
    nominal = core.model.body_mass[pole]
    core.randomizer.set_progress(0.0)
    core.reset()
    np.testing.assert_allclose(core.batch.expanded("body_mass")[:, pole], nominal)
    core.randomizer.set_progress(0.5)
    core.reset()
    scale = core.batch.expanded("body_mass")[:, pole] / nominal
    assert scale.min() >= 0.75 - 1e-12 and scale.max() <= 1.5 + 1e-12
    assert scale.min() < 0.8 and scale.max() > 1.45
    with pytest.raises(robodrl.RobodrlError, match=r"progress must be in \[0, 1\]"):
        core.randomizer.set_progress(1.5)


def test_interval_resampling_changes_parameters_mid_episode() -> None:
    doc = _doc(_mass(UNIFORM), every_seconds=0.25)  # 5 control steps of 0.05 s
    core = robodrl.make_core("Pendulum", 2, seed=0, randomization=doc)
    pole = core.model.body("pole").id
    seen = [core.batch.expanded("body_mass")[:, pole].copy()]
    for _ in range(10):
        core.step(np.zeros((2, 1)))
        seen.append(core.batch.expanded("body_mass")[:, pole].copy())
    changes = [step for step in range(1, 11) if not np.array_equal(seen[step], seen[step - 1])]
    assert changes == [5, 10]


def test_gravity_and_friction_components() -> None:
    doc = _doc(
        {
            "world": True,
            "quantity": "gravity",
            "operation": "scale",
            "distribution": {"type": "uniform", "low": 0.9, "high": 1.1},
        },
        {
            "geom": "*_foot",
            "quantity": "friction",
            "operation": "scale",
            "component": "all",
            "distribution": {"type": "uniform", "low": 0.5, "high": 0.6},
        },
    )
    core = robodrl.make_core("Quadruped", 4, seed=0, randomization=doc)
    gravity = core.batch.expanded("opt.gravity")
    assert (gravity[:, :2] == 0).all() and (
        (-gravity[:, 2] >= 0.9 * 9.81) & (-gravity[:, 2] <= 1.1 * 9.81)
    ).all()
    foot = core.model.geom("front_left_foot").id
    ratio = core.batch.expanded("geom_friction")[:, foot] / core.model.geom_friction[foot]
    assert np.allclose(ratio, ratio[:, :1]) and ((ratio >= 0.5) & (ratio <= 0.6)).all()
    torso = core.model.geom("torso").id
    np.testing.assert_array_equal(
        core.batch.expanded("geom_friction")[:, torso],
        np.tile(core.model.geom_friction[torso], (4, 1)),
    )


def test_motor_strength_scales_actuator_force() -> None:
    doc = {"perturbations": {"motor_strength": {"low": 0.5, "high": 0.5}}}
    weak = robodrl.make_core("Cheetah", 1, seed=0, perturbations=doc)
    full = robodrl.make_core("Cheetah", 1, seed=0)
    force_weak, force_full = weak.batch.bind("actuator_force"), full.batch.bind("actuator_force")
    weak.step(np.ones((1, 6)))
    full.step(np.ones((1, 6)))
    np.testing.assert_allclose(force_weak, 0.5 * force_full)
