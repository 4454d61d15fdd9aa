"""Cheetah: a planar two-legged runner with six actuated joints."""
