"""The Legged task: velocity tracking for any quadruped MJCF, from a robot description."""
