"""A training beside CPU-bound competitors: robodrl's slowdown against the CPU-share ideal.

Contenders, each ``robodrl train pendulum_ppo --set total_steps=STEPS`` in a fresh process
(same seed, same result), first alone and then beside ``--competitors`` busy processes (each
spins one core), interleaved in rounds:

- ``robodrl``: as it runs (``import robodrl`` makes torch's OpenMP threads wait passively unless
  ``OMP_WAIT_POLICY`` is set);
- ``spinning``: ``OMP_WAIT_POLICY`` set empty, so OpenMP's own default (spin, then sleep) applies,
  as before robodrl set it.

The ideal slowdown is the CPU share: (cores + competitors) / cores. Target (issue 30): robodrl's
slowdown <= 1.5x the ideal.

Usage: python benchmarks/under_load.py [--steps 40000] [--competitors 2] [--rounds 2]
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CONTENDERS = {"robodrl": {}, "spinning": {"OMP_WAIT_POLICY": ""}}
SPIN = "import time\nend = time.time() + 3600\nwhile time.time() < end:\n    pass\n"


def train_seconds(extra_env: dict[str, str], steps: int, folder: Path) -> float:
    """Wall seconds of one training in a fresh process."""
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}  # robodrl's default
    env |= {"ROBODRL_HOME": str(folder / "home"), **extra_env}
    run = folder / f"run-{time.monotonic_ns()}"
    command = [sys.executable, "-m", "robodrl.cli", "train", "pendulum_ppo",
               "--set", f"total_steps={steps}", "--run-dir", str(run)]  # fmt: skip
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=40_000)
    parser.add_argument("--competitors", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    best: dict[tuple[str, bool], float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for _ in range(args.rounds):
            for loaded in (False, True):
                spinners = [
                    subprocess.Popen([sys.executable, "-c", SPIN])
                    for _ in range(args.competitors if loaded else 0)
                ]
                try:
                    for name, extra in CONTENDERS.items():
                        seconds = train_seconds(extra, args.steps, folder)
                        key = (name, loaded)
                        best[key] = min(best.get(key, float("inf")), seconds)
                finally:
                    for spinner in spinners:
                        spinner.kill()
                        spinner.wait()
    ideal = (cores + args.competitors) / cores
    machine = platform.processor() or platform.machine()
    print(f"{machine}, {cores} cores; {args.steps:,} steps of pendulum_ppo; "
          f"{args.competitors} CPU-bound competitors; best of {args.rounds}")  # fmt: skip
    print("| contender | alone s | beside competitors s | slowdown | ideal | slowdown / ideal |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in CONTENDERS:
        alone, loaded = best[(name, False)], best[(name, True)]
        slowdown = loaded / alone
        print(f"| {name} | {alone:.1f} | {loaded:.1f} | {slowdown:.2f}x | {ideal:.2f}x | "
              f"{slowdown / ideal:.2f} |")  # fmt: skip


if __name__ == "__main__":
    main()
