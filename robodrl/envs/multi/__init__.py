"""Multi-agent tasks on the batched core: teams of agents sharing one robot (see ``team``)."""
