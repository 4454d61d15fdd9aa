"""robodrl's imitation learning algorithms: ``bc``, ``dagger``, ``gail``, ``airl``."""
