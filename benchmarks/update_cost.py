"""What lean_ppo's update costs at the robust recipe's shapes, and what each candidate saves.

One update as ``quadruped_robust_ppo`` makes it: 24,576 samples (1,024 simulations x 24 steps), 5
epochs x 4 minibatches of the clipped objective, the value loss and the mirror loss, through a
128x128 ELU actor and critic on 50 observations and 12 actions; synthetic data of those shapes.
Variants (each changes one thing, but the last): fused Adam; the mirrored batch concatenated into
one actor pass; torch on 1 thread; ReLU; bf16 autocast; the mirror loss on a quarter of each
minibatch (``symmetry_fraction: 0.25``); ReLU with the mirror loss on a quarter. The figure is
seconds per update, best of ``--rounds``, interleaved. ``--variants`` picks some (the recipe
always runs).

Usage: python benchmarks/update_cost.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import torch
from torch import nn

SAMPLES, OBS, ACT, HIDDEN, EPOCHS, MINIBATCHES = 24_576, 50, 12, 128, 5, 4


def mlp(sizes: list[int], activation: type[nn.Module]) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(activation())
    return nn.Sequential(*layers)


def variant(
    *, activation=nn.ELU, fused=False, concatenated=False, bf16=False, threads=2, mirror_share=1.0
):
    """One update's work as a function of no arguments (data and networks made here)."""
    torch.manual_seed(0)
    actor = mlp([OBS, HIDDEN, HIDDEN, ACT], activation)
    critic = mlp([OBS, HIDDEN, HIDDEN, 1], activation)
    log_std = nn.Parameter(torch.zeros(ACT))
    params = [*actor.parameters(), *critic.parameters(), log_std]
    optimizer = torch.optim.Adam(params, lr=1e-3, fused=fused)
    obs, mirrored = torch.randn(SAMPLES, OBS), torch.randn(SAMPLES, OBS)
    actions, old_log_probs = torch.randn(SAMPLES, ACT), torch.randn(SAMPLES)
    advantages, returns = torch.randn(SAMPLES), torch.randn(SAMPLES)
    mirror_action = torch.randn(ACT, ACT)

    def update() -> None:
        torch.set_num_threads(threads)
        for _ in range(EPOCHS):
            for batch in torch.randperm(SAMPLES).split(SAMPLES // MINIBATCHES):
                with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                    if concatenated:
                        both = actor(torch.cat([obs[batch], mirrored[batch]])).float()
                        mean, mirror_mean = both[: len(batch)], both[len(batch) :]
                    else:
                        mean = actor(obs[batch]).float()
                        some = round(mirror_share * len(batch))
                        mirror_mean = actor(mirrored[batch[:some]]).float()
                    value = critic(obs[batch])[:, 0].float()
                distribution = torch.distributions.Normal(mean, log_std.exp())
                log_prob = distribution.log_prob(actions[batch]).sum(-1)
                ratio = (log_prob - old_log_probs[batch]).exp()
                advantage = advantages[batch]
                advantage = (advantage - advantage.mean()) / (advantage.std() + 1e-8)
                bounded = ratio.clamp(0.8, 1.2)
                loss = -torch.min(ratio * advantage, bounded * advantage).mean()
                loss = loss + 0.5 * (value - returns[batch]).pow(2).mean()
                mirror_of_mean = mean[: len(mirror_mean)] @ mirror_action.T
                symmetry = (mirror_mean - mirror_of_mean).pow(2).sum(-1).mean()
                loss = loss + 0.5 * symmetry
                optimizer.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(params, 1.0)
                optimizer.step()

    return update


VARIANTS = {
    "the recipe (fp32, 2 threads)": {},
    "fused Adam": {"fused": True},
    "mirror batch in one actor pass": {"concatenated": True},
    "torch 1 thread": {"threads": 1},
    "ReLU instead of ELU": {"activation": nn.ReLU},
    "bf16 autocast": {"bf16": True},
    "mirror loss on a quarter of each minibatch": {"mirror_share": 0.25},
    "ReLU, mirror loss on a quarter": {"activation": nn.ReLU, "mirror_share": 0.25},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--variants", nargs="+", choices=list(VARIANTS), metavar="NAME",
        help=f"a subset of the variants: {', '.join(map(repr, VARIANTS))}",
    )  # fmt: skip
    args = parser.parse_args()
    chosen = {"the recipe (fp32, 2 threads)", *(args.variants or VARIANTS)}
    updates = {name: variant(**VARIANTS[name]) for name in VARIANTS if name in chosen}
    for update in updates.values():
        update()  # warm-up
    best = dict.fromkeys(updates, float("inf"))
    for _ in range(args.rounds):
        for name, update in updates.items():
            start = time.perf_counter()
            update()
            best[name] = min(best[name], time.perf_counter() - start)
    torch.set_num_threads(2)
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs; best of {args.rounds}")
    print("| update | seconds | / the recipe |")
    print("|---|---:|---:|")
    base = best["the recipe (fp32, 2 threads)"]
    for name, seconds in best.items():
        print(f"| {name} | {seconds:.3f} | {seconds / base:.2f} |")


if __name__ == "__main__":
    main()
