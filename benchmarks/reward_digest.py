"""The behaviour of every registered task as one sha256 each: 4 simulations, 200 steps of
seeded random actions from seeded resets (auto-reset on), hashing the reward weights,
observations, rewards, each weighted reward term and the terminations. A refactor that must
not change behaviour prints the same digests before and after (run it on both commits on the
same machine).

    python benchmarks/reward_digest.py                           # one line per env id
    python benchmarks/reward_digest.py --randomization dr-wide   # with each task's dr-wide
"""

from __future__ import annotations

import argparse
import hashlib
import json

import numpy as np

from robodrl.make import make_core
from robodrl.registry import env_ids

STEPS, ENVS = 200, 4


def digest(env_id: str, randomization: str | None = None) -> str:
    core = make_core(env_id, ENVS, seed=123, randomization=randomization)
    rng = np.random.default_rng(0)
    sha = hashlib.sha256(json.dumps(core.task.reward_weights).encode())  # names, order, weights
    sha.update(core.reset().astype(np.float64).tobytes())
    for _ in range(STEPS):
        actions = rng.uniform(-1, 1, (ENVS, core.action_dim))
        obs, reward, terminated, truncated, info = core.step(actions)
        sha.update(np.asarray(obs, np.float64).tobytes())
        sha.update(np.asarray(reward, np.float64).tobytes())
        sha.update(np.asarray(terminated).tobytes() + np.asarray(truncated).tobytes())
        for name in core.task.reward_names:
            sha.update(np.asarray(info[f"reward_{name}"], np.float64).tobytes())
    return sha.hexdigest()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--randomization", help="a randomization preset every task has (dr-wide)")
    args = parser.parse_args()
    for env_id in env_ids():
        print(f"{env_id:28s} {digest(env_id, args.randomization)}")
