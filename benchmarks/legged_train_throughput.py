"""Training throughput on the legged task: the whole training loop next to raw physics, one run.

Contenders, each on the robust recipe's env and settings (robodrl/Legged-v2, fast physics,
dr-default randomization and perturbations, the recipe's batch of simulations):

- ``raw``: ``mujoco.batch.Batch`` stepping the same model, same batch size, frame skip and stage,
  no task code, no learning (the physics alone), with the robots on their feet as in training:
  each iteration starts from the settled standing state and commands the standing pose plus
  Gaussian noise of the recipe's initial action std;
- ``raw_random``: the same with uniformly random controls and no restarts (this benchmark's
  ``raw`` before 2026-12-07). The robots topple, and a toppled robot touches nothing (the fast
  settings collide the feet only), so its physics is cheaper than training's and this figure
  grows the longer the benchmark runs;
- ``lean_ppo``: robodrl's lean batched PPO learning from the batched core (``robodrl train``'s
  learner, the recipe's hyperparameters);
- ``plain``: ``plain_ppo.py``, a single-file PPO over raw ``mujoco.batch`` with no robodrl
  imports (what a capable user writes by hand), on the same compiled model (a robot card written
  here from robodrl's build), batch, rollout length, epochs, minibatches, network and mirror loss,
  without randomization;
- ``lean_nominal``: ``lean_ppo`` as above without randomization or perturbations (the plain
  reference's conditions);
- ``sb3_ppo``: Stable-Baselines3's PPO on robodrl's batched VecEnv with the same rollout length,
  epochs, minibatch count and network;
- ``lean_variant``: ``lean_ppo`` with the recipe overrides given by ``--variant KEY=VALUE``
  (a candidate change to the recipe, timed beside it).

Each contender runs ``--iterations`` training iterations (one rollout + update) per round, after
a warm-up iteration; rounds are interleaved; the figure is env steps per wall second, the best
round of each. Targets (issue 30): lean_ppo >= 0.8x raw physics and >= 1.0x the plain reference.

Usage: python benchmarks/legged_train_throughput.py [--envs 1024] [--iterations 3] [--rounds 3]
       [--robot go1_class]
       [--contenders raw raw_random plain lean_ppo lean_nominal sb3_ppo lean_variant]
       [--variant KEY=VALUE ...]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

import mujoco
import numpy as np
import plain_ppo  # this folder's single-file reference
import torch
from stable_baselines3.common.logger import Logger

from robodrl.algorithms.registry import get_algorithm
from robodrl.algorithms.sb3.build import build_env, build_model
from robodrl.make import make_core
from robodrl.resolve import load_config

RECIPE = "quadruped_robust_ppo"


class NoHooks:
    """Run hooks that do nothing (no evaluation, checkpoints or logs in the timing)."""

    def rollout_start(self, learner) -> None:
        pass

    def episodes_done(self, learner, episodes) -> None:
        pass

    def rollout_end(self, learner) -> None:
        pass

    def record(self, key: str, value: float) -> None:
        pass


ROBOT: list[str] = []  # --robot: the env.task.robot override, if any
VARIANT: list[str] = []  # --variant: lean_variant's recipe overrides


def recipe(envs: int, algorithm: dict | None = None, more: tuple[str, ...] = ()):
    overrides = [f"env.num_envs={envs}", *ROBOT, *more]
    if algorithm is not None:
        overrides += [f"algorithm={algorithm}"]
    return load_config(RECIPE, overrides)


def _raw_core(envs: int):
    config = recipe(envs)
    core = make_core(config.env.id, envs, seed=0, **config.env.task)
    core.reset()
    return core, config.algorithm.hyperparameters["n_steps"], config.policy.log_std_init


def raw_contender(envs: int):
    """The physics alone, with the robots on their feet: every iteration starts from the settled
    standing state (restored by copying qpos and qvel) and commands the standing pose plus the
    recipe's initial exploration noise."""
    core, steps, log_std = _raw_core(envs)
    batch, frame_skip, stage = core.batch, core.frame_skip, core.task.stage
    ctrl, qpos, qvel = batch.bind("ctrl"), batch.bind("qpos"), batch.bind("qvel")
    std = float(np.exp(log_std if log_std is not None else 0.0))
    rng = np.random.default_rng(0)
    standing = np.zeros(ctrl.shape)
    for _ in range(50):  # settle onto the feet
        ctrl[:] = core.action_to_ctrl(standing)
        batch.step(nstep=frame_skip, stage=stage)
    settled_qpos, settled_qvel = np.array(qpos), np.array(qvel)

    def iteration() -> int:
        qpos[:], qvel[:] = settled_qpos, settled_qvel
        for _ in range(steps):
            noise = np.clip(rng.normal(0.0, std, ctrl.shape), -1.0, 1.0)
            ctrl[:] = core.action_to_ctrl(noise)
            batch.step(nstep=frame_skip, stage=stage)
        return steps * envs

    iteration.qpos = qpos  # for the test that checks the robots stay on their feet
    return iteration


def raw_random_contender(envs: int):
    """The physics alone with uniformly random controls, never restarted (toppled robots)."""
    core, steps, _ = _raw_core(envs)
    batch, frame_skip, stage = core.batch, core.frame_skip, core.task.stage
    ctrl = batch.bind("ctrl")
    low, high = core.ctrl_low, core.ctrl_high
    rng = np.random.default_rng(0)

    def iteration() -> int:
        for _ in range(steps):
            ctrl[:] = rng.uniform(low, high, ctrl.shape)
            batch.step(nstep=frame_skip, stage=stage)
        return steps * envs

    iteration.qpos = batch.bind("qpos")
    return iteration


def robot_card(envs: int, folder: Path) -> dict:
    """The recipe's robot as the plain reference takes it: the compiled model and the facts a
    user hard-codes (standing pose, frame skip, trot clock, command ranges, mirror maps)."""
    config = recipe(envs)
    core = make_core(config.env.id, envs, seed=0, **config.env.task)
    task, model = core.task, core.model
    mujoco.mj_saveModel(model, str(folder / "robot.mjb"), None)
    obs_mirror, action_mirror = task.mirror_maps()
    legs = ("front_left", "front_right", "back_left", "back_right")
    return {
        "model": str(folder / "robot.mjb"),
        "joints": list(task.joint_names),
        "touch_sensors": [f"{leg}_foot_touch" for leg in legs],
        "stand_joints": task.stand_joints.tolist(),
        "stand_height": float(task.stand_height),
        "frame_skip": int(core.frame_skip),
        "gait_hz": float(task.gait_hz),
        "command_low": task.commands.low.tolist(),
        "command_high": task.commands.high.tolist(),
        "obs_mirror": obs_mirror.tolist(),
        "action_mirror": action_mirror.tolist(),
    }


def plain_contender(envs: int):
    folder = Path(tempfile.mkdtemp(prefix="robodrl-card-"))
    card = robot_card(envs, folder)
    (folder / "card.json").write_text(json.dumps(card))
    return plain_ppo.PPO(card, envs).iteration


def learner_iteration(learner):
    """One training iteration of a registry learner (a rollout and an update), no hooks;
    returns the env steps it took."""
    hooks = NoHooks()

    def iteration() -> int:
        before = learner.num_timesteps
        learner.learn(before + 1, hooks)
        return learner.num_timesteps - before

    return iteration


def lean_ppo_contender(envs: int):
    return learner_iteration(get_algorithm("lean_ppo").build(recipe(envs)))


def lean_nominal_contender(envs: int):
    config = recipe(envs, more=("env.randomization=null", "env.perturbations=null"))
    return learner_iteration(get_algorithm("lean_ppo").build(config))


def lean_variant_contender(envs: int):
    return learner_iteration(get_algorithm("lean_ppo").build(recipe(envs, more=tuple(VARIANT))))


def sb3_ppo_contender(envs: int):
    lean = recipe(envs).algorithm.hyperparameters
    steps = lean["n_steps"]
    hyperparameters = {
        "n_steps": steps,
        "batch_size": steps * envs // lean["n_minibatches"],
        "n_epochs": lean["n_epochs"],
        "learning_rate": lean["learning_rate"],
        "ent_coef": lean["ent_coef"],
    }
    config = recipe(envs, {"name": "ppo", "hyperparameters": hyperparameters})
    model = build_model(config, build_env(config))
    model.set_logger(Logger(folder=None, output_formats=[]))  # SB3's default: a /tmp folder
    model.learn(steps * envs)  # warm-up

    def iteration() -> int:
        model.learn(steps * envs, reset_num_timesteps=False)
        return steps * envs

    return iteration


def best_rates(contenders: dict, rounds: int, iterations: int) -> dict[str, float]:
    """Env steps per second of each contender (``name -> iteration()``), best of ``rounds``
    interleaved rounds of ``iterations`` iterations, after one warm-up iteration each."""
    for run in contenders.values():
        run()  # warm-up
    best = dict.fromkeys(contenders, 0.0)
    for round_ in range(rounds):
        for name, run in contenders.items():
            start, steps = time.perf_counter(), 0
            for _ in range(iterations):
                steps += run()
            rate = steps / (time.perf_counter() - start)
            best[name] = max(best[name], rate)
            print(f"round {round_} {name}: {rate:,.0f} steps/s", flush=True)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--envs", type=int, default=1024)
    parser.add_argument("--iterations", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--contenders", nargs="+", default=["raw", "plain", "lean_ppo", "lean_nominal", "sb3_ppo"]
    )
    parser.add_argument("--robot", help="another robot for the recipe (env.task.robot)")
    parser.add_argument(
        "--variant", action="append", default=[], metavar="KEY=VALUE",
        help="a recipe override for the lean_variant contender",
    )  # fmt: skip
    args = parser.parse_args()
    if args.robot:
        ROBOT.append(f"env.task.robot={args.robot}")
    VARIANT.extend(args.variant)
    builders = {
        "raw": raw_contender,
        "raw_random": raw_random_contender,
        "plain": plain_contender,
        "lean_ppo": lean_ppo_contender,
        "lean_nominal": lean_nominal_contender,
        "sb3_ppo": sb3_ppo_contender,
        "lean_variant": lean_variant_contender,
    }
    contenders = {name: builders[name](args.envs) for name in args.contenders}
    best = best_rates(contenders, args.rounds, args.iterations)
    print(
        f"\nmachine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"torch threads {torch.get_num_threads()}; {args.envs} simulations, best of "
        f"{args.rounds} rounds x {args.iterations} iterations"
    )
    print("| contender | steps/s | / raw | / plain |")
    print("|---|---:|---:|---:|")
    for name, rate in best.items():
        ratios = [rate / best[b] if best.get(b) else float("nan") for b in ("raw", "plain")]
        print(f"| {name} | {rate:,.0f} | {ratios[0]:.2f} | {ratios[1]:.2f} |")


if __name__ == "__main__":
    main()
