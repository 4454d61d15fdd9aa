"""Hopper: a planar one-legged hopper that must keep a healthy posture while moving forward."""
