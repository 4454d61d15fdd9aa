"""Record demonstrations: a policy's episodes on the batched core, one episode per simulation.

Episode ``e`` starts from seed ``seed + e`` (its reset noise, randomized model and pushes), so
a dataset can be recorded again exactly, and the reference returns (the demonstrator's, and
uniformly random actions' on the same seeds) are the normalized score's 1 and 0.

Replay: ``env = gymnasium.make(env_id, randomization=R, perturbations=P, **task_arguments)``
(or ``dataset.recover_environment()``), ``env.reset(seed=s)`` and the recorded actions give
the recorded episode bit for bit. Per-step perturbation noise comes from one stream per batch
of simulations, so with perturbations each episode is recorded in a batch of its own: its
noise stream is then the one ``reset(seed=s)`` seeds.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from robodrl.datasets.demonstrations import Demonstrations, Episode
from robodrl.envs.episodes import run_episodes
from robodrl.errors import ConfigError
from robodrl.make import make_core
from robodrl.policy import Policy, actions_for
from robodrl.robustness.loading import load_section

#: simulations per batch while recording
BATCH = 64


def record_demonstrations(
    policy: Policy,
    episodes: int,
    *,
    seed: int = 0,
    randomization: str | dict | None = None,
    perturbations: str | dict | None = None,
    source: str = "",
) -> Demonstrations:
    """``episodes`` episodes of ``policy`` (deterministic actions) on its task."""
    if episodes < 1:
        raise ConfigError(f"--episodes must be >= 1, got {episodes}")
    settings = {
        "seed": seed,
        "randomization": _resolved(randomization, policy.env_id, "randomization"),
        "perturbations": _resolved(perturbations, policy.env_id, "perturbations"),
    }
    batch = 1 if perturbations is not None else BATCH  # per-step noise: the episode's own
    recorded: list[Episode] = []
    random_returns: list[float] = []
    for start in range(0, episodes, batch):
        seeds = list(range(seed + start, seed + min(episodes, start + batch)))
        core = _core(policy, seeds, settings)
        recorded += _record_batch(core, policy, seeds)
        random = run_episodes(_core(policy, seeds, settings), _random_actions(seeds, policy))
        random_returns += random.returns.tolist()
    return Demonstrations(
        env_id=policy.env_id,
        task_arguments=dict(policy.task_arguments),
        obs_dim=policy.obs_dim,
        act_dim=policy.act_dim,
        episodes=recorded,
        source=source,
        settings={k: v for k, v in settings.items() if v is not None},
        reference={
            "demonstrator_return": float(np.mean([e.episode_return for e in recorded])),
            "random_return": float(np.mean(random_returns)),
        },
    )


def _resolved(source: str | dict | None, env_id: str, section: str) -> dict | None:
    """A preset name or YAML path as the settings it stands for, so the dataset holds them
    (another machine has other files)."""
    if source is None:
        return None
    return load_section(source, env_id, section).model_dump(mode="json")


def _random_actions(seeds: list[int], policy: Policy):
    """Uniformly random actions, seeded by the episodes' seeds (the score's 0)."""
    rng = np.random.default_rng(seeds)
    return lambda obs: rng.uniform(-1.0, 1.0, (len(obs), policy.act_dim))


def _core(policy: Policy, seeds: list[int], settings: dict[str, Any]):
    core = make_core(
        policy.env_id,
        len(seeds),
        seed=seeds,
        autoreset=False,
        randomization=settings["randomization"],
        perturbations=settings["perturbations"],
        **policy.task_arguments,
    )
    if (core.obs_dim, core.action_dim) != (policy.obs_dim, policy.act_dim):
        raise ConfigError(
            f"the policy maps {policy.obs_dim} observations to {policy.act_dim} actions, but "
            f"{policy.env_id} with task arguments {dict(policy.task_arguments)} has "
            f"{core.obs_dim} observations and {core.action_dim} actions: record on the task "
            "the policy was trained on"
        )
    return core


def _record_batch(core, policy: Policy, seeds: list[int]) -> list[Episode]:
    """One episode in every simulation of ``core``, step by step."""
    n = core.num_envs
    obs = core.reset(seed=seeds)  # as one env's reset(seed=s) starts episode s
    start_values = core.reset_info().get("dr", {})
    columns: dict[str, list[np.ndarray]] = {k: [] for k in ("obs", "act", "rew", "term", "trunc")}
    lengths = np.zeros(n, dtype=np.int64)
    running = np.ones(n, dtype=bool)
    columns["obs"].append(obs)
    while running.any():
        action = np.clip(actions_for(policy, obs, core), -1.0, 1.0)
        obs, reward, terminated, truncated, _ = core.step(action)
        for key, value in zip(
            ("obs", "act", "rew", "term", "trunc"),
            (obs, action, reward, terminated, truncated),
            strict=True,
        ):
            columns[key].append(np.array(value))
        lengths += running
        running &= ~(terminated | truncated)
    stacked = {k: np.stack(v, axis=1) for k, v in columns.items()}  # (n, steps(+1), ...)
    return [
        Episode(
            observations=stacked["obs"][i, : lengths[i] + 1].astype(np.float32),
            actions=stacked["act"][i, : lengths[i]].astype(np.float32),
            rewards=stacked["rew"][i, : lengths[i]].astype(np.float64),
            terminations=stacked["term"][i, : lengths[i]].astype(bool),
            truncations=stacked["trunc"][i, : lengths[i]].astype(bool),
            seed=seeds[i],
            randomization={k: np.asarray(v[i], dtype=np.float64) for k, v in start_values.items()},
        )
        for i in range(n)
    ]
