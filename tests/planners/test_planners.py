"""Sampling-based MPC on real batched simulations: predictive sampling swings the Pendulum up
and holds it; plans are seeded and never disturb the acting simulations; MPPI and CEM improve
on their warm start; wrong settings name the field; a planner config goes wherever a policy
does (eval sweeps, demonstrations, DAgger's expert)."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import numpy as np
import pytest
import yaml

from robodrl.errors import ConfigError
from robodrl.make import make_core
from robodrl.planners import load_planner, make_planner
from robodrl.planners.config import validate_planner
from tests.trainers.conftest import run_cli

PENDULUM = {
    "env": {"id": "robodrl/Pendulum-v0"},
    "planner": {
        "name": "predictive_sampling",
        "samples": 32,
        "horizon_seconds": 1.5,
        "knots": 4,
        "interpolation": "linear",
        "noise_std": 0.5,
    },
    "seed": 0,
}


def _elites(name: str, elites: int) -> dict:
    """``elites`` is cem's own setting: the other planners refuse it."""
    return {"elites": elites} if name == "cem" else {}


def _planner(**changes):
    document = copy.deepcopy(PENDULUM)
    document["planner"].update(changes)
    return make_planner(validate_planner(document))


def test_predictive_sampling_swings_the_pendulum_up_and_holds_it() -> None:
    planner = _planner()
    core = make_core(planner.env_id, 4, seed=1000, autoreset=False)
    obs = core.reset()
    cosines = []
    for _ in range(200):  # 10 s at 20 Hz, from hanging down
        obs, *_ = core.step(planner.act(obs, core))
        cosines.append(obs[:, 0])
    cosines = np.array(cosines)
    held_from = [np.flatnonzero(c < 0.95).max() + 1 for c in cosines.T]
    assert max(held_from) * core.control_dt <= 6.0, held_from  # up within 6 s, held after
    stats = planner.statistics()
    assert stats["plans"] == 200 and stats["seconds_per_plan"] > 0


def _state(core):
    return (np.array(core.batch.state), core.elapsed_steps.copy(), core.last_obs,
            json.dumps(core.task.state_dict()))  # fmt: skip


@pytest.mark.parametrize("name", ["predictive_sampling", "mppi", "cem"])
def test_the_same_seed_gives_the_same_plan_and_the_acting_state_is_untouched(name: str) -> None:
    core = make_core("robodrl/Quadruped-v0", 2, seed=3, autoreset=False)
    for _ in range(5):
        core.step(np.zeros((2, core.action_dim)))
    document = {"env": {"id": "robodrl/Quadruped-v0"}, "seed": 7,
                "planner": {"name": name, "samples": 8, "horizon_seconds": 0.2,
                            "iterations": 2, **_elites(name, 4)}}  # fmt: skip
    before = _state(core)
    plans = [make_planner(validate_planner(document)).plan(core) for _ in range(2)]
    np.testing.assert_array_equal(plans[0], plans[1])
    after = _state(core)
    np.testing.assert_array_equal(before[0], after[0])
    np.testing.assert_array_equal(before[1], after[1])
    np.testing.assert_array_equal(before[2], after[2])
    assert before[3] == after[3]
    other = make_planner(validate_planner({**document, "seed": 8})).plan(core)
    assert not np.array_equal(plans[0], other)


@pytest.mark.parametrize("name", ["mppi", "cem"])
def test_mppi_and_cem_improve_on_their_warm_start(name: str) -> None:
    planner = _planner(
        name=name, iterations=6, samples=16, **({"elites": 4} if name == "cem" else {})
    )
    core = make_core(planner.env_id, 3, seed=5, autoreset=False)
    for _ in range(3):
        core.step(np.zeros((3, 1)))
    warm = np.random.default_rng(0).uniform(-1, 1, (3, 4, 1))
    scores = []
    planner.evaluate = _recording(planner.evaluate, scores)
    plan = planner.plan(core, warm)
    warm_score, plan_score = _score(planner, core, warm), _score(planner, core, plan)
    assert (plan_score >= warm_score).all()
    assert (plan_score > warm_score + 1e-6).all()  # a random warm start is easy to beat
    best_so_far = np.maximum.accumulate(np.array([s.max(axis=1) for s in scores]), axis=0)
    assert (best_so_far[-1] > best_so_far[0]).any()  # later iterations found better plans
    np.testing.assert_allclose(plan_score, best_so_far[-1])


def _score(planner, core, knots: np.ndarray) -> np.ndarray:
    """The return of one plan per simulation, from the acting state."""
    candidates = np.repeat(knots[:, None], planner.settings.samples, axis=1)
    return planner.batch.scores(core, planner.spline.actions(candidates))[:, 0]


def _recording(evaluate, scores: list):
    def recorded(candidates):
        result = evaluate(candidates)
        scores.append(result)
        return result

    return recorded


# -- wrong settings -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"planner": {"samples": 0}}, "planner.samples"),
        ({"planner": {"name": "mppi", "temperature": float("nan")}}, "planner.temperature"),
        ({"planner": {"elites": 4}}, "planner.elites: unknown field"),  # a cem setting
        ({"planner": {"name": "ilqg"}}, "planner.name"),
        ({"planner": {"name": "cem", "samples": 4, "elites": 8}}, "planner.elites"),
        ({"planner": {"noise_std": -0.1}}, "planner.noise_std"),
        ({"objective": {"weights": {"angle": "big"}}}, "objective.weights.angle"),
        ({"robust": {"models": 4}}, "robust.randomization"),
        ({"env": {"id": "robodrl/Pendulum-v0", "task": {"nope": 1}}}, "env.task"),
        ({"horizon": 1.0}, "horizon"),
    ],
)
def test_wrong_planner_settings_name_the_field(change: dict, message: str) -> None:
    document = copy.deepcopy(PENDULUM)
    for key, value in change.items():
        if isinstance(value, dict) and key == "planner":
            document["planner"].update(value)
        else:
            document[key] = value
    with pytest.raises(ConfigError, match=re.escape(message)):
        make_planner(validate_planner(document))


def test_settings_that_need_the_task_name_the_field() -> None:
    with pytest.raises(ConfigError, match=r"planner.horizon_seconds: 0.03 s is shorter than one"):
        _planner(horizon_seconds=0.03)
    with pytest.raises(ConfigError, match=r"planner.knots: 8 knots over a horizon of 4"):
        _planner(horizon_seconds=0.2, knots=8)
    document = copy.deepcopy(PENDULUM) | {"objective": {"weights": {"height": 1.0}}}
    with pytest.raises(ConfigError, match=r"objective.weights.height: .* its terms: angle"):
        make_planner(validate_planner(document))
    with pytest.raises(ConfigError, match="call act"):
        _planner().act(np.zeros((1, 3)))


def test_objective_weights_replace_the_task_s(tmp_path: Path) -> None:
    document = copy.deepcopy(PENDULUM) | {"objective": {"weights": {"torque": 5.0}}}
    planner = make_planner(validate_planner(document))
    core = make_core(planner.env_id, 1, seed=0, autoreset=False)
    planner._fit(core)
    assert planner.batch.core.task.reward_weights["torque"] == 5.0
    assert core.task.reward_weights["torque"] == 0.001  # the acting task keeps its own


def test_a_planner_file_is_a_policy_for_sweeps_demos_and_dagger(
    tmp_path: Path, pendulum_expert: Path, expert_home: Path
) -> None:
    config = tmp_path / "mpc.yaml"
    config.write_text(yaml.safe_dump(PENDULUM | {"planner": {**PENDULUM["planner"],
                                                             "samples": 8}}))  # fmt: skip
    assert load_planner(config).settings.samples == 8
    home = {"ROBODRL_HOME": str(expert_home)}
    swept = run_cli("eval", str(config), str(pendulum_expert), "--sweep", "observation-noise",
                    "--episodes", "1", "--out", str(tmp_path / "sweep"), env=home)  # fmt: skip
    assert swept.returncode == 0, swept.stderr
    names = [p["policy"] for p in json.loads((tmp_path / "sweep" / "results.json").read_text())
             ["policies"]]  # fmt: skip
    assert names[0] == "mpc (predictive_sampling)"
    recorded = run_cli("demos", "record", str(config), "--episodes", "2", "--out",
                       str(tmp_path / "demos-v0"))  # fmt: skip
    assert recorded.returncode == 0, recorded.stderr
    assert "recorded from" in recorded.stdout
    dagger = {
        "env": {"id": "robodrl/Pendulum-v0", "num_envs": 2},
        "algorithm": {"name": "dagger",
                      "hyperparameters": {"n_steps": 10, "updates_per_round": 20}},
        "expert": str(config),
        "total_steps": 40,
        "eval": {"every_steps": 1000, "episodes": 1},
    }  # fmt: skip
    (tmp_path / "dagger.yaml").write_text(yaml.safe_dump(dagger))
    trained = run_cli("train", str(tmp_path / "dagger.yaml"), "--run-dir",
                      str(tmp_path / "run"), env=home)  # fmt: skip
    assert trained.returncode == 0, trained.stderr
    assert json.loads((tmp_path / "run" / "summary.json").read_text())["steps"] == 40


def test_a_planner_on_an_observation_sweep_is_marked_not_applicable(tmp_path: Path) -> None:
    """A planner reads the true state: observation latency cannot reach it, so its cells are
    marked "not applicable" rather than scored as perfectly robust."""
    config = tmp_path / "mpc.yaml"
    config.write_text(yaml.safe_dump(PENDULUM | {"planner": {**PENDULUM["planner"],
                                                             "samples": 8}}))  # fmt: skip
    result = run_cli("eval", str(config), "--sweep", "latency", "--episodes", "1",
                     "--out", str(tmp_path / "sweep"))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "not applicable" in result.stdout
    policy = json.loads((tmp_path / "sweep" / "results.json").read_text())["policies"][0]
    assert "obs_latency_steps cannot reach it" in policy["not_applicable"]
    assert policy["robustness"]["fraction_above_80_percent"] is None
    assert policy["robustness"]["score"] is None
    report = (tmp_path / "sweep" / "report.html").read_text()
    assert "n/a" in report and "plans from the simulation&#x27;s true state" in report
