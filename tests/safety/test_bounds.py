"""Unbounded sizes are refused before anything is allocated, each naming the field and what
would fit; and the last tracebacks of the bad-input probe are clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from robodrl.errors import ConfigError
from tests.trainers.conftest import run_cli

PLANNER = {
    "env": {"id": "robodrl/Pendulum-v0"},
    "planner": {"name": "predictive_sampling", "samples": 16, "horizon_seconds": 1.0},
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"horizon_seconds": 1.0e6}, "planner.horizon_seconds: Input should be less than or eq"),
        ({"iterations": 10**9}, "planner.iterations: Input should be less than or equal to 1000"),
        ({"samples": 10**7}, "planner.samples: Input should be less than or equal to 65536"),
        ({"samples": 60000, "horizon_seconds": 60.0},
         r"planner.samples x horizon_seconds: 60,000 candidates .* x 1,200 control steps"),
    ],
)  # fmt: skip
def test_huge_planners_are_refused_before_they_are_built(
    tmp_path: Path, change: dict, message: str
) -> None:
    from robodrl.planners import load_planner

    document = {**PLANNER, "planner": {**PLANNER["planner"], **change}}
    path = tmp_path / "planner.yaml"
    path.write_text(yaml.safe_dump(document))
    with pytest.raises(ConfigError, match=message):
        load_planner(path)


def test_huge_training_configs_are_refused(tmp_path: Path) -> None:
    from robodrl.resolve import load_config

    with pytest.raises(ConfigError, match=r"total_steps: Input should be less than or equal to"):
        load_config("pendulum_ppo", ["total_steps=1e21"])
    with pytest.raises(ConfigError, match=r"net_arch\[0\]: Input should be less than or equal"):
        load_config("pendulum_ppo", ["policy.net_arch=[200000, 200000]"])
    with pytest.raises(ConfigError, match=r"net_arch: \[60000, 60000, 60000\] holds .* GiB"):
        load_config("pendulum_ppo", ["policy.net_arch=[60000, 60000, 60000]"])


def test_command_line_sizes_and_places(ppo_run: Path, policy_file: Path, tmp_path: Path) -> None:
    for steps in ("0", "-1"):
        result = run_cli("run-onnx", str(policy_file), "--steps", steps)
        assert result.returncode == 2 and "--steps must be from 1" in result.stderr
    a_file = tmp_path / "a-file"
    a_file.write_text("mine")
    result = run_cli("train", "pendulum_ppo", "--run-dir", str(a_file))
    assert result.returncode == 2 and "is a file; give a new or empty folder" in result.stderr
    assert a_file.read_text() == "mine"
    out = tmp_path / "huge-v0"
    result = run_cli("demos", "record", str(ppo_run), "--episodes", "100000000", "--out", str(out))
    assert result.returncode == 2 and "--episodes 100,000,000: up to" in result.stderr
    assert "Traceback" not in result.stderr and not out.exists()
