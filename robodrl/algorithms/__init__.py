"""Algorithms behind ``algorithm.name``: Stable-Baselines3 entries and robodrl's own, on one
registry (:mod:`robodrl.algorithms.registry`)."""
