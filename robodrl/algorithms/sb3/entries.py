"""Stable-Baselines3 and sb3-contrib algorithms as registry entries: PPO, A2C, TRPO (on-policy),
SAC, TD3, DDPG (off-policy). Their hyperparameters are the SB3 constructor's arguments, less
the ones robodrl sets itself."""

from __future__ import annotations

import importlib
import inspect
from typing import TYPE_CHECKING, Any

from robodrl.algorithms.registry import NO_INPUTS, Algorithm, Capabilities, Checkpoint, Inputs
from robodrl.policy import TrainedPolicy

if TYPE_CHECKING:
    from robodrl.config import TrainConfig

#: constructor arguments robodrl sets itself; a config may not
RESERVED = {
    "self",
    "policy",
    "env",
    "tensorboard_log",
    "policy_kwargs",
    "verbose",
    "seed",
    "device",
    "_init_setup_model",
    "replay_buffer_class",
    "replay_buffer_kwargs",
    "action_noise",
    "rollout_buffer_class",
    "rollout_buffer_kwargs",
    "stats_window_size",
}
_INT, _NUMBER = int, (int, float)
#: hyperparameters whose type robodrl checks before SB3 sees them
NUMERIC: dict[str, Any] = {
    **dict.fromkeys(
        ("n_steps", "batch_size", "buffer_size", "n_epochs", "learning_starts", "gradient_steps"),
        _INT,
    ),
    **dict.fromkeys(
        ("learning_rate", "gamma", "gae_lambda", "tau", "vf_coef", "max_grad_norm"), _NUMBER
    ),
}


class SB3Algorithm(Algorithm):
    """One SB3 class (``module:Class``) behind an algorithm name."""

    def __init__(self, name: str, path: str, capabilities: Capabilities, description: str):
        self.name, self.path = name, path  # type: ignore[misc]
        self.capabilities, self.description = capabilities, description  # type: ignore[misc]

    def sb3_class(self) -> type:
        """The SB3 / sb3-contrib class."""
        module, name = self.path.split(":")
        return getattr(importlib.import_module(module), name)

    def hyperparameter_names(self) -> list[str]:
        signature = inspect.signature(self.sb3_class().__init__)
        return sorted(set(signature.parameters) - RESERVED)

    def check_hyperparameters(self, hyperparameters: dict[str, Any]) -> None:
        super().check_hyperparameters(hyperparameters)
        hp = hyperparameters
        for key, value in hp.items():
            kind = NUMERIC.get(key)
            if kind is not None and (isinstance(value, bool) or not isinstance(value, kind)):
                what = "an integer" if kind is int else "a number"
                raise ValueError(f"hyperparameters.{key}: must be {what}, got {value!r}")
        for key in ("learning_rate", "batch_size", "n_steps", "buffer_size", "n_epochs"):
            if key in hp and hp[key] <= 0:
                raise ValueError(f"hyperparameters.{key}: must be > 0, got {hp[key]}")
        for key in ("gamma", "gae_lambda", "tau"):
            if key in hp and not 0 <= hp[key] <= 1:
                raise ValueError(f"hyperparameters.{key}: must be in [0, 1], got {hp[key]}")
        if "batch_size" in hp and "buffer_size" in hp and hp["batch_size"] > hp["buffer_size"]:
            raise ValueError(
                f"hyperparameters.batch_size: {hp['batch_size']} is larger than "
                f"hyperparameters.buffer_size ({hp['buffer_size']})"
            )

    def check_config(self, config: TrainConfig) -> None:
        hp = config.algorithm.hyperparameters
        if self.capabilities.on_policy and "batch_size" in hp:
            steps = hp.get("n_steps", 2048) * config.env.num_envs
            if hp["batch_size"] > steps:
                raise ValueError(
                    f"algorithm.hyperparameters.batch_size: {hp['batch_size']} is larger than "
                    f"a rollout (n_steps x env.num_envs = {steps})"
                )

    def build(self, config: TrainConfig, inputs: Inputs = NO_INPUTS):
        from robodrl.algorithms.sb3.build import build_env, build_model
        from robodrl.algorithms.sb3.learner import SB3Learner

        return SB3Learner(build_model(config, build_env(config), self.sb3_class()))

    def build_player(self, config: TrainConfig, core: Any):
        from robodrl.algorithms.sb3.build import build_model, player_env
        from robodrl.algorithms.sb3.learner import SB3Learner

        return SB3Learner(build_model(config, player_env(config, core), self.sb3_class()))

    def restore_player(self, config: TrainConfig, checkpoint: Checkpoint, core: Any):
        from robodrl.algorithms.sb3.build import player_env

        return self._load(config, checkpoint, player_env(config, core))

    def restore(self, config: TrainConfig, checkpoint: Checkpoint, inputs: Inputs = NO_INPUTS):
        from robodrl.algorithms.sb3.build import build_env

        return self._load(config, checkpoint, build_env(config))

    def _load(self, config: TrainConfig, checkpoint: Checkpoint, env):
        """The model of a verified checkpoint on ``env``, with the state SB3 does not save."""
        from robodrl.algorithms.sb3.learner import SB3Learner
        from robodrl.algorithms.sb3.normalize import ObservationNormalizer

        folder, state, normalizer = checkpoint
        if isinstance(env, ObservationNormalizer) and normalizer is not None:
            env.load_state_dict(normalizer)
        model = self.sb3_class().load(folder / "model.zip", env=env, device=config.device)
        learner = SB3Learner(model)
        learner.restore(folder, state["learner"])
        return learner

    def load_policy(self, config: TrainConfig, checkpoint: Checkpoint) -> TrainedPolicy:
        from robodrl.algorithms.networks import NotExportable
        from robodrl.algorithms.sb3.build import deterministic_action
        from robodrl.algorithms.sb3.network import actor_network

        folder, state, normalizer = checkpoint
        model = self.sb3_class().load(folder / "model.zip", device="cpu")
        try:
            network, reason = actor_network(model, normalizer), ""
        except NotExportable as err:
            network, reason = None, str(err)
        return TrainedPolicy(
            env_id=config.env.id,
            task_arguments=dict(config.env.task),
            obs_dim=int(model.observation_space.shape[0]),
            act_dim=int(model.action_space.shape[0]),
            algorithm=self.name,
            training_steps=int(state["num_timesteps"]),
            checkpoint=folder,
            network=network,
            action=lambda obs: deterministic_action(model, obs, normalizer),
            why_not_exportable=reason,
        )


_ON = Capabilities(on_policy=True, state_independent_log_std=True, player=True, reward_scaling=True)
_OFF = Capabilities(off_policy=True, player=True, reward_scaling=True)
PPO = SB3Algorithm("ppo", "stable_baselines3:PPO", _ON, "proximal policy optimization (SB3)")
A2C = SB3Algorithm("a2c", "stable_baselines3:A2C", _ON, "advantage actor-critic (SB3)")
TRPO = SB3Algorithm("trpo", "sb3_contrib:TRPO", _ON, "trust region policy optimization")
SAC = SB3Algorithm("sac", "stable_baselines3:SAC", _OFF, "soft actor-critic (SB3)")
TD3 = SB3Algorithm("td3", "stable_baselines3:TD3", _OFF, "twin delayed DDPG (SB3)")
DDPG = SB3Algorithm("ddpg", "stable_baselines3:DDPG", _OFF, "deep deterministic policy gradient")
