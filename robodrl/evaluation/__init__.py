"""Evaluation: robustness sweeps of trained or exported policies, and their reports."""
