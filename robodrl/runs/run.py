"""An opened run directory: what export, evaluation, render and demos receive.

:meth:`Run.open` reads the run's ``config.yaml`` once: the resolved config (pointed at the run's
own robot copy) and the digests its checkpoints must be signed for both come from that one read.
Nothing that holds a :class:`Run` reads the file again."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from robodrl.algorithms.registry import AdversaryEntry, Algorithm, Checkpoint, get_algorithm
from robodrl.config import TrainConfig
from robodrl.errors import ConfigError
from robodrl.files.signing import MANIFEST, sha256_file
from robodrl.files.yamlio import load_yaml_text
from robodrl.policy import TrainedPolicy
from robodrl.resolve import config_from_document
from robodrl.runs.bindings import CONFIG_FILE, run_bindings
from robodrl.runs.checkpoints import CheckpointError, opened_checkpoint
from robodrl.runs.robot_copy import robot_overrides


@dataclass(frozen=True)
class Run:
    """A run directory, its resolved config and its checkpoints' bindings, read once."""

    directory: Path
    config: TrainConfig
    #: the config file's document as saved (``total_steps`` included)
    document: dict[str, Any]
    #: what a checkpoint's signed state must be bound to (:mod:`robodrl.runs.bindings`)
    bindings: dict[str, str]
    #: sha256 of the config file's bytes (what an export records)
    config_sha256: str
    #: load checkpoints and robot copies this account did not sign
    trust: bool = False

    @classmethod
    def open(cls, directory: str | Path, *, trust: bool = False) -> Run:
        """Read ``directory/config.yaml`` (once); a folder without one is not a run."""
        directory = Path(directory)
        path = directory / CONFIG_FILE
        if not path.is_file():
            raise CheckpointError(f"{directory}: not a run directory (no {CONFIG_FILE})")
        try:
            data = path.read_bytes()
            text = data.decode("utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise ConfigError(f"{path}: cannot read: {err}") from None
        document = load_yaml_text(text, source=str(path))
        config = config_from_document(document, path, robot_overrides(directory, trust=trust))
        bindings = run_bindings(directory, document)
        digest = hashlib.sha256(data).hexdigest()
        return cls(directory, config, document, bindings, digest, trust)

    @property
    def algorithm(self) -> Algorithm:
        return get_algorithm(self.config.algorithm.name)

    @contextlib.contextmanager
    def checkpoint(self, which: str = "best") -> Iterator[Checkpoint]:
        """A verified private copy of checkpoint ``which`` (``best``, ``latest``, ``step_N``),
        its state and normalizer (:func:`~robodrl.runs.checkpoints.opened_checkpoint`)."""
        bound = self.bindings
        with opened_checkpoint(self.directory, which, trust=self.trust, bound=bound) as opened:
            yield opened

    def policy(self, checkpoint: str = "best") -> TrainedPolicy:
        """The deterministic policy of ``checkpoint``."""
        with self.checkpoint(checkpoint) as opened:
            policy = self.algorithm.load_policy(self.config, opened)
            copy = opened.folder  # a private copy: name the run's own folder, and what was verified
            manifest = copy / MANIFEST
            return dataclasses.replace(
                policy,
                checkpoint=self.directory / "checkpoints" / copy.name,
                checkpoint_sha256=sha256_file(manifest) if manifest.is_file() else "",
            )

    def adversaries(self, checkpoint: str = "best") -> tuple[str, Any, Any]:
        """The trained adversaries of an adversarial run (``rarl``) at ``checkpoint``: the task
        they were trained on, their :class:`~robodrl.robustness.adversary.AdversarySpec` and
        deterministic forces."""
        entry = self.algorithm
        if not entry.capabilities.adversarial:
            raise ConfigError(
                f"--adversary {self.directory}: trained with {self.config.algorithm.name}, "
                "which has no adversary; give a run trained with algorithm rarl, or 'random'"
            )
        with self.checkpoint(checkpoint) as opened:
            adversaries = cast(AdversaryEntry, entry).load_adversaries(self.config, opened)
            return self.config.env.id, *adversaries
