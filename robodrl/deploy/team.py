"""An exported team folder as one policy for the deploy loop.

The team's manifest holds the robot's facts (its observation layout and contract, actuation,
control ranges, control period); each agent's file reads its own entries of the robot's
observation and drives its own actuators (:class:`~robodrl.runtime.OnnxTeam`). To the loop the
team is one policy: the robot's observation in, a command for every actuator out, and a fault
when any agent's graph raises one."""

from __future__ import annotations

import json
import time
from collections import deque
from pathlib import Path

import numpy as np

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
        self.obs_layout = {name: (int(a), int(b)) for name, (a, b) in facts["obs_layout"].items()}
        self.ctrl_low = np.asarray(facts["ctrl_low"], dtype=np.float32)
        self.ctrl_high = np.asarray(facts["ctrl_high"], dtype=np.float32)
        self.control_dt = float(facts["control_dt"])
        self.latencies_s: deque[float] = deque(maxlen=1000)

    def act_guarded(self, obs: np.ndarray) -> tuple[np.ndarray, bool]:
        """Every actuator's command from the robot's observation (each agent's file on its own
        entries), and whether any agent's fault guard fired."""
        start = time.perf_counter()
        commands, fault = np.empty(self.act_dim, dtype=np.float32), False
        for name, agent in self.team.agents.items():
            own = np.ascontiguousarray(obs[self.team.obs_index[name]])
            command, faulted = agent.act_guarded(own)
            commands[self.team.actuators[name]] = command
            fault = fault or faulted
        self.latencies_s.append(time.perf_counter() - start)
        return commands, fault
