"""Per-user signing of run files (HMAC-SHA256), like notebook trust.

The key lives in ``$ROBODRL_HOME/signing.key`` (default ``~/.config/robodrl``), 32 random
bytes created on first use with mode 0600. A manifest lists every file of a checkpoint with its
sha256 and is signed with the key: a checkpoint that this account did not write, or whose
files changed since, does not verify, and robodrl refuses to unpickle it unless trusted.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path

from robodrl.errors import RobodrlError

MANIFEST = "manifest.json"


class UntrustedRunError(RobodrlError):
    """A run or checkpoint whose signature does not verify; loading it could run code."""


def robodrl_home() -> Path:
    """This account's robodrl folder: ``$ROBODRL_HOME``, default ``~/.config/robodrl``."""
    home = os.environ.get("ROBODRL_HOME")
    return Path(home) if home else Path.home() / ".config" / "robodrl"


def _key_path() -> Path:
    return robodrl_home() / "signing.key"


def signing_key() -> bytes:
    """This account's key, created on first use (mode 0600)."""
    path = _key_path()
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return path.read_bytes()
    with os.fdopen(fd, "wb") as handle:
        handle.write(secrets.token_bytes(32))
        handle.flush()
        os.fsync(handle.fileno())
    return path.read_bytes()


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _signature(files: dict[str, str]) -> str:
    payload = json.dumps(files, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(signing_key(), payload, hashlib.sha256).hexdigest()


def manifest_for(folder: Path) -> dict:
    """A signed manifest of every file in ``folder`` (recursively, manifest excluded)."""
    files = {
        str(p.relative_to(folder)): sha256_file(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }
    return {"files": files, "signature": _signature(files)}


def verify_folder(folder: Path, *, trust: bool = False) -> None:
    """Raise ``UntrustedRunError`` (saying why) unless ``folder`` matches its signed manifest.

    With ``trust=True`` nothing is checked: the caller takes responsibility for the files.
    """
    if trust:
        return
    path = folder / MANIFEST
    hint = "pass --trust only if you know who wrote it and what it contains"
    try:
        manifest = json.loads(path.read_text())
        files, signature = dict(manifest["files"]), str(manifest["signature"])
    except FileNotFoundError:
        raise UntrustedRunError(
            f"{folder}: no {MANIFEST}, so it cannot be verified; {hint}"
        ) from None
    except (ValueError, KeyError, TypeError) as err:
        raise UntrustedRunError(f"{path}: unreadable manifest ({err}); {hint}") from None
    if not hmac.compare_digest(signature, _signature(files)):
        raise UntrustedRunError(
            f"{folder}: the manifest's signature does not verify with this account's key "
            f"(written on another account, or edited); {hint}"
        )
    present = {
        str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST
    }
    extra = sorted(present - set(files))
    if extra:
        raise UntrustedRunError(f"{folder}: files not in the signed manifest: {extra}; {hint}")
    for name, expected in files.items():
        file = folder / name
        if not file.is_file():
            raise UntrustedRunError(f"{folder}: {name} is listed in the manifest but missing")
        if sha256_file(file) != expected:
            raise UntrustedRunError(
                f"{folder}: {name} changed since it was signed (sha256 mismatch); {hint}"
            )
