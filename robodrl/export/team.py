"""``robodrl export`` of a team: one verified ONNX file per agent plus the team's manifest.

Each agent's file is a single policy file (its own observation in, commands for its own
actuators out, its layout and actuators in the metadata), gated against the training stack's
action for that agent (the shared network on the agent's full input). The team then drives the
robot through the runtime (:class:`~robodrl.runtime.OnnxTeam`) in the closed-loop check.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np

from robodrl.export.graph import ExportError, build_onnx, metadata_strings
from robodrl.export.metadata import MANIFEST, actuated_joints, robot_metadata
from robodrl.export.verify import closed_loop, compare, record_observations
from robodrl.files.atomic import output_folder
from robodrl.policy import TeamMember, TrainedPolicy
from robodrl.runtime import OnnxTeam


def _agent_metadata(robot: dict[str, Any], member: TeamMember, core: Any) -> dict[str, Any]:
    """The robot's metadata narrowed to one agent: its observation and its actuators."""
    joints = actuated_joints(core.model)
    own = member.actuators
    return {
        **robot,
        "agent": member.name,
        "obs_dim": int(member.obs_index.size),
        "act_dim": int(own.size),
        "obs_layout": {k: [v.start, v.stop] for k, v in member.obs_layout.items()},
        "actuator_names": [core.actuator_names[i] for i in own],
        "joint_names": [joints[i] for i in own],
        "ctrl_low": core.ctrl_low[own].tolist(),
        "ctrl_high": core.ctrl_high[own].tolist(),
        "robot_obs_index": member.obs_index.tolist(),
        "robot_actuators": own.tolist(),
        "normalized_observations": member.network.normalizer is not None,
    }


def _reference(member: TeamMember, core: Any):
    """The training stack's commands for the agent's raw observations (actuator units)."""
    low, high = core.ctrl_low[member.actuators], core.ctrl_high[member.actuators]
    mid, half = (high + low) / 2, (high - low) / 2

    def commands(obs: np.ndarray) -> np.ndarray:
        action = np.clip(member.action(obs).astype(np.float64), -1.0, 1.0)
        return np.clip(mid + half * action, low, high)

    return commands


def _graph(member: TeamMember, metadata: dict[str, Any]):
    network = member.network
    return build_onnx(
        network.layers,
        obs_dim=metadata["obs_dim"],
        act_dim=metadata["act_dim"],
        normalizer=network.normalizer,
        squash=network.squash,
        ctrl_low=np.asarray(metadata["ctrl_low"]),
        ctrl_high=np.asarray(metadata["ctrl_high"]),
        metadata=metadata_strings(metadata),
    )


def export_team(
    policy: TrainedPolicy, config_sha256: str, out: Path, env_kwargs: dict[str, Any]
) -> tuple[Path, dict[str, Any]]:
    """Write ``<agent>.onnx`` per agent and ``manifest.json`` into ``out``, or nothing."""
    assert policy.team is not None
    recorded, core = record_observations(policy, env_kwargs, steps=6000)
    robot = robot_metadata(policy, core, config_sha256)
    agents, files, checks = {}, {}, {}
    with output_folder(out, kind="export", index=MANIFEST) as tmp:
        for member in policy.team:
            metadata = _agent_metadata(robot, member, core)
            path = tmp / f"{member.name}.onnx"
            path.write_bytes(_graph(member, metadata).SerializeToString())
            own = recorded[:, member.obs_index]
            checks[member.name] = compare(path, own, _reference(member, core))
            if not checks[member.name]["passed"]:
                found = json.dumps(checks[member.name])
                raise ExportError(f"parity gate failed for agent {member.name!r}: {found}")
            files[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
            agents[member.name] = {
                "file": path.name,
                "obs_index": metadata["robot_obs_index"],
                "actuators": metadata["robot_actuators"],
            }
        (tmp / MANIFEST).write_text(json.dumps({**robot, "team": {"agents": agents}}))
        loop = closed_loop(policy, OnnxTeam(tmp), env_kwargs)
        if not loop["passed"]:
            raise ExportError(f"closed-loop check failed, nothing written: {json.dumps(loop)}")
        manifest = {
            **robot,
            "team": {"agents": agents},
            "files": files,
            "parity": _parity_summary(checks),
            "closed_loop": loop,
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return out, manifest


def _parity_summary(checks: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The agents' parity checks, with the team's worst figures in the single-file format."""
    first = next(iter(checks.values()))
    return {
        "observations": sum(c["observations"] for c in checks.values()),
        "max_abs_diff": max(c["max_abs_diff"] for c in checks.values()),
        "max_rel_diff_100x_outside": max(c["max_rel_diff_100x_outside"] for c in checks.values()),
        "max_batch1_vs_batchN_diff": max(c["max_batch1_vs_batchN_diff"] for c in checks.values()),
        "tolerances": first["tolerances"],
        "passed": all(c["passed"] for c in checks.values()),
        "agents": checks,
    }
