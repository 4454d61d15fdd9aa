"""Run machinery for every registered algorithm: the run directory, signed atomic checkpoints,
exact resume, the evaluation schedule, progress, episode / reward-term / DR logs."""
