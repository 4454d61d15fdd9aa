"""The closed-loop gate's verdict: rounding that moves a barely balancing robot's fall passes,
a file that drives every episode worse does not."""

from __future__ import annotations

import numpy as np

from robodrl.export.verify import closed_loop_verdict

#: per-episode returns of an untrained legged team (2,048 steps of ippo) through torch and
#: through its exported files, same seeds: 4 episodes identical, 4 falling 50-250 steps apart
TORCH = np.array([845.4, 85.3, 366.5, 1142.2, 379.3, 151.9, 294.4, 373.7])
ONNX = np.array([524.3, 85.3, 366.5, 1065.7, 379.3, 151.9, 294.1, 330.7])


def test_falls_moved_by_rounding_pass() -> None:
    verdict = closed_loop_verdict(TORCH, ONNX)
    assert abs(ONNX.mean() - TORCH.mean()) > 0.05 * TORCH.mean()  # the 5% rule alone refused it
    assert verdict["passed"] and verdict["standard_error"] > 0


def test_every_episode_worse_fails() -> None:
    worse = TORCH * 0.9 + np.random.default_rng(0).normal(0.0, 1.0, TORCH.size)
    verdict = closed_loop_verdict(TORCH, worse)
    assert not verdict["passed"] and verdict["tolerance"] < abs(worse.mean() - TORCH.mean())


def test_identical_returns_pass_within_the_absolute_tolerance() -> None:
    assert closed_loop_verdict(TORCH, TORCH)["passed"]
    assert not closed_loop_verdict(TORCH, TORCH - 30.0)["passed"]
    assert closed_loop_verdict(np.array([10.0]), np.array([10.5]))["passed"]
