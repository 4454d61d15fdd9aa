"""One table of algorithms, and how a config becomes an SB3 model on robodrl's batched env."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import torch
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.noise import NormalActionNoise
from stable_baselines3.common.vec_env import VecEnv

from robodrl.config import TrainConfig, algorithm_class
from robodrl.errors import ConfigError
from robodrl.make import make_sb3_vec
from robodrl.trainers.normalize import ObservationNormalizer
from robodrl.trainers.policies import LeanActorCriticPolicy

#: algorithms whose policy is SB3's ActorCriticPolicy (rollouts use the lean forward pass)
ON_POLICY = ("ppo", "a2c", "trpo")
ACTIVATIONS = {"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU, "elu": torch.nn.ELU}


def build_env(
    config: TrainConfig, *, num_envs: int | None = None, seed: int | None = None
) -> VecEnv:
    """The training (or, with ``num_envs`` / ``seed``, evaluation) env of a config."""
    env_cfg = config.env
    env = make_sb3_vec(
        env_cfg.id,
        num_envs or env_cfg.num_envs,
        num_threads=env_cfg.num_threads,
        seed=config.seed if seed is None else seed,
        randomization=env_cfg.randomization,
        perturbations=env_cfg.perturbations,
        **env_cfg.task,
    )
    if config.normalize.observations:
        env = ObservationNormalizer(
            env, clip=config.normalize.clip, epsilon=config.normalize.epsilon
        )
    return env


def check_device(device: str) -> None:
    """Refuse ``device: cuda`` where torch sees no CUDA GPU (``auto`` falls back to the CPU)."""
    if device == "cuda" and not torch.cuda.is_available():
        raise ConfigError(
            f"device: cuda, but torch {torch.__version__} sees no CUDA GPU on this machine; "
            "use device: cpu, or auto to take a GPU where there is one"
        )


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


def build_model(config: TrainConfig, env: VecEnv) -> BaseAlgorithm:
    """A fresh model of the config's algorithm on ``env``."""
    name = config.algorithm.name
    kwargs = dict(config.algorithm.hyperparameters)
    if name in ("td3", "ddpg"):
        dim = env.action_space.shape[0]
        std = config.algorithm.action_noise_std
        kwargs["action_noise"] = NormalActionNoise(np.zeros(dim), std * np.ones(dim))
    try:
        return algorithm_class(name)(
            LeanActorCriticPolicy if name in ON_POLICY else "MlpPolicy",
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
    from robodrl.trainers.normalize import normalize

    policy_obs = (
        obs.astype(np.float32) if normalizer_state is None else normalize(obs, normalizer_state)
    )
    action, _ = model.predict(policy_obs, deterministic=True)
    return np.clip(action, -1.0, 1.0)


def evaluate(
    model: BaseAlgorithm, config: TrainConfig, normalizer_state: dict | None
) -> dict[str, float]:
    """Deterministic return of one episode per evaluation seed (a fresh env, fixed seeds)."""
    from robodrl.envs.episodes import run_episodes
    from robodrl.make import make_core

    env_cfg, episodes = config.env, config.eval.episodes
    core = make_core(
        env_cfg.id,
        episodes,
        num_threads=env_cfg.num_threads,
        seed=config.eval.seed,
        randomization=env_cfg.randomization,
        perturbations=env_cfg.perturbations,
        autoreset=False,
        **env_cfg.task,
    )

    stats = run_episodes(core, lambda obs: deterministic_action(model, obs, normalizer_state))
    returns = stats.returns
    result = {
        "mean_return": float(returns.mean()),
        "std_return": float(returns.std()),
        "min_return": float(returns.min()),
        "mean_length": float(stats.lengths.mean()),
    }
    if core.task.has_success:
        result["success_rate"] = float(stats.success.mean())
    return result
