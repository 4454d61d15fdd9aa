"""AIRL: adversarial inverse reinforcement learning, a reward that can train a fresh policy.

robodrl's own algorithm on the shared adversarial pieces
(:mod:`~robodrl.algorithms.imitation.adversarial`: an SB3 PPO / TRPO generator on the learned
reward). The discriminator has the form D = exp(f) / (exp(f) + π(a|s)), with

    f(s, a, s') = g(s) + gamma·h(s') - h(s),

a state-only reward g and a shaping potential h. Trained as a classifier of demonstrated
against generated transitions, g recovers a reward (up to a constant) that does not depend on
the dynamics' details, and h absorbs the shaping. The generator is rewarded with
log D - log(1 - D) = f - log π(a|s) (maximum-entropy RL on f).

Early termination, as in ``gail``: an episode the task terminates (a fall, not the time limit)
moves to an absorbing state that loops on itself; g and h see an absorbing flag, a terminating
step's s' is the absorbing state, and its reward adds gamma/(1-gamma) times the absorbing
loop's f(absorbing, absorbing) = g + gamma·h - h there. Each terminating transition adds an
absorbing loop to its side of the discriminator's data (its action plays no part: log π = 0).
Without it a reward that is mostly negative pays for falling at once.

Re-using the reward: ``reward_run: RUN`` (an earlier ``airl`` run) loads that run's reward
(its best checkpoint) and keeps it fixed; the generator, a fresh policy, is then rewarded with
the learned f alone and no demonstrations are needed.
Reference: Fu, Luo and Levine, "Learning robust rewards with adversarial inverse reinforcement
learning" (ICLR 2018).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from torch.nn.functional import binary_cross_entropy_with_logits as bce

from robodrl.algorithms.imitation.adversarial import (
    AdversarialAlgorithm,
    AdversarialHyperparameters,
    AdversarialLearner,
    RewardModel,
    Transitions,
)
from robodrl.algorithms.networks import mlp
from robodrl.algorithms.registry import Capabilities
from robodrl.errors import ConfigError

if TYPE_CHECKING:
    from robodrl.config import TrainConfig

LogProb = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


class AIRLHyperparameters(AdversarialHyperparameters):
    """``algorithm.hyperparameters`` of ``airl``."""

    reward_run: str | None = None
    """An earlier airl run whose learned reward trains this run's policy (kept fixed)."""


class AIRLReward(RewardModel):
    """f(s, a, s') = g(s) + gamma·h(s') - h(s), s' the absorbing state after a termination;
    the discriminator's logit is f - log π(a|s)."""

    def __init__(self, obs_dim: int, expert: Transitions | None, hidden: list[int],
                 gamma: float, log_prob: LogProb) -> None:  # fmt: skip
        super().__init__(obs_dim, expert)
        self.g = mlp([obs_dim + 1, *hidden, 1], "tanh")  # the reward (last input: absorbing)
        self.h = mlp([obs_dim + 1, *hidden, 1], "tanh")  # the shaping potential
        self.gamma, self.log_prob = gamma, log_prob
        self.absorbed = gamma / max(1.0 - gamma, 1e-3)  # the value of looping forever, per f
        self.fixed = expert is None

    def _live(self, obs: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.normalize(obs), torch.zeros(len(obs), 1)], dim=1)

    def absorbing_f(self) -> torch.Tensor:
        """f of the absorbing state's loop: g + gamma·h - h there."""
        flag = torch.zeros(1, self.g[0].in_features)
        flag[0, -1] = 1.0
        return (self.g(flag) + (self.gamma - 1.0) * self.h(flag)).squeeze()

    def f(self, steps: Transitions) -> torch.Tensor:
        obs, next_obs = self._live(steps.obs), self._live(steps.next_obs)
        next_obs[:, :-1] *= (1 - steps.terminated)[:, None]  # after a termination: absorbing
        next_obs[:, -1] = steps.terminated
        reward = self.g(obs).squeeze(-1)
        return reward + self.gamma * self.h(next_obs).squeeze(-1) - self.h(obs).squeeze(-1)

    def logits(self, steps: Transitions) -> torch.Tensor:
        """The discriminator's logit of each step, then one absorbing loop per termination."""
        live = self.f(steps) - self.log_prob(steps.obs, steps.actions)
        loops = self.absorbing_f().expand(int(steps.terminated.sum().item()))
        return torch.cat([live, loops])

    def loss(self, expert: Transitions, generated: Transitions) -> torch.Tensor:
        real, fake = self.logits(expert), self.logits(generated)
        return bce(real, torch.ones_like(real)) + bce(fake, torch.zeros_like(fake))

    def reward(self, steps: Transitions) -> torch.Tensor:
        """While learning: log D - log(1 - D); a fixed, re-used reward: f alone. A terminating
        step adds gamma/(1-gamma) times the absorbing loop's f."""
        live = self.f(steps) if self.fixed else self.logits(steps)[: len(steps)]
        return live + steps.terminated * self.absorbed * self.absorbing_f()


class AIRLLearner(AdversarialLearner):
    """AIRL, as the run machinery drives it."""

    hyperparameters = AIRLHyperparameters

    def make_reward_model(self) -> RewardModel:
        gamma = float(self.generator.model.gamma)
        model = AIRLReward(
            self.core.obs_dim, self.expert, self.hp.disc_net_arch, gamma, self.policy_log_prob
        )
        if self.hp.reward_run is not None:
            if self.inputs.reward is None:
                raise ConfigError(
                    f"hyperparameters.reward_run: the reward of {self.hp.reward_run} was not "
                    "given to the learner; the run layer loads it "
                    "(robodrl.runs.inputs.prepare_inputs)"
                )
            model.load_state_dict(self.inputs.reward)
        return model

    def policy_log_prob(self, obs: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
        """log π(a|s) of the generator's policy for raw observations (no gradient)."""
        normalizer, raw = self.generator.normalizer, obs.numpy()
        normalized = raw if normalizer is None else normalizer.normalize_obs(raw)
        policy = self.generator.model.policy
        with torch.no_grad():
            inputs = torch.as_tensor(normalized, dtype=torch.float32)
            _, log_prob, _ = policy.evaluate_actions(inputs, actions)
        return log_prob


class AIRLAlgorithm(AdversarialAlgorithm):
    """The registry entry of ``airl``."""

    name = "airl"
    description = "AIRL: a reward and shaping learned adversarially, re-usable (robodrl)"
    capabilities = Capabilities(
        on_policy=True, takes_demonstrations=True, state_independent_log_std=True
    )
    learner = AIRLLearner

    def reward_run(self, config: TrainConfig) -> str | None:
        return config.algorithm.hyperparameters.get("reward_run")

    def load_reward(self, folder: Path) -> dict[str, Any]:
        return torch.load(folder / "reward.pt", weights_only=True)["reward"]

    def check_config(self, config: TrainConfig) -> None:
        super().check_config(config)
        reward_run = config.algorithm.hyperparameters.get("reward_run")
        if reward_run is None and config.demos is None:
            raise ValueError(
                "demos: airl learns its reward from demonstrations; give demos: DATASET, or "
                "algorithm.hyperparameters.reward_run: an airl run whose reward to re-use"
            )
        if reward_run is not None and config.demos is not None:
            raise ValueError(
                "demos: a run re-using the reward of hyperparameters.reward_run learns no "
                "reward; leave demos out"
            )
        if reward_run is not None and not Path(reward_run).is_dir():
            raise ValueError(f"hyperparameters.reward_run: {reward_run} is not a run directory")


AIRL = AIRLAlgorithm()
