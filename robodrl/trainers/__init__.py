"""Trainers: Stable-Baselines3 / sb3-contrib algorithms on robodrl's batched envs."""
