"""robodrl's multi-agent algorithms: IPPO and MAPPO."""
