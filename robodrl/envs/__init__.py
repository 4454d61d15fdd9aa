"""Environments: the batched core, its adapters, and the robot tasks."""
