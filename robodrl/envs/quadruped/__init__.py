"""Quadruped: a 3D four-legged robot with PD joint actuators tracking a planar velocity command."""
