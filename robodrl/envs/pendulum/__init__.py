"""Pendulum: torque-limited swing-up and balance of a single pole (the quick demo task)."""
