"""robodrl's adversarial training: Robust Adversarial RL and adversary populations."""
