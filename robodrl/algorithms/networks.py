"""Multilayer perceptrons for robodrl's own algorithms, and their export as plain layers."""

from __future__ import annotations

import itertools

from torch import nn

from robodrl.policy import Layer

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


def as_layers(network: nn.Sequential) -> list[Layer]:
    """An :func:`mlp` as export layers."""
    layers = []
    for module in network:
        if isinstance(module, nn.Linear):
            weight = module.weight.detach().cpu().numpy().astype("float32")
            layers.append(Layer("linear", weight, module.bias.detach().cpu().numpy()))
        elif isinstance(module, nn.ELU):
            layers.append(Layer("elu", alpha=float(module.alpha)))
        else:
            layers.append(Layer("tanh" if isinstance(module, nn.Tanh) else "relu"))
    return layers
