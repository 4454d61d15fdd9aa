"""GAIL: generative adversarial imitation learning, with absorbing states.

robodrl's own algorithm on the shared adversarial pieces
(:mod:`~robodrl.algorithms.imitation.adversarial`: an SB3 PPO / TRPO generator on the learned
reward). A discriminator D(s, a) learns to tell demonstrated state-actions from the
generator's. The generator is rewarded with ``reward_form``: ``positive``, -log(1 - D) (Ho and
Ermon's form: every step pays, more the more it looks like the expert), or ``logit``,
log D - log(1 - D) (looking like the expert pays, looking like the generator costs).

Early termination. A reward of fixed sign is a hidden bias where episodes can end early: always
positive rewards pay for surviving, always negative ones pay for falling. With ``absorbing:
true``, following Kostrikov et al.'s absorbing states, an episode the task *terminates* (a fall;
not the time limit) moves to an absorbing state that loops on itself forever. The discriminator
sees an absorbing flag: each terminating transition of the demonstrations or of the generator
adds an absorbing sample to its side. The generator's reward at a terminating step adds the
value of staying absorbed, gamma/(1-gamma)·r(absorbing): ending an episode is priced by what the
discriminator thinks of ending. The default is off, with the positive reward (Ho and Ermon's
original): its survival bonus agrees with experts that stay up, and it measured better on the
Hopper (recipes/RESULTS.md); turn it on where episodes end on success.

With ``gradient_penalty`` λ > 0 the discriminator's loss adds λ·E[(‖∇D(x̂)‖ - 1)²] on points
x̂ between demonstrated and generated inputs (Gulrajani et al. 2017), as DAC does.
References: Ho and Ermon, "Generative adversarial imitation learning" (NeurIPS 2016);
Kostrikov et al., "Discriminator-actor-critic" (ICLR 2019).
"""

from __future__ import annotations

from typing import Literal

import torch
from torch.nn.functional import binary_cross_entropy_with_logits as bce
from torch.nn.functional import softplus

from robodrl.algorithms.imitation.adversarial import (
    AdversarialAlgorithm,
    AdversarialHyperparameters,
    AdversarialLearner,
    RewardModel,
    Transitions,
)
from robodrl.algorithms.networks import mlp


class GAILHyperparameters(AdversarialHyperparameters):
    """``algorithm.hyperparameters`` of ``gail``."""

    reward_form: Literal["positive", "logit"] = "positive"
    """The generator's reward: -log(1 - D) (``positive``) or log D - log(1 - D) (``logit``)."""
    absorbing: bool = False
    """Absorbing states at terminations (False: a termination just ends the rewards, and the
    positive reward's survival bonus stands)."""


class GAILDiscriminator(RewardModel):
    """D(s, a, absorbing) as a logit; inputs normalized with the demonstrations' statistics."""

    def __init__(self, dims: tuple[int, int], expert: Transitions, hidden: list[int],
                 gamma: float, penalty: float, form: str = "positive",
                 absorbing: bool = True) -> None:  # fmt: skip
        super().__init__(dims[0], expert)
        self.net = mlp([dims[0] + dims[1] + 1, *hidden, 1], "tanh")
        #: the value of staying absorbed, per unit of the absorbing state's reward (gamma = 1: a
        #: horizon of 1,000 steps)
        self.absorbed = gamma / max(1.0 - gamma, 1e-3) if absorbing else 0.0
        self.penalty, self.form = penalty, form
        self.with_absorbing = absorbing  # terminations add absorbing samples

    def inputs(self, steps: Transitions) -> torch.Tensor:
        """Each step's (normalized observation, action, 0), then an absorbing sample (zeros and
        a flag of 1) for each step that terminated."""
        obs = self.normalize(steps.obs)
        live = torch.cat([obs, steps.actions, torch.zeros(len(steps), 1)], dim=1)
        ended = int(steps.terminated.sum().item()) if self.with_absorbing else 0
        absorbing = torch.zeros(ended, live.shape[1])
        absorbing[:, -1] = 1.0
        return torch.cat([live, absorbing])

    def loss(self, expert: Transitions, generated: Transitions) -> torch.Tensor:
        real, fake = self.inputs(expert), self.inputs(generated)
        logits_real, logits_fake = self.net(real), self.net(fake)
        loss = bce(logits_real, torch.ones_like(logits_real)) + bce(
            logits_fake, torch.zeros_like(logits_fake)
        )
        if self.penalty > 0:
            rows = min(len(real), len(fake))
            mix = torch.rand(rows, 1)
            points = (mix * real[:rows] + (1 - mix) * fake[:rows]).requires_grad_(True)
            (grad,) = torch.autograd.grad(self.net(points).sum(), points, create_graph=True)
            loss = loss + self.penalty * (grad.norm(dim=1) - 1).pow(2).mean()
        return loss

    def reward(self, steps: Transitions) -> torch.Tensor:
        """Each step's reward from D; a terminating step adds gamma/(1-gamma) times the
        absorbing state's."""
        logits = self.net(self.inputs(steps)).squeeze(-1)[: len(steps)]
        flag = torch.zeros(1, self.net[0].in_features)
        flag[0, -1] = 1.0
        absorbing = self.net(flag).squeeze()
        if self.form == "positive":  # -log(1 - D) = softplus(logit)
            logits, absorbing = softplus(logits), softplus(absorbing)
        return logits + steps.terminated * self.absorbed * absorbing


class GAILLearner(AdversarialLearner):
    """GAIL, as the run machinery drives it."""

    hyperparameters = GAILHyperparameters

    def make_reward_model(self) -> RewardModel:
        gamma = float(self.generator.model.gamma)
        dims = (self.core.obs_dim, self.core.action_dim)
        hp = self.hp
        return GAILDiscriminator(dims, self.expert, hp.disc_net_arch, gamma,
                                 hp.gradient_penalty, hp.reward_form, hp.absorbing)  # fmt: skip


class GAILAlgorithm(AdversarialAlgorithm):
    """The registry entry of ``gail``."""

    name = "gail"
    description = "GAIL with absorbing states: an SB3 generator on a learned reward (robodrl)"
    learner = GAILLearner


GAIL = GAILAlgorithm()
