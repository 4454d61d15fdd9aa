"""How a config becomes a Stable-Baselines3 model on robodrl's batched env."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.noise import NormalActionNoise
from stable_baselines3.common.vec_env import VecEnv

from robodrl.algorithms.sb3.lean_policy import LeanActorCriticPolicy
from robodrl.algorithms.sb3.normalize import ObservationNormalizer
from robodrl.envs.sb3_vec import RobodrlVecEnv
from robodrl.errors import ConfigError
from robodrl.make import make_sb3_vec
from robodrl.policy import network_input

if TYPE_CHECKING:
    from robodrl.config import TrainConfig

ACTIVATIONS = {"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU, "elu": torch.nn.ELU}


def build_env(config: TrainConfig) -> VecEnv:
    """The training env of a config (evaluation builds its own: ``runs.evaluation``)."""
    return normalized(config, task_env(config))


def task_env(config: TrainConfig) -> RobodrlVecEnv:
    """The config's training task as an SB3 VecEnv, before the observation normalizer; its
    robustness ranges grow with ``env.curriculum`` (an evaluation env has them in full)."""
    env_cfg = config.env
    return make_sb3_vec(
        env_cfg.id,
        env_cfg.num_envs,
        num_threads=env_cfg.num_threads,
        seed=config.seed,
        randomization=env_cfg.randomization,
        perturbations=env_cfg.perturbations,
        curriculum=env_cfg.curriculum,
        **env_cfg.task,
    )


def player_env(config: TrainConfig, core: Any) -> VecEnv:
    """The env of one player of a game (``core``: its side, shaped like a batched core)."""
    return normalized(config, RobodrlVecEnv(core))


def normalized(config: TrainConfig, env: VecEnv) -> VecEnv:
    """``env`` behind the normalizer when the config normalizes observations or rewards (the
    rewards' discount is the algorithm's ``gamma``, SB3's default 0.99 unless set)."""
    settings = config.normalize
    if settings.observations or settings.rewards:
        env = ObservationNormalizer(
            env,
            clip=settings.clip,
            epsilon=settings.epsilon,
            observations=settings.observations,
            rewards=settings.rewards,
            gamma=config.algorithm.hyperparameters.get("gamma", 0.99),
        )
    return env


def policy_kwargs(config: TrainConfig) -> dict:
    """SB3 ``policy_kwargs`` from the ``policy`` section."""
    kwargs: dict = {
        "net_arch": config.policy.net_arch
        if isinstance(config.policy.net_arch, list)
        else dict(config.policy.net_arch),
        "activation_fn": ACTIVATIONS[config.policy.activation],
    }
    if config.policy.log_std_init is not None:  # on-policy only (checked by the config)
        kwargs["log_std_init"] = config.policy.log_std_init
    return kwargs


def build_model(
    config: TrainConfig, env: VecEnv, algorithm: type[BaseAlgorithm] | None = None
) -> BaseAlgorithm:
    """A fresh model of the config's algorithm (its SB3 class unless given), on ``env``."""
    from robodrl.algorithms.registry import get_algorithm

    name = config.algorithm.name
    entry = get_algorithm(name)
    on_policy = entry.capabilities.on_policy
    algorithm = algorithm or entry.sb3_class()
    kwargs = dict(config.algorithm.hyperparameters)
    if name in ("td3", "ddpg"):
        dim = env.action_space.shape[0]
        std = config.algorithm.action_noise_std
        kwargs["action_noise"] = NormalActionNoise(np.zeros(dim), std * np.ones(dim))
    try:
        return algorithm(
            LeanActorCriticPolicy if on_policy else "MlpPolicy",
            env,
            seed=config.seed,
            device=config.device,
            policy_kwargs=policy_kwargs(config),
            verbose=0,
            **kwargs,
        )
    except (TypeError, ValueError, AssertionError) as err:
        raise ConfigError(f"algorithm.hyperparameters: {name} refused them: {err}") from None


@contextmanager
def unchecked_distributions() -> Iterator[None]:
    """Train without ``torch.distributions``' argument checks, then restore the setting.

    SB3 builds a new Gaussian on every rollout step and minibatch, and the checks (finite
    mean, positive std, sample in support) are ~10% of a PPO step on Cheetah
    (``benchmarks/train_throughput.py``). Nothing is lost: a policy that outputs NaN gives a
    NaN action, which the env refuses with the simulation and actuator named.
    """
    distribution = torch.distributions.Distribution
    previous = distribution._validate_args
    distribution.set_default_validate_args(False)
    try:
        yield
    finally:
        distribution.set_default_validate_args(previous)


def deterministic_action(
    model: BaseAlgorithm, obs: np.ndarray, normalizer_state: dict | None
) -> np.ndarray:
    """The policy's deterministic action for raw observations, as training sees it: the saved
    normalizer applied, SB3's ``predict``, clipped to the action box [-1, 1]."""
    action, _ = model.predict(network_input(obs, normalizer_state), deterministic=True)
    return np.clip(action, -1.0, 1.0)
