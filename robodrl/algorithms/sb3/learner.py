"""A Stable-Baselines3 model as a :class:`~robodrl.algorithms.registry.Learner`: SB3's
``learn`` with one callback that forwards its events to the run machinery, and the state
SB3 does not save itself (env, last observations, action-space RNG, gSDE noise draws)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.logger import Logger, configure
from stable_baselines3.common.off_policy_algorithm import OffPolicyAlgorithm

from robodrl.algorithms.registry import Learner, RunHooks
from robodrl.algorithms.rng import capture_rng
from robodrl.algorithms.sb3.build import deterministic_action, unchecked_distributions
from robodrl.algorithms.sb3.normalize import ObservationNormalizer
from robodrl.policy import network_input

#: control steps per simulation in one iteration of an off-policy player (rarl)
OFF_POLICY_ITERATION = 64


class SB3Learner(Learner):
    """An SB3 model on robodrl's batched env (optionally behind the observation normalizer)."""

    def __init__(self, model: BaseAlgorithm) -> None:
        self.model = model
        # silent until set_log_folder: left alone, SB3's learn() makes a new /tmp/SB3-<time>
        # folder on every call (one per update for a player in a game)
        model.set_logger(Logger(folder=None, output_formats=[]))
        env = model.get_env()
        self.normalizer = env if isinstance(env, ObservationNormalizer) else None
        self.vec_env = env.venv if self.normalizer is not None else env
        self.core = self.vec_env.core
        self.at_rollout_start = False
        self._track_noise_draws()

    @property
    def num_timesteps(self) -> int:  # type: ignore[override]
        return int(self.model.num_timesteps)

    # -- learning ------------------------------------------------------------------------------
    def learn(self, total_steps: int, hooks: RunHooks) -> None:
        model = self.model
        remaining = total_steps - model.num_timesteps
        with unchecked_distributions():
            model.learn(
                remaining,
                callback=_HooksCallback(self, hooks),
                reset_num_timesteps=model.num_timesteps == 0,
            )

    # -- one player of a game (rarl) -----------------------------------------------------------
    def play_iteration(self, hooks: RunHooks, progress: float) -> None:
        """One iteration as a player: a rollout of ``n_steps`` per simulation and an update
        (on-policy), or ``OFF_POLICY_ITERATION`` steps per simulation with SB3's own training
        schedule (off-policy)."""
        model = self.model
        # not getattr(model, "n_steps", ...): SB3's off-policy models have n_steps too (n-step
        # returns, 1 by default), which would make an iteration one step per simulation
        off_policy = isinstance(model, OffPolicyAlgorithm)
        steps = (OFF_POLICY_ITERATION if off_policy else model.n_steps) * model.n_envs
        with unchecked_distributions():
            model.learn(steps, callback=_HooksCallback(self, hooks), reset_num_timesteps=False)

    def sample(self, obs: np.ndarray) -> np.ndarray:
        action, _ = self.model.predict(network_input(obs, self.normalizer_state()))
        return np.clip(action, -1.0, 1.0)

    def observe(self, obs: np.ndarray, episode_starts: np.ndarray) -> None:
        model, raw = self.model, np.asarray(obs, dtype=np.float32)
        if self.normalizer is not None:
            self.normalizer.old_obs = raw
            model._last_obs = self.normalizer.normalize_obs(raw)
        else:
            model._last_obs = raw.copy()
        if isinstance(model, OffPolicyAlgorithm):
            model._last_original_obs = raw.copy()
        model._last_episode_starts = np.asarray(episode_starts, dtype=bool).copy()

    def set_log_folder(self, folder: Path) -> None:
        self.model.set_logger(configure(str(folder), ["csv", "tensorboard"]))

    def act(self, obs: np.ndarray) -> np.ndarray:
        return deterministic_action(self.model, obs, self.normalizer_state())

    # -- checkpoints ---------------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        self.model.save(folder / "model.zip")
        if isinstance(self.model, OffPolicyAlgorithm):
            self.model.save_replay_buffer(folder / "replay_buffer.pkl")

    def normalizer_state(self) -> dict[str, Any] | None:
        return None if self.normalizer is None else self.normalizer.state_dict()

    def state(self) -> dict[str, Any]:
        model = self.model
        obs = model._last_obs
        original = getattr(model, "_last_original_obs", None)
        return {
            "env": self.vec_env.state_dict(),
            "reward_scale": None if self.normalizer is None else self.normalizer.reward_state(),
            "last_obs": _array(obs),
            "last_obs_dtype": str(np.asarray(obs).dtype),
            "last_original_obs": _array(original),
            "last_episode_starts": _array(model._last_episode_starts),
            "action_space_rng": model.action_space.np_random.bit_generator.state,
        }

    def rng_state(self) -> dict[str, Any]:
        state = capture_rng()
        before = getattr(self, "_rng_before_noise", None)
        if self.at_rollout_start and before is not None:
            state["torch"] = before.tolist()  # SB3 redraws the gSDE noise on resume
        return state

    def restore(self, folder: Path, state: dict[str, Any]) -> None:
        """Put a verified checkpoint's buffer, env state and observations in place."""
        model = self.model
        if isinstance(model, OffPolicyAlgorithm) and (folder / "replay_buffer.pkl").is_file():
            model.load_replay_buffer(folder / "replay_buffer.pkl")
        self.vec_env.load_state_dict(state["env"])
        if self.normalizer is not None:
            self.normalizer.load_reward_state(state.get("reward_scale"))
        dtype = np.dtype(state["last_obs_dtype"])
        model._last_obs = np.asarray(state["last_obs"], dtype=dtype)
        if state["last_original_obs"] is not None:
            model._last_original_obs = np.asarray(state["last_original_obs"], dtype=dtype)
        model._last_episode_starts = np.asarray(state["last_episode_starts"], dtype=bool)
        model.action_space.np_random.bit_generator.state = state["action_space_rng"]

    def _track_noise_draws(self) -> None:
        """Remember the torch RNG state before each gSDE noise draw.

        SB3 draws the exploration matrix just before ``on_rollout_start``, where robodrl writes
        checkpoints; a checkpoint keeps the state from before that draw (:meth:`rng_state`),
        so a resumed run draws the same matrix again.
        """
        model = self.model
        if not getattr(model, "use_sde", False):
            return
        owner = model.actor if isinstance(model, OffPolicyAlgorithm) else model.policy
        draw = owner.reset_noise

        def reset_noise(*args: Any, **kwargs: Any) -> None:
            self._rng_before_noise = torch.get_rng_state()
            draw(*args, **kwargs)

        owner.reset_noise = reset_noise


class _HooksCallback(BaseCallback):
    """SB3's callback events, forwarded to the run machinery."""

    def __init__(self, learner: SB3Learner, hooks: RunHooks) -> None:
        super().__init__(verbose=0)
        self.learner, self.hooks = learner, hooks

    def _on_rollout_start(self) -> None:
        self.learner.at_rollout_start = True
        try:
            self.hooks.rollout_start(self.learner)
        finally:
            self.learner.at_rollout_start = False

    def _on_step(self) -> bool:
        episodes = []
        for env, info in enumerate(self.locals["infos"]):
            episode = info.get("episode")
            if episode is not None:
                terms = info.get("episode_terms", {})
                episodes.append({"env": env, "return": episode["r"], "length": episode["l"],
                                 "terms": terms})  # fmt: skip
        if episodes:
            self.hooks.episodes_done(self.learner, episodes)
        return True

    def _on_rollout_end(self) -> None:
        self.hooks.rollout_end(self.learner)


def _array(value: Any) -> Any:
    return None if value is None else np.asarray(value).tolist()
