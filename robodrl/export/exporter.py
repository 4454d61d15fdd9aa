"""``robodrl export RUN``: a verified ``policy.onnx`` plus ``manifest.json``, or nothing at all."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

from robodrl import __version__
from robodrl.atomic import claim_output_folder, output_folder
from robodrl.export.graph import ExportError, build_onnx, metadata_strings
from robodrl.export.verify import closed_loop, parity
from robodrl.make import make_core
from robodrl.policy import TrainedPolicy
from robodrl.runs.checkpoints import CheckpointError
from robodrl.runs.loading import load_run_policy, output_label, run_config
from robodrl.runtime import OnnxPolicy
from robodrl.signing import sha256_file

#: the exported folder's index: metadata, checks, and the files robodrl wrote
MANIFEST = "manifest.json"


def load_trained(run_dir: Path, *, checkpoint: str = "best", trust: bool = False) -> TrainedPolicy:
    """A run's policy at ``checkpoint``, verified before unpickling (unless ``trust``)."""
    try:
        return load_run_policy(run_dir, checkpoint=checkpoint, trust=trust)
    except CheckpointError as err:
        raise ExportError(str(err)) from None


def actuated_joints(model: Any) -> list[str]:
    """The joint each actuator drives, in actuator order ("" for a non-joint transmission)."""
    import mujoco

    joint_transmissions = (int(mujoco.mjtTrn.mjTRN_JOINT), int(mujoco.mjtTrn.mjTRN_JOINTINPARENT))
    return [
        model.joint(model.actuator_trnid[i, 0]).name
        if int(model.actuator_trntype[i]) in joint_transmissions
        else ""
        for i in range(model.nu)
    ]


def robot_metadata(policy: TrainedPolicy, core: Any, run_dir: Path) -> dict[str, Any]:
    """What the file says about itself: task, layout, actuators, origin (``metadata_props``)."""
    return {
        "producer": "robodrl",
        "producer_version": __version__,
        "env_id": policy.env_id,
        "task_arguments": dict(policy.task_arguments),
        "obs_dim": core.obs_dim,
        "act_dim": core.action_dim,
        "obs_layout": {k: [v.start, v.stop] for k, v in core.obs_layout.items()},
        "actuator_names": core.actuator_names,
        "joint_names": actuated_joints(core.model),
        "ctrl_low": core.ctrl_low.tolist(),
        "ctrl_high": core.ctrl_high.tolist(),
        "control_dt": core.control_dt,
        "algorithm": policy.algorithm,
        "training_steps": policy.training_steps,
        "config_sha256": sha256_file(run_dir / "config.yaml"),
        "checkpoint": policy.checkpoint.name,
        "checkpoint_sha256": policy.checkpoint_sha256,
        "exported_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def refuse_planner(path: Path) -> None:
    """A planner has no network to export: say how to get one."""
    from robodrl.planners.config import find_planner, is_planner_file

    if is_planner_file(find_planner(path)):
        raise ExportError(
            f"{path} is a planner: it plans online from the simulation's state and has no "
            "network to export. Distill it into a policy: train a config with algorithm: "
            f"dagger and expert: {path}, then `robodrl export` that run"
        )


def export_run(
    run_dir: Path, out: Path | None = None, *, checkpoint: str = "best", trust: bool = False
) -> tuple[Path, dict[str, Any]]:
    """Export a run's policy; raise ``ExportError`` (leaving no files) if a gate fails."""
    run_dir = Path(run_dir)
    refuse_planner(run_dir)
    out = Path(out) if out is not None else Path("export") / output_label([run_dir])
    claim_output_folder(out, kind="export", index=MANIFEST)  # before the work
    policy = load_trained(run_dir, checkpoint=checkpoint, trust=trust)
    if policy.network is None and policy.team is None:
        raise ExportError(f"{run_dir}: {policy.why_not_exportable}")
    config = run_config(run_dir, trust=trust)
    env = config.env
    env_kwargs = {
        "env_id": env.robot_id,
        "seed": config.eval.seed,
        "randomization": env.randomization,
        "perturbations": env.perturbations,
        **env.robot_task,
    }
    if policy.team is not None:
        from robodrl.export.team import export_team

        return export_team(policy, run_dir, out, env_kwargs)
    core = make_core(num_envs=1, **env_kwargs)
    metadata = robot_metadata(policy, core, run_dir)
    network = policy.network
    metadata["normalized_observations"] = network.normalizer is not None
    graph = build_onnx(
        network.layers,
        obs_dim=core.obs_dim,
        act_dim=core.action_dim,
        normalizer=network.normalizer,
        squash=network.squash,
        ctrl_low=core.ctrl_low,
        ctrl_high=core.ctrl_high,
        metadata=metadata_strings(metadata),
    )
    with output_folder(out, kind="export", index=MANIFEST) as tmp:
        onnx_path = tmp / "policy.onnx"
        onnx_path.write_bytes(graph.SerializeToString())
        checks = parity(policy, onnx_path, env_kwargs)
        if not checks["passed"]:
            raise ExportError(f"parity gate failed, nothing written: {json.dumps(checks)}")
        loop = closed_loop(policy, OnnxPolicy(onnx_path), env_kwargs)
        if not loop["passed"]:
            raise ExportError(f"closed-loop check failed, nothing written: {json.dumps(loop)}")
        manifest = {
            **metadata,
            "files": {"policy.onnx": hashlib.sha256(onnx_path.read_bytes()).hexdigest()},
            "parity": checks,
            "closed_loop": loop,
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return out, manifest
