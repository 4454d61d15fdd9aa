"""A real Ray local cluster (2 CPUs) gives results identical to the local backend."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
import torch

ray = pytest.importorskip("ray", reason="the ray extra is not installed")

from robodrl.config import validate_config  # noqa: E402
from robodrl.evaluation.run import evaluate  # noqa: E402
from robodrl.trainers.run import train_seeds  # noqa: E402

CONFIG = {
    "env": {"id": "Pendulum", "num_envs": 2},
    "algorithm": {"name": "ppo", "hyperparameters": {"n_steps": 32, "batch_size": 64}},
    "policy": {"net_arch": [16, 16]},
    "total_steps": 256,
    "eval": {"every_steps": 256, "episodes": 1},
    "checkpoint": {"every_steps": 256},
}
SWEEP = {
    "name": "mass-noise",
    "episodes": 2,
    "axes": [
        {"name": "mass", "randomize": {"body": "pole", "quantity": "mass"}, "values": [0.8, 1.2]},
        {"name": "noise", "perturb": "observation_noise", "values": [0.0, 0.1]},
    ],
}


@pytest.fixture(scope="module")
def cluster():
    ray.init(num_cpus=2, include_dashboard=False, logging_level="ERROR", log_to_driver=False)
    yield
    ray.shutdown()


def _params(run: Path) -> dict:
    folder = run / "checkpoints" / (run / "checkpoints" / "latest").read_text().strip()
    with zipfile.ZipFile(folder / "model.zip") as archive:
        return torch.load(io.BytesIO(archive.read("policy.pth")), weights_only=True)


def test_multi_seed_training_and_sweep_match_local(
    cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROBODRL_HOME", str(tmp_path / "home"))
    config = validate_config(CONFIG)
    local = train_seeds(config, [0, 1], tmp_path / "local")
    remote = train_seeds(config, [0, 1], tmp_path / "ray", backend="ray")
    assert [run.name for run, _ in remote] == ["seed_0", "seed_1"]
    for (run_a, summary_a), (run_b, summary_b) in zip(local, remote, strict=True):
        a, b = _params(run_a), _params(run_b)
        assert all(torch.equal(a[k], b[k]) for k in a)
        assert summary_a["final_eval"] == summary_b["final_eval"]
    assert not all(torch.equal(v, _params(local[1][0])[k]) for k, v in _params(local[0][0]).items())

    run = local[0][0]
    _, by_local = evaluate([run], SWEEP, out=tmp_path / "eval-local")
    _, by_ray = evaluate([run], SWEEP, out=tmp_path / "eval-ray", backend="ray")
    assert by_local == by_ray
    assert (tmp_path / "eval-local" / "results.json").read_text() == (
        tmp_path / "eval-ray" / "results.json"
    ).read_text()
