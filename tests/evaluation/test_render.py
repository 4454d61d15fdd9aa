"""Offscreen videos of a policy, with time and return on every frame."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from robodrl.errors import ConfigError
from robodrl.evaluation.render import render_policy


def test_gif_of_a_run(ppo_run: Path, tmp_path: Path) -> None:
    result = render_policy(ppo_run, tmp_path / "pendulum.gif", width=160, height=120)
    assert result["frames"] == 200 and round(result["fps"]) == 20  # 10 s at 20 Hz
    gif = Image.open(tmp_path / "pendulum.gif")
    assert gif.n_frames == 200 and gif.size == (160, 120)
    gif.seek(100)
    frame = np.asarray(gif.convert("RGB"))
    assert frame.std() > 5  # a picture, not a blank frame
    assert frame[:20].max() > 240  # the white overlay text on the black band (GIF palette)


@pytest.mark.slow
def test_mp4_under_a_sweep_cell(ppo_run: Path, tmp_path: Path) -> None:
    import imageio.v2 as imageio

    out = tmp_path / "noisy.mp4"
    result = render_policy(ppo_run, out, sweep="observation-noise", cell=3, width=160, height=120)
    reader = imageio.get_reader(out, format="FFMPEG")
    assert reader.count_frames() == result["frames"] == 200
    assert not list(tmp_path.glob(".*tmp*"))


def test_bad_render_arguments(ppo_run: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"suffix: \('.mp4', '.gif'\)"):
        render_policy(ppo_run, tmp_path / "video.avi")
    with pytest.raises(ConfigError, match=r"--cell must be an index in \[0, 6\)"):
        render_policy(ppo_run, tmp_path / "v.gif", sweep="observation-noise", cell=9)
    for seconds in (0.0, -1.0, float("nan"), float("inf")):
        with pytest.raises(ConfigError, match="--seconds must be a positive number"):
            render_policy(ppo_run, tmp_path / "v.gif", seconds=seconds)
    assert not list(tmp_path.iterdir())


def test_seconds_cut_each_episode(ppo_run: Path, tmp_path: Path) -> None:
    result = render_policy(
        ppo_run, tmp_path / "short.gif", episodes=2, seconds=1.5, width=80, height=60
    )
    assert result["frames"] == 2 * 30  # 1.5 s at 20 Hz, twice
    assert len(result["returns"]) == 2
