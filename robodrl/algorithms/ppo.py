"""Lean batched PPO: proximal policy optimization for many simulations on few CPU cores.

robodrl's own PPO, written top to bottom in the CleanRL manner on the shared on-policy pieces
(:mod:`~robodrl.algorithms.onpolicy`: rollouts straight from the batched core, no VecEnv or
rollout-buffer layers between the physics and the tensors). Made for legged robots trained with
hundreds to thousands of simulations and short rollouts, the recipe of fast CPU and GPU legged
training: each iteration collects ``n_steps`` control steps from every simulation, computes GAE
advantages, then takes ``n_epochs`` passes of ``n_minibatches`` minibatches of the clipped
surrogate objective, the value loss and an entropy bonus on one Adam optimizer. The learning rate
falls linearly from ``learning_rate`` to ``final_learning_rate`` over the training budget (or
over ``final_learning_rate_steps``, then stays), or,
with ``desired_kl`` set, adapts at every minibatch: divided by 1.5 when the policy has moved more
than twice the desired KL divergence from the rollout's, multiplied by 1.5 when it has moved less
than half of it (the schedule of legged_gym's PPO). With
``symmetry_coef`` > 0 (tasks that define left-right mirror maps, such as Legged), a mirror loss
|π(mirror(s)) - mirror(π(s))|² teaches the policy to act the same on both sides. With
``critic_observations: privileged``, the critic sees the simulation's true state instead of the
policy's observation (:mod:`~robodrl.envs.privileged`: no noise or latency, the task's privileged
quantities, the episode's randomized parameters), an asymmetric actor-critic.
References: Schulman et al. (2017); Huang et al., "The 37 implementation details of PPO" (2022);
Yu, Turk and Liu, "Learning symmetric and low-energy locomotion" (2018) for the mirror loss;
Pinto et al., "Asymmetric actor critic for image-based robot learning" (2018).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal, cast

import torch
from pydantic import Field
from torch import nn

from robodrl.algorithms.gae import gae
from robodrl.algorithms.onpolicy import OnPolicyAlgorithm, OnPolicyLearner, Rollout
from robodrl.algorithms.registry import RunHooks
from robodrl.envs.task import MirroredTask
from robodrl.schema import Probability, Strict

if TYPE_CHECKING:
    from robodrl.config import TrainConfig
    from robodrl.envs.core import BatchedEnv


class PPOHyperparameters(Strict):
    """``algorithm.hyperparameters`` of ``lean_ppo`` (names as in SB3 where they match)."""

    n_steps: Annotated[int, Field(ge=1)] = 24
    """Control steps collected from every simulation per iteration."""
    n_epochs: Annotated[int, Field(ge=1)] = 5
    """Passes over each rollout."""
    n_minibatches: Annotated[int, Field(ge=1)] = 4
    """Minibatches per pass (each holds n_steps x num_envs / n_minibatches samples)."""
    learning_rate: Annotated[float, Field(gt=0)] = 1e-3
    """Adam step size at the start."""
    final_learning_rate: Annotated[float, Field(gt=0)] | None = None
    """Adam step size at the end of the budget (linear in between); None keeps it constant."""
    final_learning_rate_steps: Annotated[int, Field(ge=1)] | None = None
    """Env steps by which the step size reaches final_learning_rate and then stays (None: the
    training budget)."""
    desired_kl: Annotated[float, Field(gt=0)] | None = None
    """Adapt the step size to keep each update's KL divergence near this (None: the schedule)."""
    gamma: Probability = 0.99
    """Discount factor."""
    gae_lambda: Probability = 0.95
    """GAE's λ."""
    clip_range: Annotated[float, Field(gt=0)] = 0.2
    """PPO's ratio clip ε."""
    ent_coef: Annotated[float, Field(ge=0)] = 0.005
    """Weight of the entropy bonus."""
    vf_coef: Annotated[float, Field(ge=0)] = 0.5
    """Weight of the value loss."""
    max_grad_norm: Annotated[float, Field(gt=0)] = 1.0
    """Clip of the gradient's global norm."""
    normalize_advantages: bool = True
    """Scale advantages to zero mean, unit std per minibatch."""
    symmetry_coef: Annotated[float, Field(ge=0)] = 0.0
    """Weight of the mirror loss (0: off; > 0 needs a task with ``mirror_maps``)."""
    symmetry_fraction: Annotated[float, Field(gt=0, le=1)] = 1.0
    """Share of each minibatch the mirror loss is computed on (a random subset, since the
    minibatch is; 1: all of it). Below 1 the mirrored actor pass costs that much less."""
    critic_observations: Literal["policy", "privileged"] = "policy"
    """What the critic sees: the policy's observations, or the simulation's true state
    (training only: the exported policy is the actor)."""


#: bounds of the adapted step size, and its factor per minibatch (desired_kl)
ADAPTIVE_RATE_BOUNDS, ADAPTIVE_RATE_FACTOR = (1e-5, 1e-2), 1.5


def adapted_rate(rate: float, kl: float, desired: float) -> float:
    """The step size for a minibatch on which the policy's KL divergence from the rollout's
    policy is ``kl`` (``desired_kl``'s rule)."""
    low, high = ADAPTIVE_RATE_BOUNDS
    if kl > 2.0 * desired:
        return max(low, rate / ADAPTIVE_RATE_FACTOR)
    if kl < desired / 2.0:
        return min(high, rate * ADAPTIVE_RATE_FACTOR)
    return rate


class PPOLearner(OnPolicyLearner):
    """Lean PPO on a batched core, as the run machinery drives it."""

    hyperparameters = PPOHyperparameters

    def __init__(self, config: TrainConfig, core: BatchedEnv | None = None) -> None:
        super().__init__(config, core)
        self.optimizers = {
            "optimizer": torch.optim.Adam(self.agent.parameters(), lr=self.hp.learning_rate)
        }
        self.mirror: tuple[torch.Tensor, torch.Tensor] | None = None
        if self.hp.symmetry_coef > 0:  # the entry checked that the task can mirror
            maps = cast(MirroredTask, self.core.task).mirror_maps()
            self.mirror = tuple(torch.as_tensor(m, dtype=torch.float32) for m in maps)

    def privileged_critic(self) -> bool:
        return self.hp.critic_observations == "privileged"

    def update(self, rollout: Rollout, hooks: RunHooks, *, progress: float) -> None:
        """GAE advantages, then n_epochs x n_minibatches steps of the clipped objective."""
        hp, agent, optimizer = self.hp, self.agent, self.optimizers["optimizer"]
        if hp.final_learning_rate is not None:
            if hp.final_learning_rate_steps is not None:
                progress = self.num_timesteps / hp.final_learning_rate_steps
            rate = hp.learning_rate + min(progress, 1.0) * (
                hp.final_learning_rate - hp.learning_rate
            )
            for group in optimizer.param_groups:
                group["lr"] = rate

        # advantages: GAE(lambda) against the critic
        advantages, returns = gae(
            rollout.rewards,
            rollout.values,
            rollout.dones,
            self.last_value(),
            gamma=hp.gamma,
            lam=hp.gae_lambda,
        )
        obs, actions = rollout.obs.flatten(0, 1), rollout.actions.flatten(0, 1)
        critic_obs = rollout.critic_inputs.flatten(0, 1)
        old_log_probs = rollout.log_probs.flatten()
        if self.mirror is not None:  # the mirror images of the observations, as the net sees them
            mirror_obs, mirror_action = self.mirror
            raw = rollout.raw_obs.flatten(0, 1) @ mirror_obs.T
            mirrored = self.policy_input(raw.numpy())
        advantages, returns = advantages.flatten(), returns.flatten()
        agent.fit_value_targets(returns)

        # n_epochs passes of minibatches of the clipped surrogate + value loss - entropy bonus
        size = -(-len(returns) // hp.n_minibatches)
        clipped = []
        for _ in range(hp.n_epochs):
            for batch in torch.randperm(len(returns)).split(size):
                distribution = agent.distribution(obs[batch])
                log_prob = distribution.log_prob(actions[batch]).sum(-1)
                ratio = (log_prob - old_log_probs[batch]).exp()
                advantage = advantages[batch]
                if hp.normalize_advantages:
                    advantage = (advantage - advantage.mean()) / (advantage.std() + 1e-8)
                bounded = ratio.clamp(1.0 - hp.clip_range, 1.0 + hp.clip_range)
                policy_loss = -torch.min(ratio * advantage, bounded * advantage).mean()
                value_loss = agent.value_loss(critic_obs[batch], returns[batch])
                entropy = distribution.entropy().sum(-1).mean()
                loss = policy_loss + hp.vf_coef * value_loss - hp.ent_coef * entropy
                if self.mirror is not None:  # on the first symmetry_fraction of the batch
                    some = max(1, round(hp.symmetry_fraction * len(batch)))
                    mean = distribution.mean[:some]
                    mirror_mean = agent.actor(mirrored[batch[:some]])
                    symmetry = (mirror_mean - mean @ mirror_action.T).pow(2)
                    loss = loss + hp.symmetry_coef * symmetry.sum(-1).mean()
                optimizer.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(agent.parameters(), hp.max_grad_norm)
                optimizer.step()
                clipped.append(((ratio - 1.0).abs() > hp.clip_range).float().mean().item())
                if hp.desired_kl is not None:  # k3 estimate of KL(rollout policy || policy)
                    with torch.no_grad():
                        kl = ((ratio - 1.0) - ratio.log()).mean().item()
                    rate = adapted_rate(optimizer.param_groups[0]["lr"], kl, hp.desired_kl)
                    for group in optimizer.param_groups:
                        group["lr"] = rate

        hooks.record("train/policy_loss", policy_loss.item())
        hooks.record("train/value_loss", value_loss.item())
        hooks.record("train/entropy", entropy.item())
        hooks.record("train/clip_fraction", sum(clipped) / len(clipped))
        hooks.record("train/learning_rate", optimizer.param_groups[0]["lr"])
        hooks.record("train/std", agent.log_std.exp().mean().item())
        if self.mirror is not None:
            hooks.record("train/symmetry_loss", symmetry.sum(-1).mean().item())


class LeanPPOAlgorithm(OnPolicyAlgorithm):
    """The registry entry of ``lean_ppo``."""

    name = "lean_ppo"
    description = "PPO written for many batched simulations on few CPU cores (robodrl)"
    learner = PPOLearner

    def check_config(self, config: TrainConfig) -> None:
        from robodrl.registry import get_spec

        hyperparameters = config.algorithm.hyperparameters
        if hyperparameters.get("final_learning_rate_steps") is not None and (
            hyperparameters.get("final_learning_rate") is None
        ):
            raise ValueError(
                "algorithm.hyperparameters.final_learning_rate_steps: says when the step size "
                "reaches final_learning_rate, which is not set; set final_learning_rate too"
            )
        if hyperparameters.get("desired_kl") is not None and (
            hyperparameters.get("final_learning_rate") is not None
        ):
            raise ValueError(
                "algorithm.hyperparameters.desired_kl adapts the learning rate, and "
                "final_learning_rate schedules it: set one of them, not both"
            )
        if config.algorithm.hyperparameters.get("symmetry_coef", 0) > 0:
            task = get_spec(config.env.id).task_class()
            if not issubclass(task, MirroredTask):
                raise ValueError(
                    f"algorithm.hyperparameters.symmetry_coef: {config.env.id} defines no "
                    "left-right mirror of its observations and actions; set it to 0"
                )


LEAN_PPO = LeanPPOAlgorithm()
