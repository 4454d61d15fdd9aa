"""A policy under evaluation: any :class:`robodrl.policy.Policy` (a run directory's, an
exported ONNX file, later planners and teams), named for reports and fed in fixed blocks."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from robodrl.policy import OnnxFilePolicy, Policy, actions_for
from robodrl.runs.loading import load_policy as load_any_policy
from robodrl.runs.run import Run


@dataclass
class EvaluatedPolicy:
    """What the evaluator needs of a policy: its name, task, and how it acts."""

    name: str
    source: Path
    policy: Policy
    #: task arguments evaluated in place of the policy's own (e.g. ``physics: accurate``)
    task_overrides: dict[str, Any] = field(default_factory=dict)

    @property
    def env_id(self) -> str:
        return self.policy.env_id

    @property
    def task_arguments(self) -> dict[str, Any]:
        return {**self.policy.task_arguments, **self.task_overrides}

    def with_task(self, overrides: dict[str, Any]) -> EvaluatedPolicy:
        """The same policy evaluated with other task arguments, named after them."""
        if not overrides:
            return self
        label = ", ".join(f"{k}={v}" for k, v in overrides.items())
        return replace(self, name=f"{self.name} ({label})", task_overrides=dict(overrides))

    @property
    def obs_dim(self) -> int:
        return self.policy.obs_dim

    @property
    def act_dim(self) -> int:
        return self.policy.act_dim

    @property
    def is_anchor(self) -> bool:
        """Random or zero actions (:mod:`robodrl.evaluation.anchors`): the whole batch at once."""
        return getattr(self.policy, "batch_actions", False)

    def job_source(self, *, here: bool = False) -> str | dict[str, Any] | EvaluatedPolicy:
        """How a backend job gets this policy: its path, or an anchor's settings. A job run
        ``here`` (in this process) re-uses a policy that keeps no state between calls (a
        network: a run's or an ONNX file's) instead of loading and verifying it again."""
        if self.is_anchor:
            return {"anchor": self.policy.kind, "env_id": self.env_id}
        if here and not getattr(self.policy, "needs_state", False):
            return self
        return str(self.source)

    def act(self, obs: np.ndarray, core: Any = None) -> np.ndarray:
        """Policy actions in [-1, 1] for raw observations of ``core``'s simulations, in fixed
        blocks (:func:`robodrl.policy.act_in_blocks`): a nominal cell inside a sweep must
        reproduce the nominal evaluation exactly. A planner plans from ``core``'s state."""
        if self.is_anchor:  # its actions depend on the row: never split into blocks
            return self.policy.act(obs)
        return actions_for(self.policy, obs, core)


def load_policy(path: str | Path | Run, *, trust: bool = False) -> EvaluatedPolicy:
    """Load a run (opened, or its directory) or a ``.onnx`` file (or a folder holding
    ``policy.onnx``)."""
    policy = load_any_policy(path, trust=trust)
    path = path.directory if isinstance(path, Run) else Path(path)
    if isinstance(policy, OnnxFilePolicy):
        return EvaluatedPolicy(_onnx_name(policy.path), policy.path, policy)
    if getattr(policy, "needs_state", False):
        return EvaluatedPolicy(f"{path.stem} ({policy.settings.name})", path, policy)
    return EvaluatedPolicy(path.name, path, policy)


def _onnx_name(path: Path) -> str:
    """``<run> (onnx)`` for ``<run>/export/policy.onnx``, ``<folder> (onnx)`` for
    ``<folder>/policy.onnx``, the file's stem otherwise."""
    if path.name != "policy.onnx":
        return f"{path.stem} (onnx)"
    folder = path.parent
    return f"{folder.parent.name if folder.name == 'export' else folder.name} (onnx)"
