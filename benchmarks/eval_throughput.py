"""A 121-cell mass x friction grid x 5 episodes on Cheetah: robodrl's batched sweep vs a serial
loop of single-env episodes over the same cells, one run. Target (issue 6): >= 10x.

Both sides evaluate the same SB3 PPO policy (a briefly trained run; speed does not depend on
how good it is) with 10 s episodes (200 control steps; Cheetah never terminates). The serial
side is what a Gymnasium user writes: one plain ``MujocoEnv`` (same XML, observation, reward;
``benchmarks/gym_reference.py``), masses / inertias and frictions edited per cell from the
nominal values followed by ``mj_setConst``, ``model.predict`` on each observation.

Usage: python benchmarks/eval_throughput.py [--serial-cells N]
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

import mujoco
import torch
from gym_reference import PlainCheetahEnv

from robodrl.algorithms.registry import get_algorithm
from robodrl.evaluation.run import evaluate
from robodrl.evaluation.sweep import load_sweep
from robodrl.policy import normalize
from robodrl.resolve import validate_config
from robodrl.runs.checkpoints import latest_checkpoint, read_checkpoint
from robodrl.runs.train import train

EPISODE_SECONDS = 10.0


def serial(run: Path, cells: list[dict], episodes: int) -> tuple[float, int]:
    """Seconds for the plain serial loop over ``cells``; env steps done."""
    folder = latest_checkpoint(run / "checkpoints")
    _, normalizer = read_checkpoint(folder, trust=False)
    model = get_algorithm("ppo").sb3_class().load(folder / "model.zip", device="cpu")
    env = PlainCheetahEnv()
    env._max_steps = round(EPISODE_SECONDS / env.dt)
    m = env.model
    mass, inertia, friction = m.body_mass.copy(), m.body_inertia.copy(), m.geom_friction.copy()
    steps, start = 0, time.perf_counter()
    for cell in cells:
        m.body_mass[:] = mass * cell["mass_scale"]
        m.body_inertia[:] = inertia * cell["mass_scale"]
        m.geom_friction[:] = friction * cell["friction_scale"]
        mujoco.mj_setConst(m, env.data)
        for episode in range(episodes):
            obs, _ = env.reset(seed=episode)
            done = False
            while not done:
                action, _ = model.predict(normalize(obs[None], normalizer), deterministic=True)
                obs, _, terminated, truncated, _ = env.step(action[0])
                done = terminated or truncated
                steps += 1
    return time.perf_counter() - start, steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--serial-cells", type=int, default=121, help="cells timed serially")
    args = parser.parse_args()
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        os.environ.setdefault("ROBODRL_HOME", str(root / "home"))
        config = validate_config(
            {
                "env": {
                    "id": "Cheetah",
                    "num_envs": 8,
                    "task": {"episode_seconds": EPISODE_SECONDS},
                },
                "algorithm": {
                    "name": "ppo",
                    "hyperparameters": {"n_steps": 128, "batch_size": 256},
                },
                "total_steps": 2048,
                "eval": {"episodes": 1},
            }
        )
        run, _ = train(config, root / "run")
        spec = load_sweep("rarl-mass-friction", "robodrl/Cheetah-v0")
        cells = spec.cells()
        start = time.perf_counter()
        evaluate([run], "rarl-mass-friction", out=root / "report", episodes=5)
        batched = time.perf_counter() - start
        batched_steps = (len(cells) + 1) * 5 * round(EPISODE_SECONDS / 0.05)  # + nominal group
        serial_seconds, serial_steps = serial(run, cells[: args.serial_cells], 5)
    serial_rate, batched_rate = serial_steps / serial_seconds, batched_steps / batched
    print(f"# eval_throughput: {platform.machine()}, {len(os.sched_getaffinity(0))} CPUs, Cheetah")
    print(
        f"robodrl sweep: {len(cells)} cells x 5 episodes (+ nominal) in {batched:.1f} s "
        f"({batched_rate:,.0f} env steps/s)\n"
        f"serial loop:   {min(args.serial_cells, len(cells))} cells x 5 episodes in "
        f"{serial_seconds:.1f} s ({serial_rate:,.0f} env steps/s)\n"
        f"ratio (env steps/s): {batched_rate / serial_rate:.1f}x"
    )


if __name__ == "__main__":
    main()
