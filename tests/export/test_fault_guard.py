"""The bare ONNX graph (no robodrl runtime) maps a non-finite observation row to the safe
command and flags it; finite rows are untouched. The metadata lists the actuated joints."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort

from robodrl.export.latency import without_fault_guard
from robodrl.export.metadata import actuated_joints
from robodrl.make import make_core


def test_non_finite_rows_get_the_safe_command(policy_file: Path) -> None:
    session = ort.InferenceSession(str(policy_file), providers=["CPUExecutionProvider"])
    assert [o.name for o in session.get_outputs()] == ["action", "fault"]
    props = {
        p.key: json.loads(p.value)
        for p in onnx.load(policy_file).metadata_props
        if p.key in ("ctrl_low", "ctrl_high")
    }
    safe = (np.array(props["ctrl_low"]) + np.array(props["ctrl_high"])) / 2
    obs = np.random.default_rng(0).normal(size=(6, 3)).astype(np.float32)
    clean_action, clean_fault = session.run(None, {"obs": obs})
    assert not clean_fault.any() and clean_fault.shape == (6, 1)
    bad = obs.copy()
    bad[1, 0], bad[3, 2], bad[4, 1] = np.nan, np.inf, -np.inf
    bad[5] = 3e38  # huge but finite: not a fault
    action, fault = session.run(None, {"obs": bad})
    assert fault[:, 0].tolist() == [False, True, False, True, True, False]
    np.testing.assert_array_equal(action[[1, 3, 4]], np.tile(safe, (3, 1)).astype(np.float32))
    np.testing.assert_array_equal(action[[0, 2]], clean_action[[0, 2]])
    assert np.isfinite(action).all()


def test_the_guard_can_be_taken_out_for_measuring(policy_file: Path) -> None:
    model = without_fault_guard(onnx.load(policy_file))
    onnx.checker.check_model(model, full_check=True)
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    guarded = ort.InferenceSession(str(policy_file), providers=["CPUExecutionProvider"])
    obs = np.random.default_rng(1).normal(size=(8, 3)).astype(np.float32)
    np.testing.assert_array_equal(
        session.run(None, {"obs": obs})[0], guarded.run(["action"], {"obs": obs})[0]
    )
    assert len(session.get_outputs()) == 1


def test_joint_names_are_the_actuated_joints_in_actuator_order(policy_file: Path) -> None:
    core = make_core("Quadruped", 1)
    names = actuated_joints(core.model)
    assert len(names) == core.action_dim == 12
    for i, name in enumerate(names):
        assert core.model.joint(name).id == core.model.actuator_trnid[i, 0]
    props = {p.key: p.value for p in onnx.load(policy_file).metadata_props}
    pendulum = make_core("Pendulum", 1)
    assert json.loads(props["joint_names"]) == actuated_joints(pendulum.model)
    assert len(json.loads(props["joint_names"])) == pendulum.action_dim
