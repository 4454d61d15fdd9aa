"""An exported team folder as one policy for the deploy loop.

The team's manifest holds the robot's facts (its observation layout and contract, actuation,
control ranges, control period); each agent's file reads its own entries of the robot's
observation and drives its own actuators (:class:`~robodrl.runtime.OnnxTeam`). To the loop the
team is one policy: the robot's observation in, a command for every actuator out, and a fault
when any agent's graph raises one."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from robodrl.runtime.metadata import MetadataFields, RuntimePolicyError
from robodrl.runtime.team import OnnxTeam


class TeamPolicy:
    """A team folder with the face of an :class:`~robodrl.runtime.OnnxPolicy` that the deploy
    contract reads (``metadata``, ``path``, ``obs_layout``, ``ctrl_low`` / ``ctrl_high``,
    ``control_dt``, ``act_guarded``, ``latencies_s``)."""

    def __init__(self, folder: Path) -> None:
        self.team = OnnxTeam(folder)
        facts = self.team.metadata
        self.path = Path(folder)
        self.metadata = {k: v if isinstance(v, str) else json.dumps(v) for k, v in facts.items()}
        self.obs_dim, self.act_dim = self.team.obs_dim, self.team.act_dim
        manifest = self.path / "manifest.json"
        missing = [
            k
            for k in ("obs_layout", "ctrl_low", "ctrl_high", "control_dt")
            if k not in self.metadata
        ]
        if missing:
            raise RuntimePolicyError(f"{manifest}: the team's manifest lacks {missing}")
        fields = MetadataFields(manifest, self.metadata)
        self.obs_layout = fields.layout("obs_layout", self.obs_dim)
        self.ctrl_low = fields.vector("ctrl_low", self.act_dim).astype(np.float32)
        self.ctrl_high = fields.vector("ctrl_high", self.act_dim).astype(np.float32)
        self.control_dt = fields.number("control_dt")
        if not 0 < self.control_dt <= 10:
            raise fields.fail("control_dt", "a control period in (0, 10] s")
        self.latencies_s = self.team.latencies_s

    def act_guarded(self, obs: np.ndarray) -> tuple[np.ndarray, bool]:
        """Every actuator's command from the robot's observation (each agent's file on its own
        entries), and whether any agent's fault guard fired."""
        return self.team.act_guarded(obs)
