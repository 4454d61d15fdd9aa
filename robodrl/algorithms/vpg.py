"""Vanilla policy gradient: REINFORCE with a learned value baseline and GAE(λ) advantages.

robodrl's own algorithm, written top to bottom in the CleanRL manner on robodrl's shared
pieces (the batched core, :mod:`~robodrl.algorithms.gae`, the running observation normalizer,
:mod:`~robodrl.algorithms.networks`). Each iteration: collect ``n_steps`` control steps from
every simulation with the stochastic Gaussian policy; estimate advantages with GAE against the
critic; take ONE gradient step of ``-E[log π(a|s) · A]`` on the policy (no clipping, no
epochs: the plain policy gradient); fit the critic to the returns for ``value_epochs``.
References: Williams (1992); Sutton et al. (2000); Schulman et al. (2016) for GAE.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import torch
from pydantic import Field
from torch import nn

from robodrl.algorithms.gae import gae
from robodrl.algorithms.onpolicy import OnPolicyAlgorithm, OnPolicyLearner, Rollout
from robodrl.algorithms.registry import RunHooks
from robodrl.schema import Probability, Strict

if TYPE_CHECKING:
    from robodrl.config import TrainConfig
    from robodrl.envs.core import BatchedEnv


class VPGHyperparameters(Strict):
    """``algorithm.hyperparameters`` of ``vpg`` (names as in the papers / CleanRL)."""

    n_steps: Annotated[int, Field(ge=1)] = 64
    """Control steps collected from every simulation per iteration."""
    learning_rate: Annotated[float, Field(gt=0)] = 3e-4
    """Adam step size of the policy (one step per iteration)."""
    value_learning_rate: Annotated[float, Field(gt=0)] = 1e-3
    """Adam step size of the critic."""
    value_epochs: Annotated[int, Field(ge=1)] = 5
    """Passes over the rollout fitting the critic to the returns."""
    value_batch_size: Annotated[int, Field(ge=1)] = 256
    """Minibatch size of the critic's passes."""
    gamma: Probability = 0.99
    """Discount factor."""
    gae_lambda: Probability = 0.95
    """GAE's λ: 0 is one-step TD, 1 is the Monte-Carlo return minus the baseline."""
    normalize_advantages: bool = True
    """Scale advantages to zero mean, unit std per iteration."""
    max_grad_norm: Annotated[float, Field(gt=0)] = 0.5
    """Clip of the gradient's global norm, both networks."""


class VPGLearner(OnPolicyLearner):
    """VPG on a batched core, as the run machinery drives it."""

    hyperparameters = VPGHyperparameters

    def __init__(self, config: TrainConfig, core: BatchedEnv | None = None) -> None:
        super().__init__(config, core)
        agent, hp = self.agent, self.hp
        self.optimizers = {
            "policy_optimizer": torch.optim.Adam(
                [*agent.actor.parameters(), agent.log_std], lr=hp.learning_rate
            ),
            "value_optimizer": torch.optim.Adam(
                agent.critic.parameters(), lr=hp.value_learning_rate
            ),
        }

    def update(self, rollout: Rollout, hooks: RunHooks, *, progress: float) -> None:
        """GAE advantages, one policy-gradient step, the critic's regression."""
        hp, agent = self.hp, self.agent
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
        advantages, returns = advantages.flatten(), returns.flatten()
        if hp.normalize_advantages:
            advantages = (advantages - advantages.mean()) / (advantages.std() + 1e-8)

        # policy: one gradient step of -E[log pi(a|s) * A]
        log_prob = agent.distribution(obs).log_prob(actions).sum(-1)
        policy_loss = -(log_prob * advantages).mean()
        self.optimizers["policy_optimizer"].zero_grad()
        policy_loss.backward()
        nn.utils.clip_grad_norm_([*agent.actor.parameters(), agent.log_std], hp.max_grad_norm)
        self.optimizers["policy_optimizer"].step()

        # critic: regression on the returns, value_epochs passes of minibatches
        for _ in range(hp.value_epochs):
            for batch in torch.randperm(len(returns)).split(hp.value_batch_size):
                value_loss = (agent.value(obs[batch]) - returns[batch]).pow(2).mean()
                self.optimizers["value_optimizer"].zero_grad()
                value_loss.backward()
                nn.utils.clip_grad_norm_(agent.critic.parameters(), hp.max_grad_norm)
                self.optimizers["value_optimizer"].step()

        hooks.record("train/policy_loss", policy_loss.item())
        hooks.record("train/value_loss", value_loss.item())
        hooks.record("train/std", agent.log_std.exp().mean().item())


class VPGAlgorithm(OnPolicyAlgorithm):
    """The registry entry of ``vpg``."""

    name = "vpg"
    description = "vanilla policy gradient with a learned baseline and GAE (robodrl)"
    learner = VPGLearner


VPG = VPGAlgorithm()
