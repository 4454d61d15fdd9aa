"""Export refuses what it cannot vouch for, and a failed gate leaves nothing behind."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from robodrl.export import exporter, graph
from robodrl.export.graph import ExportError
from robodrl.files.signing import UntrustedRunError


def test_untrusted_run_is_refused_unless_trust(
    ppo_run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROBODRL_HOME", str(tmp_path / "another-account"))
    with pytest.raises(UntrustedRunError, match="another account"):
        exporter.export_run(ppo_run, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    out, manifest = exporter.export_run(ppo_run, tmp_path / "out", trust=True)
    assert manifest["parity"]["passed"] and (out / "policy.onnx").is_file()


def test_injected_parity_failure_leaves_no_files(
    ppo_run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_build = graph.build_onnx

    def off_by_a_little(layers, **kwargs):
        last = layers[-1]
        bias = last.bias + np.float32(1e-3)  # a wrong graph: every command off by ~4e-3 N·m
        layers = [*layers[:-1], graph.Layer("linear", last.weight, bias)]
        return real_build(layers, **kwargs)

    monkeypatch.setattr(exporter, "build_onnx", off_by_a_little)
    out = tmp_path / "out"
    with pytest.raises(ExportError, match="parity gate failed, nothing written"):
        exporter.export_run(ppo_run, out)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # no temp folder either


def test_bad_run_arguments(ppo_run: Path, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="not a run directory"):
        exporter.export_run(tmp_path, tmp_path / "out")
    with pytest.raises(ExportError, match=r"no checkpoint 'step_9'; checkpoints: \["):
        exporter.export_run(ppo_run, tmp_path / "out", checkpoint="step_9")


def test_cli_export_exit_codes(ppo_run: Path, tmp_path: Path) -> None:
    from robodrl.cli import main

    assert main(["export", str(ppo_run), "--out", str(tmp_path / "ok")]) == 0
    assert main(["export", str(tmp_path / "nowhere")]) == 2
