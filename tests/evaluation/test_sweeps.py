"""Robustness sweeps: exact nominal cells, determinism, run vs exported file, outputs, errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from robodrl.errors import ConfigError
from robodrl.evaluation.run import evaluate
from robodrl.export.exporter import export_run

MASS_NOISE = {
    "name": "mass-noise",
    "episodes": 3,
    "axes": [
        {
            "name": "mass_scale",
            "randomize": {"body": "pole", "quantity": "mass", "operation": "scale"},
            "values": [0.8, 1.0, 1.2],
        },
        {"name": "noise", "perturb": "observation_noise", "values": [0.0, 0.1]},
    ],
}


@pytest.fixture(scope="module")
def onnx_file(ppo_run: Path, tmp_path_factory, signing_home_session: Path) -> Path:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ROBODRL_HOME", str(signing_home_session))
        out, _ = export_run(ppo_run, tmp_path_factory.mktemp("onnx") / "pendulum")
    return out / "policy.onnx"


def test_nominal_cell_equals_nominal_evaluation_and_is_deterministic(
    ppo_run: Path, tmp_path: Path
) -> None:
    _, first = evaluate([ppo_run], MASS_NOISE, out=tmp_path / "a")
    _, second = evaluate([ppo_run], MASS_NOISE, out=tmp_path / "b")
    result = first[0]
    nominal_cell = next(
        c for c in result["cells"] if c["values"] == {"mass_scale": 1.0, "noise": 0.0}
    )
    assert nominal_cell["returns"] == result["nominal"]["returns"]
    assert nominal_cell["normalized_return"] == 1.0
    assert first == second
    assert (tmp_path / "a" / "results.json").read_text() == (
        tmp_path / "b" / "results.json"
    ).read_text()
    heavier = next(c for c in result["cells"] if c["values"] == {"mass_scale": 1.2, "noise": 0.0})
    assert heavier["returns"] != nominal_cell["returns"]  # the sweep really changed the physics


def test_run_directory_and_exported_file_agree(
    ppo_run: Path, onnx_file: Path, tmp_path: Path
) -> None:
    _, results = evaluate(
        [ppo_run, onnx_file], "observation-noise", out=tmp_path / "out", episodes=2
    )
    run, exported = results
    np.testing.assert_allclose(exported["nominal"]["returns"], run["nominal"]["returns"], rtol=1e-3)
    for a, b in zip(run["cells"], exported["cells"], strict=True):
        np.testing.assert_allclose(b["mean_return"], a["mean_return"], rtol=1e-2, atol=1.0)


def test_outputs_are_complete_and_self_contained(ppo_run: Path, tmp_path: Path) -> None:
    out, results = evaluate([ppo_run], MASS_NOISE, out=tmp_path / "report")
    names = sorted(p.name for p in out.iterdir())
    assert names == ["heatmap.png", "report.html", "report.md", "results.csv", "results.json"]
    rows = list(csv.DictReader((out / "results.csv").open()))
    assert len(rows) == 6 and set(rows[0]) >= {"policy", "mass_scale", "noise", "cvar10_return"}
    page = (out / "report.html").read_text()
    assert 'src="data:image/png;base64,' in page and "http" not in page.replace("https", "")
    data = json.loads((out / "results.json").read_text())
    cell = data["policies"][0]["cells"][0]
    for key in (
        "mean_return",
        "std_return",
        "min_return",
        "normalized_return",
        "cvar10_return",
        "fall_rate",
        "unstable",
        "success_rate",
        "score",
        "anchors",
    ):
        assert key in cell
    score = results[0]["robustness"]
    assert 0.0 <= score["fraction_above_80_percent"] <= 1.0
    assert 0.0 <= score["area_under_normalized_curve"] <= 1.0


@pytest.mark.parametrize(
    ("sweep", "expected"),
    [
        (
            {
                **MASS_NOISE,
                "axes": [
                    {**MASS_NOISE["axes"][0], "randomize": {"body": "pole", "quantity": "weight"}}
                ],
            },
            r"unknown quantity 'weight'; valid: mass, payload",
        ),
        (
            {
                **MASS_NOISE,
                "axes": [
                    {**MASS_NOISE["axes"][0], "randomize": {"body": "torso", "quantity": "mass"}}
                ],
            },
            r"no body matches 'torso'; valid body names: pole",
        ),
        (
            {**MASS_NOISE, "axes": [{**MASS_NOISE["axes"][0], "values": []}]},
            r"values: the list is empty",
        ),
        ({**MASS_NOISE, "axes": []}, r"axes: List should have at least 1 item"),
        (
            {**MASS_NOISE, "axes": [{**MASS_NOISE["axes"][0], "values": [-0.5, 1.0]}]},
            r"a scale for 'mass' must be > 0",
        ),
        (
            {**MASS_NOISE, "axes": [{"name": "x", "perturb": "gravity_flip", "values": [1]}]},
            r"axes\[0\]\.perturb",
        ),
        (
            {
                **MASS_NOISE,
                "axes": [
                    {"name": "x", "perturb": "observation_noise", "group": "gyro", "values": [0.1]}
                ],
            },
            r"unknown observation group 'gyro'",
        ),
        ({**MASS_NOISE, "episodes": 0}, r"episodes"),
        (
            "no-such-sweep",
            r"unknown sweep 'no-such-sweep' for robodrl/Pendulum-v0; sweeps: \['latency'",
        ),
    ],
)
def test_bad_sweeps_name_the_field(ppo_run: Path, tmp_path: Path, sweep, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        evaluate([ppo_run], sweep, out=tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_policy_that_does_not_fit_the_task(onnx_file: Path, tmp_path: Path) -> None:
    import onnx

    model = onnx.load(onnx_file)
    for prop in model.metadata_props:
        if prop.key == "env_id":
            prop.value = "robodrl/Hopper-v0"  # a pendulum policy claiming to drive the hopper
    wrong = tmp_path / "wrong.onnx"
    onnx.save(model, wrong)
    with pytest.raises(
        ConfigError, match=r"does not fit robodrl/Hopper-v0: it maps 3 observations"
    ):
        evaluate([wrong], "observation-noise", out=tmp_path / "out", episodes=1)
    with pytest.raises(ConfigError, match="policies of different tasks"):
        evaluate([onnx_file, wrong], "observation-noise", out=tmp_path / "out", episodes=1)
    with pytest.raises(ConfigError, match="not a run directory"):
        evaluate([tmp_path], "observation-noise", out=tmp_path / "out")


def test_cli_eval(ppo_run: Path, tmp_path: Path, capsys) -> None:
    from robodrl.cli import main

    code = main(
        [
            "eval",
            str(ppo_run),
            "--sweep",
            "latency",
            "--episodes",
            "2",
            "--out",
            str(tmp_path / "r"),
        ]
    )
    assert code == 0 and "report:" in capsys.readouterr().out
    bad_sweep = ["eval", str(ppo_run), "--sweep", "nope", "--out", str(tmp_path / "x")]
    assert main(bad_sweep) == 2
    assert "unknown sweep 'nope'" in capsys.readouterr().err


def test_random_sweep_samples_inside_the_ranges(ppo_run: Path, tmp_path: Path) -> None:
    sweep = {
        "name": "random-mass",
        "kind": "random",
        "samples": 4,
        "episodes": 1,
        "axes": [
            {
                "name": "mass_scale",
                "randomize": {"body": "pole", "quantity": "mass"},
                "values": {"low": 0.7, "high": 1.3},
            },
            {
                "name": "latency",
                "perturb": "observation_latency_steps",
                "values": {"low": 0, "high": 2},
            },
        ],
    }
    out, results = evaluate([ppo_run], sweep, out=tmp_path / "random")
    cells = results[0]["cells"]
    assert len(cells) == 4 and (out / "scatter.png").is_file()
    for cell in cells:
        assert 0.7 <= cell["values"]["mass_scale"] <= 1.3
        assert cell["values"]["latency"] in (0.0, 1.0, 2.0)


def test_grid_span_needs_a_count(ppo_run: Path, tmp_path: Path) -> None:
    sweep = {
        "axes": [
            {
                "name": "m",
                "randomize": {"body": "pole", "quantity": "mass"},
                "values": {"low": 0.5, "high": 1.5},
            }
        ]
    }
    with pytest.raises(ConfigError, match=r"a grid needs values.num \(or a list\)"):
        evaluate([ppo_run], sweep, out=tmp_path / "out")


@pytest.mark.slow
def test_report_shows_the_nominal_episode_and_the_worst_cell(ppo_run, tmp_path) -> None:
    from PIL import Image

    out, results = evaluate(
        [ppo_run], "observation-noise", out=tmp_path / "report", episodes=2, videos=True
    )
    worst = min(results[0]["cells"], key=lambda c: c["mean_return"])
    for name in ("nominal.gif", "worst_cell.gif"):
        with Image.open(out / name) as gif:
            assert gif.n_frames > 10 and gif.size == (320, 240)
    page = (out / "report.html").read_text()
    assert page.count("data:image/gif;base64,") == 2
    label = f"worst cell (obs_noise_std={worst['values']['obs_noise_std']:g}, first 8 s)"
    assert label in page
    assert "nominal.gif" in (out / "report.md").read_text()
    # a second evaluation into the same folder replaces robodrl's own output, GIFs included
    evaluate([ppo_run], "observation-noise", out=out, episodes=2)
    assert not (out / "worst_cell.gif").exists()
