"""Multilayer perceptrons for robodrl's own algorithms, and torch networks (any algorithm's)
as the plain layers export writes."""

from __future__ import annotations

import itertools

import numpy as np
import torch
from torch import nn

from robodrl.policy import ActorNetwork, Layer, TrainedPolicy, network_input

ACTIVATIONS = {"tanh": nn.Tanh, "relu": nn.ReLU, "elu": nn.ELU}


def mlp(sizes: list[int], activation: str, *, output_gain: float = 1.0) -> nn.Sequential:
    """Linear layers of ``sizes`` with ``activation`` between them (none after the last);
    orthogonal initialization, the last layer scaled by ``output_gain``."""
    modules: list[nn.Module] = []
    for i, (inputs, outputs) in enumerate(itertools.pairwise(sizes)):
        linear = nn.Linear(inputs, outputs)
        last = i == len(sizes) - 2
        nn.init.orthogonal_(linear.weight, gain=output_gain if last else 2**0.5)
        nn.init.zeros_(linear.bias)
        modules.append(linear)
        if not last:
            modules.append(ACTIVATIONS[activation]())
    return nn.Sequential(*modules)


class Columns(nn.Module):
    """The columns ``[start, stop)`` of its input (a network reading part of a wider input)."""

    def __init__(self, start: int, stop: int) -> None:
        super().__init__()
        self.start, self.stop = start, stop

    def forward(self, x):
        return x[..., self.start : self.stop]


class NotExportable(ValueError):  # noqa: N818 (a reason, not a failure)
    """Why an actor cannot be written as one ONNX graph."""


def layers_of(modules: list[nn.Module]) -> list[Layer]:
    """torch modules (Linear, Tanh, ReLU, ELU, Sequential of those) as layers."""
    layers = []
    for module in modules:
        if isinstance(module, nn.Sequential):
            layers += layers_of(list(module))
        elif isinstance(module, nn.Linear):
            weight = module.weight.detach().cpu().numpy().astype(np.float32)
            bias = module.bias.detach().cpu().numpy().astype(np.float32)
            layers.append(Layer("linear", weight, bias))
        elif isinstance(module, nn.Tanh):
            layers.append(Layer("tanh"))
        elif isinstance(module, nn.ReLU):
            layers.append(Layer("relu"))
        elif isinstance(module, nn.ELU):
            layers.append(Layer("elu", alpha=float(module.alpha)))
        elif isinstance(module, nn.Flatten | nn.Identity):
            continue
        else:
            raise NotExportable(
                f"cannot export layer {type(module).__name__}; supported: Linear, Tanh, ReLU, ELU"
            )
    return layers


def actor_policy(
    actor: nn.Module, normalizer: dict | None, *, config, algorithm: str, folder, state: dict
) -> TrainedPolicy:
    """A checkpoint's deterministic torch actor (raw observations, normalized inside) as the
    policy layer's :class:`~robodrl.policy.TrainedPolicy`, with the layers export writes."""
    first = next(m for m in actor.modules() if isinstance(m, nn.Linear))
    last = [m for m in actor.modules() if isinstance(m, nn.Linear)][-1]

    def action(obs: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return actor(torch.as_tensor(network_input(obs, normalizer))).numpy()

    return TrainedPolicy(
        env_id=config.env.id,
        task_arguments=dict(config.env.task),
        obs_dim=first.in_features,
        act_dim=last.out_features,
        algorithm=algorithm,
        training_steps=int(state["num_timesteps"]),
        checkpoint=folder,
        network=ActorNetwork(layers_of([actor]), squash=False, normalizer=normalizer),
        action=action,
    )
