"""The onboard runtime: torch-free, strict about inputs, safe on non-finite observations."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import pytest

from robodrl.runtime import OnnxPolicy, RuntimePolicyError


def test_runtime_imports_only_numpy_and_onnxruntime(policy_file: Path) -> None:
    code = (
        "import sys\n"
        "import numpy as np\n"
        "from robodrl.runtime import OnnxPolicy\n"
        f"p = OnnxPolicy({str(policy_file)!r})\n"
        "p.act(np.zeros(p.obs_dim, np.float32))\n"
        "heavy = [m for m in ('torch', 'mujoco', 'gymnasium', 'stable_baselines3', 'sb3_contrib',"
        " 'pydantic', 'yaml') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_non_finite_rows_get_the_safe_action_and_count(policy_file: Path) -> None:
    policy = OnnxPolicy(policy_file)
    obs = np.zeros((4, policy.obs_dim), np.float32)
    obs[1, 0], obs[3, 2] = np.nan, np.inf
    commands = policy.act(obs)
    assert np.isfinite(commands).all() and policy.faults == 2
    np.testing.assert_array_equal(commands[[1, 3]], np.tile(policy.neutral, (2, 1)))
    good = policy.act(obs[[0, 2]])
    np.testing.assert_array_equal(commands[[0, 2]], good)


def test_hold_last_repeats_the_previous_command(policy_file: Path) -> None:
    policy = OnnxPolicy(policy_file, safe_action="hold_last")
    first = policy.act(np.array([0.0, 1.0, 0.5], np.float32))
    held = policy.act(np.array([np.nan, 1.0, 0.5], np.float32))
    np.testing.assert_array_equal(first, held)
    assert policy.faults == 1


@pytest.mark.parametrize(
    ("obs", "expected"),
    [
        (np.zeros(4, np.float32), r"shape is \(4,\); expected \(3,\) or \(batch, 3\)"),
        (np.zeros((2, 2, 3), np.float32), r"shape is \(2, 2, 3\)"),
        (np.zeros(3, np.float64), r"dtype is float64; expected float32"),
        ([0.0, 0.0, 0.0], r"must be a numpy array"),
    ],
)
def test_bad_observations_are_refused_before_inference(policy_file: Path, obs, expected) -> None:
    policy = OnnxPolicy(policy_file)
    with pytest.raises(RuntimePolicyError, match=expected):
        policy.act(obs)
    assert policy.latency_ms()["calls"] == 0


def test_file_missing_a_metadata_key_is_refused(policy_file: Path, tmp_path: Path) -> None:
    model = onnx.load(policy_file)
    kept = [p for p in model.metadata_props if p.key != "ctrl_high"]
    del model.metadata_props[:]
    model.metadata_props.extend(kept)
    broken = tmp_path / "broken.onnx"
    onnx.save(model, broken)
    with pytest.raises(RuntimePolicyError, match=r"metadata keys missing: \['ctrl_high'\]"):
        OnnxPolicy(broken)


def test_unreadable_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(RuntimePolicyError, match="no such policy file"):
        OnnxPolicy(tmp_path / "missing.onnx")
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"not an onnx model")
    with pytest.raises(RuntimePolicyError, match="not a loadable ONNX model"):
        OnnxPolicy(junk)
    with pytest.raises(RuntimePolicyError, match="safe_action"):
        OnnxPolicy(junk, safe_action="brake")


def test_run_onnx_smoke_test(policy_file: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "robodrl.cli", "run-onnx", str(policy_file), "--steps", "50"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "robodrl/Pendulum-v0 (ppo)" in result.stdout and "faults: 1" in result.stdout


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        (None, "not a readable team manifest"),
        ("{", "not a readable team manifest"),
        ('{"env_id": "robodrl/Cheetah-v0"}', "not an exported team \\(no 'team' entry\\)"),
        ('{"team": {"agents": {"back_leg": {"file": "back_leg.onnx", "obs_index": [0], '
         '"actuators": [0]}}}, "env_id": "x", "obs_dim": 1, "act_dim": 1, '
         '"actuator_names": ["a"]}', "back_leg.onnx: no such policy file"),
    ],
)  # fmt: skip
def test_a_folder_that_is_not_an_exported_team_is_refused(
    tmp_path: Path, manifest: str | None, message: str
) -> None:
    from robodrl.runtime import OnnxTeam

    if manifest is not None:
        (tmp_path / "manifest.json").write_text(manifest)
    with pytest.raises(RuntimePolicyError, match=message):
        OnnxTeam(tmp_path)
