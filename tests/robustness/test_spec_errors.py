"""Bad randomization / perturbation input is refused with the field and the valid choices."""

from __future__ import annotations

import pytest

import robodrl
from robodrl.errors import ConfigError


def _param(**overrides) -> dict:
    param = {
        "body": "pole",
        "quantity": "mass",
        "operation": "scale",
        "distribution": {"type": "uniform", "low": 0.8, "high": 1.2},
    }
    param.update(overrides)
    return {"randomization": {"params": [param]}}


def _make(doc: dict, env_id: str = "Pendulum") -> None:
    robodrl.make_core(env_id, 2, seed=0, randomization=doc, perturbations=doc)


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"body": "pol"}, r"no body matches 'pol'; valid body names: pole"),
        ({"body": None, "geom": "bob"}, r"needs exactly the target body"),
        ({"distribution": {"type": "uniform", "low": 0.0, "high": 1.2}}, r"must be > 0"),
        ({"distribution": {"type": "uniform", "low": -1.0, "high": 1.2}}, r"must be > 0"),
        (
            {"distribution": {"type": "uniform", "low": 1.5, "high": 1.2}},
            r"low \(1.5\) must be <= high",
        ),
        ({"distribution": {"type": "uniform", "low": float("nan"), "high": 1.2}}, r"low: .*finite"),
        (
            {"distribution": {"type": "uniform", "low": 0.9, "high": float("inf")}},
            r"high: .*finite",
        ),
        ({"distribution": {"type": "beta", "a": 1}}, r"params\[0\]\.distribution"),
        ({"distribution": {"type": "loguniform", "low": 0, "high": 1}}, r"must be > 0"),
        ({"quantity": "timestep"}, r"randomizing the timestep is refused"),
        ({"quantity": "masss"}, r"unknown quantity 'masss'; valid quantities: mass"),
        ({"operation": "multiply"}, r"params\[0\]\.operation"),
        ({"quantity": "payload"}, r"operation 'scale' is not valid for 'payload'; use add"),
        ({"colour": "red"}, r"params\[0\]\.colour: unknown field"),
        ({"unit": "robot_mass"}, r"unit: robot_mass is for masses in kg .*not 'mass' with 'scale'"),
        ({"unit": "pounds"}, r"params\[0\]\.unit"),
    ],
)
def test_bad_parameter_names_the_field(overrides: dict, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        _make(_param(**overrides))


def test_negative_friction_is_refused() -> None:
    doc = _param(
        body=None,
        geom="*",
        quantity="friction",
        operation="set",
        distribution={"type": "uniform", "low": -0.1, "high": 0.5},
    )
    with pytest.raises(ConfigError, match=r"cannot be set below 0"):
        _make(doc, "Cheetah")


def test_add_that_would_go_negative_is_refused() -> None:
    doc = _param(
        body=None,
        joint="hinge",
        quantity="damping",
        operation="add",
        distribution={"type": "uniform", "low": -1.0, "high": 0.5},
    )
    with pytest.raises(ConfigError, match=r"would make it negative"):
        _make(doc)


def test_unknown_joint_and_actuator_names_list_valid_ones() -> None:
    doc = _param(body=None, joint="kne", quantity="damping")
    with pytest.raises(
        ConfigError, match=r"valid joint names: root_x, root_z, root_pitch, back_hip"
    ):
        _make(doc, "Cheetah")
    doc = _param(body=None, actuator="hipp", quantity="gain")
    with pytest.raises(ConfigError, match=r"valid actuator names: back_hip, back_knee"):
        _make(doc, "Cheetah")


def test_pd_gains_need_position_actuators() -> None:
    doc = _param(body=None, actuator="*", quantity="kp")
    with pytest.raises(ConfigError, match=r"kp needs PD position actuators"):
        _make(doc, "Cheetah")


def test_force_limit_needs_limited_actuators() -> None:
    doc = _param(body=None, actuator="*", quantity="force_limit")
    with pytest.raises(ConfigError, match=r"have no force limit"):
        _make(doc, "Cheetah")


def test_duplicate_parameter_names_are_refused() -> None:
    doc = _param()
    doc["randomization"]["params"].append(dict(doc["randomization"]["params"][0]))
    with pytest.raises(ConfigError, match=r"must be unique; repeated: \['mass:pole'\]"):
        _make(doc)


@pytest.mark.parametrize(
    ("perturbations", "expected"),
    [
        ({"observation_noise": [{"group": "gyro", "std": 0.1}]}, r"valid groups: all, pole_cos"),
        ({"observation_noise": [{"group": "all", "std": -0.1}]}, r"observation_noise\[0\]\.std"),
        ({"observation_latency_steps": -1}, r"observation_latency_steps"),
        ({"observation_latency_steps": {"low": 3, "high": 1}}, r"observation_latency_steps"),
        ({"observation_dropout": 1.0}, r"observation_dropout"),
        ({"motor_strength": {"low": 0.0, "high": 1.0}}, r"motor_strength.low must be > 0"),
        ({"action_noise": 0.1}, r"action_noise: unknown field"),
    ],
)
def test_bad_perturbations_name_the_field(perturbations: dict, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        _make({"perturbations": perturbations})


def test_velocity_kick_needs_a_free_body() -> None:
    push = {
        "body": "torso",
        "kind": "velocity",
        "magnitude": {"low": 0, "high": 1},
        "interval_seconds": {"low": 1, "high": 2},
    }
    with pytest.raises(ConfigError, match=r"has no free joint.*use kind: force"):
        _make({"perturbations": {"pushes": [push]}}, "Cheetah")
    push["body"] = "tors"
    with pytest.raises(ConfigError, match=r"no body matches 'tors'"):
        _make({"perturbations": {"pushes": [push]}}, "Cheetah")


def test_unknown_preset_lists_presets() -> None:
    with pytest.raises(ConfigError, match=r"unknown preset 'dr-defualt'.*'dr-default', 'dr-wide'"):
        _make("dr-defualt")  # type: ignore[arg-type]


def test_yaml_file_errors_name_the_file(tmp_path) -> None:
    missing = tmp_path / "missing.yaml"
    with pytest.raises(ConfigError, match=r"missing.yaml: no such file"):
        _make(str(missing))  # type: ignore[arg-type]
    duplicate = tmp_path / "dup.yaml"
    duplicate.write_text("randomization:\n  params: []\nrandomization:\n  params: []\n")
    with pytest.raises(ConfigError, match=r"dup.yaml: duplicate key 'randomization' at line 3"):
        _make(str(duplicate))  # type: ignore[arg-type]
    bad_root = tmp_path / "list.yaml"
    bad_root.write_text("- 1\n- 2\n")
    with pytest.raises(ConfigError, match=r"list.yaml: the document must be a mapping"):
        _make(str(bad_root))  # type: ignore[arg-type]
    tagged = tmp_path / "tag.yaml"
    tagged.write_text("randomization: !!python/object/apply:os.system ['true']\n")
    with pytest.raises(ConfigError, match=r"tag.yaml: not valid YAML"):
        _make(str(tagged))  # type: ignore[arg-type]


def test_a_preset_with_fields_replaced() -> None:
    kick = {"body": "@base", "kind": "velocity", "magnitude": {"low": 0.5, "high": 1.25},
            "interval_seconds": {"low": 1.5, "high": 4.0}}  # fmt: skip
    core = robodrl.make_core("robodrl/Legged-v1", 2, perturbations={"preset": "dr-default",
                                                                   "pushes": [kick]})  # fmt: skip
    preset = robodrl.make_core("robodrl/Legged-v1", 2, perturbations="dr-default").perturber.spec
    spec = core.perturber.spec
    assert spec.pushes[0].magnitude.high == 1.25 and preset.pushes[0].magnitude.high != 1.25
    assert spec.model_dump(exclude={"pushes"}) == preset.model_dump(exclude={"pushes"})


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ({"preset": "dr-defualt"}, r"perturbations\.preset: unknown preset 'dr-defualt'.*dr-wide"),
        ({"preset": 3}, r"perturbations\.preset: a preset name or a YAML path, got int"),
        ({"preset": "dr-default", "kicks": []}, r"perturbations\.kicks: unknown field"),
        ({"preset": "dr-default", "pushes": [{"body": "@base"}]}, r"pushes\[0\]\.kind: Field"),
    ],
)
def test_a_wrong_preset_with_fields_names_the_field(section: dict, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        robodrl.make_core("robodrl/Legged-v1", 2, perturbations=section)
