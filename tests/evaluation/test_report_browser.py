"""report.html opens in headless Chromium without console errors and shows its plots."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from robodrl.evaluation.run import evaluate

CHROMIUM = shutil.which("chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
    "--window-size=1100,1400",
]


@pytest.mark.skipif(
    CHROMIUM is None and os.environ.get("CI") != "true",
    reason="Debian's chromium is not installed (make setup installs it as root)",
)
def test_report_opens_in_chromium_and_shows_the_plot(ppo_run: Path, tmp_path: Path) -> None:
    assert CHROMIUM is not None, "CI must have chromium (.ci/system-deps.sh)"
    out, _ = evaluate([ppo_run], "observation-noise", out=tmp_path / "report", episodes=2)
    shot = tmp_path / "shot.png"
    result = subprocess.run(
        [
            CHROMIUM,
            *FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={shot}",
            (out / "report.html").as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    assert console == [], console
    image = np.asarray(Image.open(shot).convert("RGB")).astype(int)
    assert image.std() > 10  # not a blank page
    # the curve is drawn in matplotlib's first colour (blue, #1f77b4): the plot is on screen
    blue = (
        (abs(image[..., 0] - 31) < 30)
        & (abs(image[..., 1] - 119) < 30)
        & (abs(image[..., 2] - 180) < 30)
    )
    assert blue.sum() > 200
