"""Run files robodrl is handed: the signing key, a checkpoint swapped between check and load, a
config edited after training, a ``latest`` that points elsewhere, crafted ONNX metadata."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import pickle
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from robodrl.files.signing import SigningKeyError, signing_key
from robodrl.runs.loading import load_run_policy
from tests.trainers.conftest import run_cli


def _copy(run: Path, tmp_path: Path, name: str = "run") -> Path:
    return Path(shutil.copytree(run, tmp_path / name))


# -- the key ------------------------------------------------------------------------------------
def _forge(checkpoint: Path, key: bytes) -> None:
    """Sign ``checkpoint``'s files as robodrl would, with ``key``."""
    files = {
        str(p.relative_to(checkpoint)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(checkpoint.rglob("*"))
        if p.is_file() and p.name != "manifest.json"
    }
    payload = json.dumps(files, sort_keys=True, separators=(",", ":")).encode()
    signature = hmac.new(key, payload, hashlib.sha256).hexdigest()
    (checkpoint / "manifest.json").write_text(json.dumps({"files": files, "signature": signature}))


@pytest.mark.parametrize("key", [b"", b"short"])
def test_an_empty_or_short_key_is_refused(
    ppo_run: Path, tmp_path: Path, key: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "signing.key").write_bytes(key)
    os.chmod(home / "signing.key", 0o600)
    forged = _copy(ppo_run, tmp_path)
    _forge(forged / "checkpoints" / "best", key)  # anyone can compute HMAC with a known key
    out = tmp_path / "export"
    result = run_cli("export", str(forged), "--out", str(out), env={"ROBODRL_HOME": str(home)})
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{len(key)} bytes, a signing key has 32" in result.stderr
    assert f"remove {home / 'signing.key'}" in result.stderr
    assert not out.exists()
    monkeypatch.setenv("ROBODRL_HOME", str(home))
    with pytest.raises(SigningKeyError):
        signing_key()


def test_a_key_others_can_read_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROBODRL_HOME", str(tmp_path))
    key = signing_key()
    os.chmod(tmp_path / "signing.key", 0o644)
    with pytest.raises(SigningKeyError, match="chmod 600"):
        signing_key()
    os.chmod(tmp_path / "signing.key", 0o600)
    assert signing_key() == key


def test_racing_first_starts_share_one_whole_key(tmp_path: Path) -> None:
    code = "from robodrl.files.signing import signing_key; print(signing_key().hex())"
    env = {**os.environ, "ROBODRL_HOME": str(tmp_path / "home")}
    processes = [
        subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env)
        for _ in range(12)
    ]
    keys = {p.communicate(timeout=120)[0].strip() for p in processes}
    assert all(p.returncode == 0 for p in processes)
    assert len(keys) == 1 and len(keys.pop()) == 64
    assert [p.name for p in (tmp_path / "home").iterdir()] == ["signing.key"]  # no temp files


# -- check, then load the same bytes --------------------------------------------------------------
def _evil_model(model: Path, marker: Path, out: Path) -> Path:
    """``model`` (an SB3 zip) with a pickle that touches ``marker`` when SB3 loads it."""

    class Touch:
        def __reduce__(self):
            return os.system, (f"touch {marker}",)

    with zipfile.ZipFile(model) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "data":
                document = json.loads(data)
                payload = base64.b64encode(pickle.dumps(Touch())).decode()
                document["evil"] = {":type:": "x", ":serialized:": payload}
                data = json.dumps(document).encode()
            target.writestr(item, data)
    return out


def test_a_file_swapped_after_the_check_is_never_loaded(
    ppo_run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import robodrl.files.signing

    marker = tmp_path / "marker"
    run = _copy(ppo_run, tmp_path)
    model = run / "checkpoints" / "best" / "model.zip"
    evil = _evil_model(model, marker, tmp_path / "evil.zip")
    proof = _copy(ppo_run, tmp_path, "proof")  # the payload is real: loaded, it runs
    shutil.copy(evil, proof / "checkpoints" / "best" / "model.zip")
    load_run_policy(proof, trust=True)
    assert marker.exists()
    marker.unlink()

    verify = robodrl.files.signing.verify_folder

    def verify_then_swap(folder: Path, *, trust: bool = False) -> None:
        verify(folder, trust=trust)
        shutil.copy(evil, model)  # the writer swaps the file right after the check

    monkeypatch.setattr(robodrl.files.signing, "verify_folder", verify_then_swap)
    policy = load_run_policy(run)
    assert not marker.exists()
    assert policy.checkpoint == run / "checkpoints" / "best"
    assert policy.act(__import__("numpy").zeros((1, 3), "float32")).shape == (1, 1)


# -- files outside the signature ------------------------------------------------------------------
def test_an_edited_config_is_refused_on_every_load(ppo_run: Path, tmp_path: Path) -> None:
    run = _copy(ppo_run, tmp_path)
    config = yaml.safe_load((run / "config.yaml").read_text())
    config["env"]["task"] = {"frame_skip": 25}  # 0.05 s control period becomes 0.25 s
    (run / "config.yaml").write_text(yaml.safe_dump(config))
    out = tmp_path / "export"
    for args in (["export", str(run), "--out", str(out)], ["train", "--resume", str(run)]):
        result = run_cli(*args)
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert "config.yaml was edited since this checkpoint's signature" in result.stderr
    assert not out.exists()
    trusted = run_cli("export", str(run), "--out", str(out), "--trust")
    assert trusted.returncode == 0, trusted.stderr
    assert json.loads((out / "manifest.json").read_text())["control_dt"] == pytest.approx(0.25)


@pytest.mark.parametrize(
    "pointer",
    [
        "../../elsewhere/checkpoints/step_000000000512",
        pytest.param("/tmp", marks=pytest.mark.slow),
        pytest.param("..", marks=pytest.mark.slow),
    ],
)
def test_latest_may_only_name_a_step_of_this_run(
    ppo_run: Path, tmp_path: Path, pointer: str
) -> None:
    run = _copy(ppo_run, tmp_path)
    before = sorted(p.name for p in (run / "checkpoints").iterdir())
    (run / "checkpoints" / "latest").write_text(pointer + "\n")
    result = run_cli("train", "--resume", str(run), "--set", "total_steps=2048")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "may only name a step_<n> folder of this run" in result.stderr
    assert sorted(p.name for p in (run / "checkpoints").iterdir()) == before
    named = run_cli("export", str(run), "--checkpoint", "..", "--out", str(tmp_path / "x"))
    assert named.returncode == 2 and "no checkpoint '..'" in named.stderr


# -- ONNX metadata --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("obs_dim", "5", "obs_dim = 5, but the graph's input 'obs' has shape"),
        ("ctrl_low", "[-2.0, -2.0]", r"ctrl_low = '\[-2.0, -2.0\]' is not a list of 1 finite"),
        ("ctrl_low", "[4.0]", r"ctrl_low\[0\] = 4.0 is not below ctrl_high\[0\] = 4.0"),
        ("obs_layout", "{not json", "obs_layout = '{not json' is not valid JSON"),
        ("control_dt", "0", r"control_dt = 0.0; a control period is in \(0, 10\] s"),
        ("actuator_names", '"torque"', "actuator_names = '\"torque\"' is not a JSON list"),
    ],
)
def test_crafted_onnx_metadata_is_refused(
    policy_file: Path, tmp_path: Path, field: str, value: str, message: str
) -> None:
    import onnx

    from robodrl.runtime import OnnxPolicy, RuntimePolicyError

    model = onnx.load(policy_file)
    for prop in model.metadata_props:
        if prop.key == field:
            prop.value = value
    crafted = tmp_path / "policy.onnx"
    onnx.save(model, crafted)
    with pytest.raises(RuntimePolicyError, match=message):
        OnnxPolicy(crafted)
    result = run_cli("run-onnx", str(crafted))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"metadata {field}" in result.stderr


def test_a_link_in_a_checkpoint_is_never_followed(ppo_run: Path, tmp_path: Path) -> None:
    run = _copy(ppo_run, tmp_path)
    (run / "checkpoints" / "best" / "endless").symlink_to("/dev/zero")  # would copy forever
    for trust in ([], ["--trust"]):
        result = run_cli("export", str(run), "--out", str(tmp_path / "x"), *trust, timeout=120)
        assert result.returncode == 2 and "a link or special file" in result.stderr
    assert not (tmp_path / "x").exists()


def test_a_key_that_is_a_link_or_a_fifo_is_refused_without_waiting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROBODRL_HOME", str(tmp_path))
    os.mkfifo(tmp_path / "signing.key")  # opening it for reading would wait for a writer
    with pytest.raises(SigningKeyError, match="not a regular file"):
        signing_key()
    (tmp_path / "signing.key").unlink()
    (tmp_path / "signing.key").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(SigningKeyError, match="cannot be read as a key"):
        signing_key()
