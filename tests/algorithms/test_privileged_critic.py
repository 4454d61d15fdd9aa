"""lean_ppo's privileged critic (``critic_observations: privileged``): what the critic sees on a
real legged batch under randomization and perturbations, the last state of ended episodes for
the time-limit bootstrap, a run through the CLI that is killed and resumes bit for bit and
exports the actor alone, and configs that cannot have one refused by field."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest
import torch

from robodrl.algorithms.registry import get_algorithm
from robodrl.envs.privileged import PrivilegedView
from robodrl.errors import ConfigError
from robodrl.make import make_core
from robodrl.resolve import validate_config
from tests.algorithms.test_lean_ppo import CONFIG as LEAN_PPO_CONFIG
from tests.conftest import RecordingHooks
from tests.trainers.conftest import final_model, killed_and_resumed, run_cli, write_config

#: lean_ppo's legged test config on Legged-v1, with the privileged critic
CONFIG = copy.deepcopy(LEAN_PPO_CONFIG)
CONFIG["env"]["id"] = "robodrl/Legged-v1"
CONFIG["algorithm"]["hyperparameters"]["critic_observations"] = "privileged"


def legged_core(num_envs: int = 16, perturbations: str | None = "dr-default", **task):
    return make_core(
        "robodrl/Legged-v1",
        num_envs,
        seed=3,
        randomization="dr-default",
        perturbations=perturbations,
        robot="go1_class",
        **task,
    )


def test_the_critic_sees_the_clean_state_the_robots_load_and_the_episodes_draws() -> None:
    core = legged_core()
    view = PrivilegedView(core, where="critic")
    obs = core.reset()
    for _ in range(50):  # settle on the ground at the standing pose
        obs, *_ = core.step(np.zeros((core.num_envs, core.action_dim)))
    seen = view.observe()
    dim = core.obs_dim
    # the policy's observation is noisy and late; the critic's first block is the true one
    assert np.allclose(seen[:, :dim], core.task.observe(), atol=1e-6)
    assert not np.allclose(seen[:, :dim], obs, atol=1e-3)
    settled = core.elapsed_steps >= 40  # not in an episode a kick ended just now
    assert settled.sum() >= core.num_envs // 2
    height, feet = seen[settled, dim], seen[settled, dim + 1 : dim + 5]
    assert np.all((height > 0.6) & (height < 1.1))  # above the fall line (0.5)
    # standing, the feet carry the robot (1 x its weight, give or take payload and masses)
    assert np.all((feet.sum(axis=1) > 0.8) & (feet.sum(axis=1) < 1.4)) and np.all(feet > 0.05)
    # then each randomized parameter: the friction drawn for each simulation's episode, once
    # (every geom shares it), then the payload on the base
    friction = np.reshape(core.randomizer.values["friction"], (core.num_envs, -1))
    assert np.all(friction == friction[:, :1]) and friction.shape[1] > 1
    assert np.allclose(seen[:, dim + 5], friction[:, 0])
    assert np.allclose(seen[:, dim + 6], core.randomizer.values["payload"][:, 0])
    assert len(np.unique(friction[:, 0])) == core.num_envs


def test_ended_episodes_keep_their_last_state_for_the_bootstrap() -> None:
    core = legged_core(episode_seconds=0.2, perturbations=None)  # observations exact
    view = PrivilegedView(core, where="critic")
    core.reset()
    zeros = np.zeros((core.num_envs, core.action_dim))
    ended = np.zeros(core.num_envs, dtype=bool)
    while not ended.any():
        before = view.observe()
        _, _, terminated, truncated, info = core.step(zeros)
        ended = terminated | truncated
    now = view.observe()
    # the new episodes start at the standing height; the captured rows are the old ones'
    assert not np.allclose(view.final[ended], now[ended])
    assert np.allclose(view.final[:, : core.obs_dim], info["final_obs"], atol=1e-6)
    assert not np.array_equal(view.final, before)


@pytest.fixture(scope="module")
def straight(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("privileged")
    config = write_config(root / "config.yaml", **CONFIG)
    result = run_cli("train", str(config), "--run-dir", str(root / "run"),
                     env={"ROBODRL_HOME": str(root / "home")})  # fmt: skip
    assert result.returncode == 0, result.stderr
    return root / "run"


def test_killed_and_resumed_equals_a_straight_run_and_exports_the_actor(
    straight: Path, tmp_path: Path
) -> None:
    config = write_config(tmp_path / "config.yaml", **CONFIG)
    stopped, home = tmp_path / "stopped", {"ROBODRL_HOME": str(straight.parent / "home")}
    killed_and_resumed(config, stopped, home)
    saved_a, episodes_a = final_model(straight)
    saved_b, episodes_b = final_model(stopped)
    for key, value in saved_a["agent"].items():
        assert torch.equal(value, saved_b["agent"][key]), key
    assert episodes_a == episodes_b
    # the critic reads more than the actor
    actor_in = saved_a["agent"]["actor.0.weight"].shape[1]
    assert saved_a["agent"]["critic.0.weight"].shape[1] > actor_in + 5
    exported = run_cli("export", str(straight), "--out", str(tmp_path / "export"), env=home)
    assert exported.returncode == 0, exported.stderr
    assert "parity" in exported.stdout


def test_the_critic_learns_on_its_own_inputs() -> None:
    learner = get_algorithm("lean_ppo").build(validate_config(copy.deepcopy(CONFIG)))
    rollout = learner.collect(4, hooks=RecordingHooks())
    assert rollout.critic_obs is not None
    assert rollout.critic_inputs.shape[-1] == learner.privileged.dim > learner.core.obs_dim
    assert learner.critic_normalizer.count > 4 * learner.core.num_envs


@pytest.mark.parametrize(
    ("algorithm", "hyperparameters", "expected"),
    [
        ("lean_ppo", {"critic_observations": "oracle"}, "'policy' or 'privileged'"),
        ("ippo", {"critic_observations": "privileged"}, "set it to policy"),
    ],
)
def test_a_critic_that_cannot_be_privileged_is_refused_by_field(
    algorithm: str, hyperparameters: dict, expected: str, tmp_path: Path
) -> None:
    config = copy.deepcopy(CONFIG)
    config["algorithm"] = {"name": algorithm, "hyperparameters": hyperparameters}
    if algorithm == "ippo":
        config["env"] = {"id": "robodrl/CheetahTeam-v0", "num_envs": 4}
    path = write_config(tmp_path / "config.yaml", **config)
    result = run_cli("train", str(path), "--run-dir", str(tmp_path / "run"))
    assert result.returncode == 2, result.stderr
    assert "critic_observations" in result.stderr and expected in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "run").exists()


def test_a_game_players_critic_is_refused_by_field(tmp_path: Path) -> None:
    player = {"algorithm": "lean_ppo", "hyperparameters": {"critic_observations": "privileged"}}
    config = {
        "env": {"id": "robodrl/Hopper-v0", "num_envs": 4},
        "algorithm": {"name": "rarl", "hyperparameters": {"protagonist": player}},
        "adversary": "default",
        "total_steps": 256,
    }
    path = write_config(tmp_path / "config.yaml", **config)
    result = run_cli("train", str(path), "--run-dir", str(tmp_path / "run"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    field = "algorithm.hyperparameters.protagonist.hyperparameters.critic_observations"
    assert field in result.stderr and not (tmp_path / "run").exists()
    # and a learner handed a game's view directly refuses it too
    with pytest.raises(ConfigError, match="privileged needs a single robot's batched env"):
        PrivilegedView(object(), where="critic_observations")  # type: ignore[arg-type]
