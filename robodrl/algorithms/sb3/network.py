"""An SB3 model's deterministic actor as plain layers (:class:`robodrl.policy.ActorNetwork`),
which export writes as ONNX."""

from __future__ import annotations

from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.policies import ActorCriticPolicy
from stable_baselines3.common.torch_layers import FlattenExtractor
from torch import nn

from robodrl.algorithms.networks import NotExportable, layers_of
from robodrl.policy import ActorNetwork


def actor_network(model: BaseAlgorithm, normalizer: dict | None) -> ActorNetwork:
    """The deterministic actor of an SB3 model; ``NotExportable`` says why it cannot be."""
    policy = model.policy
    if isinstance(policy, ActorCriticPolicy):  # PPO, A2C, TRPO: the Gaussian mean
        if not isinstance(policy.pi_features_extractor, FlattenExtractor):
            raise NotExportable("only the default flatten features extractor can be exported")
        layers = layers_of([policy.mlp_extractor.policy_net, policy.action_net])
        return ActorNetwork(layers, squash=False, normalizer=normalizer)
    actor = getattr(policy, "actor", None)
    if actor is None:
        raise NotExportable(f"cannot find the actor of {type(policy).__name__}")
    if hasattr(actor, "latent_pi"):  # SAC: tanh(mu(latent))
        if not isinstance(actor.mu, nn.Linear):
            raise NotExportable("SAC with gSDE cannot be exported; train with use_sde: false")
        layers = layers_of([actor.latent_pi, actor.mu])
        return ActorNetwork(layers, squash=True, normalizer=normalizer)
    # TD3 / DDPG: the tanh is the last layer
    return ActorNetwork(layers_of([actor.mu]), squash=False, normalizer=normalizer)
