"""Training steps/s: SB3 PPO and SAC on robodrl's batched VecEnv next to the same algorithm and
hyperparameters on Gymnasium envs in SB3's ``DummyVecEnv`` and ``SubprocVecEnv``, one run.

robodrl's contender is its trainer (``build_env`` / ``build_model`` from a config, learning as
``robodrl train`` does, without observation normalization, with SB3's default networks). The
Gymnasium env is the plain ``MujocoEnv`` built from robodrl's Cheetah XML with the same
observation and reward (``benchmarks/gym_reference.py``) under plain SB3. Each contender trains
from scratch: a short warm-up, then ``--steps`` env steps in interleaved rounds; the figure is
env steps per wall second, the best round of each.
Target (issue 4): PPO >= 2x the better of DummyVecEnv and SubprocVecEnv on this machine.

Usage: python benchmarks/train_throughput.py [--steps N] [--envs N] [--algos ppo sac]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import time

import torch
from gym_reference import PlainCheetahEnv
from stable_baselines3 import PPO, SAC
from stable_baselines3.common.logger import Logger
from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv

from robodrl.algorithms.sb3.build import build_env, build_model, unchecked_distributions
from robodrl.resolve import validate_config

SETTINGS = {
    "ppo": (PPO, {"n_steps": 64, "batch_size": 512, "n_epochs": 4, "learning_rate": 3e-4}),
    "sac": (
        SAC,
        {"learning_starts": 1000, "batch_size": 256, "train_freq": 1, "gradient_steps": 1},
    ),
}
ROUNDS = 4
#: SB3's default MlpPolicy for each algorithm, written as a robodrl ``policy`` section
DEFAULT_POLICY = {
    "ppo": {"net_arch": [64, 64], "activation": "tanh"},
    "sac": {"net_arch": [256, 256], "activation": "relu"},
}


def robodrl_model(algo: str, args: argparse.Namespace):
    """robodrl's trainer: the model and env ``robodrl train`` builds from this config."""
    config = validate_config(
        {
            "env": {"id": "Cheetah", "num_envs": args.envs, "num_threads": args.threads},
            "algorithm": {"name": algo, "hyperparameters": SETTINGS[algo][1]},
            "policy": DEFAULT_POLICY[algo],
            "normalize": {"observations": False},
            "total_steps": args.steps,
        }
    )
    model = build_model(config, build_env(config))
    model.set_logger(Logger(folder=None, output_formats=[]))  # SB3's default: a /tmp folder
    return model


def plain_sb3_model(kind: str, algo: str, args: argparse.Namespace):
    """Plain SB3 on Gymnasium envs in its own vector envs."""
    cls, hyperparameters = SETTINGS[algo]
    factory = DummyVecEnv if kind == "dummy" else SubprocVecEnv
    env = factory([PlainCheetahEnv] * args.envs)
    model = cls("MlpPolicy", env, seed=0, device="cpu", verbose=0, **hyperparameters)
    model.set_logger(Logger(folder=None, output_formats=[]))  # as robodrl's, no /tmp folder
    return model


def best_rates(algo: str, args: argparse.Namespace) -> dict[str, float]:
    """Env steps/s of each contender: interleaved rounds of ``steps / ROUNDS`` steps, the best
    round kept, so that a slow moment of the machine does not fall on one contender only."""
    hyperparameters = SETTINGS[algo][1]
    contenders = {
        "robodrl": (robodrl_model(algo, args), unchecked_distributions),
        "dummy": (plain_sb3_model("dummy", algo, args), contextlib.nullcontext),
        "subproc": (plain_sb3_model("subproc", algo, args), contextlib.nullcontext),
    }
    warmup = args.envs * (hyperparameters.get("n_steps", 1) if algo == "ppo" else 1) * 2
    warmup = max(warmup, hyperparameters.get("learning_starts", 0) + args.envs * 10)
    for model, learning in contenders.values():
        with learning():
            model.learn(warmup)
    best = dict.fromkeys(contenders, 0.0)
    for _ in range(ROUNDS):
        for kind, (model, learning) in contenders.items():
            with learning():
                start, before = time.perf_counter(), model.num_timesteps
                model.learn(args.steps // ROUNDS, reset_num_timesteps=False)
                rate = (model.num_timesteps - before) / (time.perf_counter() - start)
            best[kind] = max(best[kind], rate)
    for model, _ in contenders.values():
        model.get_env().close()
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=40_000)
    parser.add_argument("--envs", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--algos", nargs="+", default=["ppo", "sac"])
    args = parser.parse_args()
    torch.set_num_threads(1)  # the same for every contender; SubprocVecEnv uses the other core
    print(
        f"# train_throughput: {platform.machine()}, {len(os.sched_getaffinity(0))} CPUs, "
        f"torch {torch.__version__} (1 thread), Cheetah, {args.envs} envs, {args.steps} steps"
    )
    for algo in args.algos:
        steps = args.steps if algo == "ppo" else args.steps // 10
        run_args = argparse.Namespace(**{**vars(args), "steps": steps})
        rates = best_rates(algo, run_args)
        best = max(rates["dummy"], rates["subproc"])
        print(
            f"{algo:4} robodrl {rates['robodrl']:8,.0f}  DummyVecEnv {rates['dummy']:8,.0f}  "
            f"SubprocVecEnv {rates['subproc']:8,.0f} steps/s  "
            f"ratio vs the better {rates['robodrl'] / best:.2f}"
        )


if __name__ == "__main__":
    main()
