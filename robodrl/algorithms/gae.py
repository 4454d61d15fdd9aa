"""Generalized advantage estimation (Schulman et al. 2016), shared by robodrl's on-policy
algorithms."""

from __future__ import annotations

import torch


def gae(
    rewards: torch.Tensor,
    values: torch.Tensor,
    done: torch.Tensor,
    last_value: torch.Tensor,
    *,
    gamma: float,
    lam: float,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Advantages and returns of a rollout ``(n_steps, num_envs)``.

    ``done[t]`` ends the episode after step t (no bootstrap through a reset); a truncated
    episode's bootstrap value (the time limit is not part of the task) is expected inside
    ``rewards[t]`` already. ``last_value`` is the value of the observation after the last step.
    """
    steps = rewards.shape[0]
    advantages = torch.zeros_like(rewards)
    running = torch.zeros_like(last_value)
    for t in reversed(range(steps)):
        next_value = last_value if t == steps - 1 else values[t + 1]
        alive = 1.0 - done[t].float()
        delta = rewards[t] + gamma * next_value * alive - values[t]
        running = delta + gamma * lam * alive * running
        advantages[t] = running
    return advantages, advantages + values
