"""A real Ray cluster (one 2-CPU head on this machine) gives results identical to local."""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

pytest.importorskip("ray", reason="the ray extra is not installed")

from robodrl.evaluation.run import evaluate
from robodrl.resolve import validate_config
from robodrl.runs.train import train_seeds

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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A 2-CPU Ray head of its own (``ray start --block``), as on a cluster; yields its address.

    It runs out of process (Python's subprocess does not copy this test process's memory), the
    jobs reach it through ``address=`` as ``robodrl train --address`` does, and stopping it
    stops only its own processes, never another Ray cluster of this machine.
    """
    ray_cli = str(Path(sys.executable).with_name("ray"))
    address = f"127.0.0.1:{_free_port()}"
    # a short folder: Ray's unix sockets live under it, and a socket path is at most 107 bytes
    temp = Path(tempfile.mkdtemp(prefix="rray-", dir="/tmp" if os.path.isdir("/tmp") else None))
    head = [
        ray_cli, "start", "--head", "--block", "--num-cpus=2", "--node-ip-address=127.0.0.1",
        f"--port={address.split(':')[1]}", "--include-dashboard=false", "--disable-usage-stats",
        f"--temp-dir={temp}",
    ]  # fmt: skip
    # a loopback-only head for this test: no token (Ray >= 2.59 would otherwise ask this
    # driver, whose Ray settings were read when Ray was imported, for one)
    env = {**os.environ, "RAY_AUTH_MODE": "disabled"}
    log = temp / "head.log"
    with log.open("w") as out:
        process = subprocess.Popen(head, stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        _wait_until_up(process, [ray_cli, "status", f"--address={address}"], env, log)
        yield address
    finally:
        process.terminate()  # ray start --block stops the head's processes on SIGTERM
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(temp, ignore_errors=True)


def _wait_until_up(process: subprocess.Popen, status: list[str], env: dict, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the Ray head exited ({process.returncode}):\n{log.read_text()}")
        if subprocess.run(status, capture_output=True, timeout=60, env=env).returncode == 0:
            return
        time.sleep(1)
    pytest.fail(f"the Ray head did not come up in 120 s:\n{log.read_text()}")


def _params(run: Path) -> dict:
    folder = run / "checkpoints" / (run / "checkpoints" / "latest").read_text().strip()
    with zipfile.ZipFile(folder / "model.zip") as archive:
        return torch.load(io.BytesIO(archive.read("policy.pth")), weights_only=True)


def test_multi_seed_training_and_sweep_match_local(
    cluster: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROBODRL_HOME", str(tmp_path / "home"))
    config = validate_config(CONFIG)
    local = train_seeds(config, [0, 1], tmp_path / "local")
    remote = train_seeds(config, [0, 1], tmp_path / "ray", backend="ray", address=cluster)
    assert [run.name for run, _ in remote] == ["seed_0", "seed_1"]
    for (run_a, summary_a), (run_b, summary_b) in zip(local, remote, strict=True):
        a, b = _params(run_a), _params(run_b)
        assert all(torch.equal(a[k], b[k]) for k in a)
        assert summary_a["final_eval"] == summary_b["final_eval"]
    assert not all(torch.equal(v, _params(local[1][0])[k]) for k, v in _params(local[0][0]).items())

    run = local[0][0]
    _, by_local = evaluate([run], SWEEP, out=tmp_path / "eval-local")
    _, by_ray = evaluate([run], SWEEP, out=tmp_path / "eval-ray", backend="ray", address=cluster)
    assert by_local == by_ray
    assert (tmp_path / "eval-local" / "results.json").read_text() == (
        tmp_path / "eval-ray" / "results.json"
    ).read_text()
