"""Manipulation for any arm MJCF: the arm's description, the scene around it, IK, the tasks."""
