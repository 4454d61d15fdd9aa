"""Every algorithm exports to one ONNX file that matches torch, in and far outside its range."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import pytest

from robodrl.export.exporter import export_run
from robodrl.runtime import REQUIRED_METADATA, OnnxPolicy
from tests.export.conftest import TINY, train_small


@pytest.mark.parametrize("name", list(TINY))
def test_export_passes_parity_for_every_algorithm(name: str, tmp_path: Path) -> None:
    run = train_small(tmp_path, name)
    out, manifest = export_run(run, tmp_path / "exported", checkpoint="latest")
    model = onnx.load(out / "policy.onnx")
    onnx.checker.check_model(model, full_check=True)
    assert model.opset_import[0].version >= 17
    props = {p.key: p.value for p in model.metadata_props}
    assert set(REQUIRED_METADATA) <= set(props)
    assert props["algorithm"] == name and json.loads(props["training_steps"]) >= 1024
    parity = manifest["parity"]
    assert parity["passed"] and parity["observations"] >= 10_000
    assert parity["max_abs_diff"] <= 1e-5 and parity["max_rel_diff_100x_outside"] <= 1e-4
    assert manifest["closed_loop"]["passed"]
    on_disk = json.loads((out / "manifest.json").read_text())
    assert on_disk["files"]["policy.onnx"] == manifest["files"]["policy.onnx"]
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "policy.onnx"]


def test_exported_commands_are_in_actuator_units_and_clipped(ppo_run: Path, tmp_path: Path) -> None:
    out, _ = export_run(ppo_run, tmp_path / "exported")
    policy = OnnxPolicy(out / "policy.onnx")
    huge = np.full((64, policy.obs_dim), 1e6, dtype=np.float32) * np.random.default_rng(0).choice(
        [-1, 1], (64, policy.obs_dim)
    ).astype(np.float32)
    commands = policy.act(huge)
    assert commands.shape == (64, 1)
    assert (commands >= policy.ctrl_low).all() and (commands <= policy.ctrl_high).all()
    assert policy.ctrl_high[0] == 4.0  # the pendulum motor's N·m, not the [-1, 1] action


def test_export_without_normalization(tmp_path: Path) -> None:
    run = train_small(tmp_path, "ppo", env_id="ArmReach", normalize={"observations": False})
    _, manifest = export_run(run, tmp_path / "exported")
    assert manifest["normalized_observations"] is False and manifest["parity"]["passed"]
