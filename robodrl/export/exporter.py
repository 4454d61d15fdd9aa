"""``robodrl export RUN``: a verified ``policy.onnx`` plus ``manifest.json``, or nothing at all."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from robodrl.envs.multi.registry import robot_of
from robodrl.export.graph import ExportError, build_onnx, metadata_strings
from robodrl.export.metadata import MANIFEST, robot_metadata
from robodrl.export.verify import closed_loop, parity
from robodrl.files.atomic import claim_output_folder, output_folder
from robodrl.make import make_core
from robodrl.policy import TrainedPolicy
from robodrl.runs.checkpoints import CheckpointError
from robodrl.runs.loading import output_label
from robodrl.runs.run import Run
from robodrl.runtime import OnnxPolicy


def load_trained(run: Run, *, checkpoint: str = "best") -> TrainedPolicy:
    """A run's policy at ``checkpoint``, verified before unpickling (unless the run is opened
    with ``trust``)."""
    try:
        return run.policy(checkpoint)
    except CheckpointError as err:
        raise ExportError(str(err)) from None


def open_run(run: Run | Path, *, trust: bool = False) -> Run:
    """An opened run, or the run directory opened (a failure is an export error)."""
    if isinstance(run, Run):
        return run
    try:
        return Run.open(run, trust=trust)
    except CheckpointError as err:
        raise ExportError(str(err)) from None


def refuse_planner(path: Path) -> None:
    """A planner has no network to export: say how to get one."""
    from robodrl.lookup import find_planner, is_planner_file

    if is_planner_file(find_planner(path)):
        raise ExportError(
            f"{path} is a planner: it plans online from the simulation's state and has no "
            "network to export. Distill it into a policy: train a config with algorithm: "
            f"dagger and expert: {path}, then `robodrl export` that run"
        )


def export_run(
    run: Run | Path, out: Path | None = None, *, checkpoint: str = "best", trust: bool = False
) -> tuple[Path, dict[str, Any]]:
    """Export a run's policy (an opened :class:`Run` or its directory); raise ``ExportError``
    (leaving no files) if a gate fails."""
    if isinstance(run, Run):
        run_dir = run.directory
    else:
        run_dir = Path(run)
        refuse_planner(run_dir)
    out = Path(out) if out is not None else Path("export") / output_label([run_dir])
    claim_output_folder(out, kind="export", index=MANIFEST)  # before the work
    run = open_run(run, trust=trust)
    policy = load_trained(run, checkpoint=checkpoint)
    if policy.network is None and policy.team is None:
        raise ExportError(f"{run_dir}: {policy.why_not_exportable}")
    config = run.config
    env = config.env
    robot_id, robot_task, _ = robot_of(env.id, env.task)
    env_kwargs = {
        "env_id": robot_id,
        "seed": config.eval.seed,
        "randomization": env.randomization,
        "perturbations": env.perturbations,
        **robot_task,
    }
    if policy.team is not None:
        from robodrl.export.team import export_team

        return export_team(policy, run.config_sha256, out, env_kwargs)
    core = make_core(num_envs=1, **env_kwargs)
    metadata = robot_metadata(policy, core, run.config_sha256)
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
