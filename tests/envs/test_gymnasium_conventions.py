"""Gymnasium's own APIs as third-party clients use them: rendering, RecordVideo, make_vec's
vector entry point, ``module:id`` registration, and the episode's randomization in reset info."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import gymnasium
import numpy as np
import pytest

import robodrl
from robodrl.envs.gym_env import RobodrlEnv
from robodrl.envs.vector import RobodrlVectorEnv
from robodrl.errors import TaskArgumentError


def test_rgb_array_rendering_gives_frames_that_change() -> None:
    env = gymnasium.make(
        "robodrl/Cheetah-v0", render_mode="rgb_array", render_width=96, render_height=64
    )
    env.reset(seed=0)
    first = env.render()
    assert first.shape == (64, 96, 3) and first.dtype == np.uint8 and first.std() > 1
    for _ in range(20):
        env.step(np.ones(6))
    assert np.abs(env.render().astype(int) - first).mean() > 0.5  # the robot moved
    env.close()
    with pytest.raises(TaskArgumentError, match="render_mode='depth' is not supported"):
        RobodrlEnv("robodrl/Pendulum-v0", render_mode="depth")


def test_record_video_writes_a_video(tmp_path: Path) -> None:
    from gymnasium.wrappers import RecordVideo

    env = gymnasium.make("robodrl/Pendulum-v0", render_mode="rgb_array", episode_seconds=1.0)
    env = RecordVideo(
        env, str(tmp_path / "videos"), episode_trigger=lambda _: True, disable_logger=True
    )
    env.reset(seed=0)
    done = False
    while not done:
        _, _, terminated, truncated, _ = env.step(env.action_space.sample())
        done = terminated or truncated
    env.close()
    videos = list((tmp_path / "videos").glob("*.mp4"))
    assert len(videos) == 1 and videos[0].stat().st_size > 1000


def test_make_vec_returns_the_batched_env() -> None:
    for mode in (None, "vector_entry_point"):
        envs = gymnasium.make_vec("robodrl/Hopper-v0", 3, vectorization_mode=mode)
        assert isinstance(envs, RobodrlVectorEnv) and envs.num_envs == 3
    ours = robodrl.make_vec("robodrl/Hopper-v0", 3)
    a, _ = envs.reset(seed=5)
    b, _ = ours.reset(seed=5)
    np.testing.assert_array_equal(a, b)
    actions = np.random.default_rng(0).uniform(-1, 1, (3, 3))
    np.testing.assert_array_equal(envs.step(actions)[0], ours.step(actions)[0])
    sync = gymnasium.make_vec("robodrl/Hopper-v0", 2, vectorization_mode="sync")
    assert sync.reset(seed=5)[0].shape == (2, 11)


def test_module_prefix_registers_without_importing_robodrl() -> None:
    code = (
        "import gymnasium, sys\n"
        "assert 'robodrl' not in sys.modules\n"
        "env = gymnasium.make('robodrl:robodrl/Pendulum-v0')\n"
        "print(env.reset(seed=0)[0].shape)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "(3,)"


def test_reset_info_carries_the_episodes_randomization() -> None:
    env = gymnasium.make("robodrl/Cheetah-v0", randomization="dr-default")
    _, info = env.reset(seed=3)
    assert info["dr"], info
    _, _, _, _, step_info = env.step(np.zeros(6))
    for label, values in info["dr"].items():
        np.testing.assert_array_equal(values, step_info["dr"][label])
    _, again = env.reset(seed=4)
    assert any(not np.array_equal(again["dr"][k], v) for k, v in info["dr"].items())
    envs = robodrl.make_vec("robodrl/Cheetah-v0", 4, randomization="dr-default")
    _, vector_info = envs.reset(seed=3)
    assert vector_info["_dr"].all()
    for label, values in info["dr"].items():
        np.testing.assert_array_equal(vector_info["dr"][label][0], values)
    _, plain = gymnasium.make("robodrl/Cheetah-v0").reset(seed=0)
    assert plain == {}
