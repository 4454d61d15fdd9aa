"""Every input a user can get wrong is refused with a message naming it and what is valid."""

from __future__ import annotations

import gymnasium
import numpy as np
import pytest

import robodrl
from robodrl.errors import InvalidActionError, TaskArgumentError, UnknownEnvError


def test_unknown_id_lists_valid_ids() -> None:
    with pytest.raises(UnknownEnvError) as err:
        robodrl.make_vec("robodrl/Cheeta-v0", 2)
    message = str(err.value)
    assert "'robodrl/Cheeta-v0'" in message and "did you mean 'robodrl/Cheetah-v0'" in message
    for env_id in robodrl.env_ids():
        assert env_id in message


def test_short_ids_are_accepted() -> None:
    for name in ("Pendulum", "Pendulum-v0", "robodrl/Pendulum-v0"):
        assert robodrl.get_spec(name).id == "robodrl/Pendulum-v0"


def test_unknown_task_argument_lists_valid_names() -> None:
    with pytest.raises(TaskArgumentError) as err:
        robodrl.make_vec("Cheetah", 2, forward_wieght=2.0)
    message = str(err.value)
    assert "'forward_wieght'" in message and "did you mean 'forward_weight'" in message
    assert "control_weight" in message and "frame_skip" in message
    with pytest.raises(TaskArgumentError, match="reset_noise_scale"):
        gymnasium.make("robodrl/Hopper-v0", reset_noise=0.1)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"frame_skip": 0}, "frame_skip"),
        ({"frame_skip": 2.5}, "frame_skip"),
        ({"episode_seconds": -1.0}, "episode_seconds"),
        ({"control_weight": float("nan")}, "control_weight"),
        ({"reset_noise_scale": -0.1}, "reset_noise_scale"),
    ],
)
def test_bad_task_argument_values_name_the_field(kwargs: dict, field: str) -> None:
    with pytest.raises(TaskArgumentError, match=field):
        robodrl.make_core("Cheetah", 1, **kwargs)


def test_bad_command_range_is_refused() -> None:
    with pytest.raises(TaskArgumentError, match="command_vx_range"):
        robodrl.make_core("Quadruped", 1, command_vx_range=(1.0, -1.0))


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"num_threads": 0}, "num_threads"),
        ({"seed": -1}, "seed"),
        ({"seed": [1, 2, 3]}, "seeds"),
        ({"invalid_action": "ignore"}, "invalid_action"),
    ],
)
def test_bad_core_settings_name_the_setting(kwargs: dict, field: str) -> None:
    with pytest.raises(TaskArgumentError, match=field):
        robodrl.make_core("Pendulum", 2, **kwargs)


def test_bad_num_envs() -> None:
    with pytest.raises(TaskArgumentError, match="num_envs"):
        robodrl.make_vec("Pendulum", 0)


@pytest.mark.parametrize("shape", [(2,), (3, 6), (2, 5), (2, 6, 1)])
def test_wrong_action_shape_names_expected_shape(shape: tuple[int, ...]) -> None:
    core = robodrl.make_core("Cheetah", 2, seed=0)
    with pytest.raises(InvalidActionError, match=r"expected \(2, 6\)"):
        core.step(np.zeros(shape))


def test_non_numeric_action_is_refused() -> None:
    core = robodrl.make_core("Cheetah", 2, seed=0)
    with pytest.raises(InvalidActionError, match="numeric"):
        core.step([["a"] * 6] * 2)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_action_names_the_index(bad: float) -> None:
    core = robodrl.make_core("Cheetah", 3, seed=0)
    action = np.zeros((3, 6))
    action[2, 4] = bad
    ctrl_before = core.ctrl.copy()
    with pytest.raises(InvalidActionError, match=r"action\[2, 4\].*'front_knee'"):
        core.step(action)
    np.testing.assert_array_equal(core.ctrl, ctrl_before)  # nothing reached the simulation


def test_clip_mode_replaces_non_finite_actions_and_flags_them() -> None:
    core = robodrl.make_core("Cheetah", 3, seed=0, invalid_action="clip")
    action = np.zeros((3, 6))
    action[0, 0], action[1, 2], action[1, 3] = np.nan, np.inf, -np.inf
    obs, _, _, _, info = core.step(action)
    assert info["action_fault"].tolist() == [True, True, False]
    assert np.isfinite(core.ctrl).all()
    assert core.ctrl[0, 0] == 0.0 and core.ctrl[1, 2] == 1.0 and core.ctrl[1, 3] == -1.0
    assert np.isfinite(obs).all()


def test_gym_env_wrong_action_shape_and_nan() -> None:
    env = gymnasium.make("robodrl/Pendulum-v0").unwrapped
    env.reset(seed=0)
    with pytest.raises(InvalidActionError, match=r"expected \(1,\)"):
        env.step(np.zeros(2))
    with pytest.raises(InvalidActionError, match=r"action\[0, 0\]"):
        env.step(np.array([np.nan]))
    clip = gymnasium.make("robodrl/Pendulum-v0", invalid_action="clip").unwrapped
    clip.reset(seed=0)
    _, _, _, _, info = clip.step(np.array([np.nan], dtype=np.float32))
    assert info["action_fault"] is True


def test_out_of_range_finite_actions_are_clipped_to_control_range() -> None:
    core = robodrl.make_core("Pendulum", 1, seed=0)
    core.step(np.array([[5.0]]))
    assert core.ctrl[0, 0] == core.ctrl_high[0] == 4.0


def test_huge_finite_actions_are_valid_and_clipped() -> None:
    core = robodrl.make_core("Cheetah", 1, seed=0)
    core.step(np.full((1, 6), 1e308))  # huge but finite
    np.testing.assert_array_equal(core.ctrl, core.ctrl_high[None])


def test_get_model_index_out_of_range() -> None:
    env = robodrl.make_vec("Pendulum", 2)
    with pytest.raises(IndexError, match=r"\[0, 2\)"):
        env.get_model(2)


def test_cli_unknown_command_exits_nonzero() -> None:
    from robodrl.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["no-such-command"])
    assert exit_info.value.code != 0
