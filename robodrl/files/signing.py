"""Per-user signing of run files (HMAC-SHA256), like notebook trust.

The key lives in ``$ROBODRL_HOME/signing.key`` (default ``~/.config/robodrl``), 32 random
bytes created on first use with mode 0600. A manifest lists every file of a checkpoint with its
sha256 and is signed with the key: a checkpoint that this account did not write, or whose
files changed since, does not verify, and robodrl refuses to unpickle it unless trusted.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from robodrl.errors import RobodrlError
from robodrl.files.atomic import disk_full, is_disk_full, tree_size

MANIFEST = "manifest.json"


class UntrustedRunError(RobodrlError):
    """A run or checkpoint whose signature does not verify; loading it could run code."""


def robodrl_home() -> Path:
    """This account's robodrl folder: ``$ROBODRL_HOME``, default ``~/.config/robodrl``."""
    home = os.environ.get("ROBODRL_HOME")
    return Path(home) if home else Path.home() / ".config" / "robodrl"


def _key_path() -> Path:
    return robodrl_home() / "signing.key"


#: bytes in a signing key
KEY_BYTES = 32


class SigningKeyError(RobodrlError):
    """This account's signing key is damaged or readable by others: nothing it signs can be
    trusted, so robodrl refuses to use it."""


def signing_key() -> bytes:
    """This account's key, created on first use (32 random bytes, mode 0600), checked on every
    use: a short key (left by a failed write) or one others can read is refused."""
    path = _key_path()
    try:
        return _checked_key(path)
    except FileNotFoundError:
        pass
    _create_key(path)
    return _checked_key(path)


def _checked_key(path: Path) -> bytes:
    fix = (
        f"remove {path} and robodrl makes a new key on its next use (runs signed with the old "
        "key then need --trust once)"
    )
    try:  # no link followed; a FIFO or device is not waited on
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        raise
    except OSError as err:
        raise SigningKeyError(f"{path}: cannot be read as a key ({err.strerror}); {fix}") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        key = handle.read(KEY_BYTES + 1) if stat.S_ISREG(info.st_mode) else b""
    if not stat.S_ISREG(info.st_mode):
        raise SigningKeyError(f"{path}: not a regular file; {fix}")
    if len(key) != KEY_BYTES:
        raise SigningKeyError(
            f"{path}: {len(key)} bytes, a signing key has {KEY_BYTES} (it was left by a failed "
            f"or interrupted write, and a short key signs nothing safely); {fix}"
        )
    if info.st_mode & 0o077:
        raise SigningKeyError(
            f"{path}: mode {stat.S_IMODE(info.st_mode):o} lets other accounts read it; "
            f"`chmod 600 {path}` (and remove it if others may have copied it)"
        )
    if info.st_uid != os.getuid():
        raise SigningKeyError(f"{path}: owned by another account (uid {info.st_uid}); {fix}")
    return key


def _create_key(path: Path) -> None:
    """Write a new key to an exclusive temp file, fsync it, and link it into place only if no
    other process made one first (their key wins, never a half-written one)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as err:
        raise SigningKeyError(f"cannot create the signing key {path}: {err.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(KEY_BYTES))
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):  # another process made it first
            os.link(tmp, path)
    except OSError as err:
        raise SigningKeyError(
            f"cannot create the signing key {path}: {err.strerror}; nothing was written "
            "(free some space and run the command again)"
        ) from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


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


def seal(folder: Path) -> None:
    """Write ``folder``'s manifest, signed with this account's key: an output folder's last
    file (:func:`robodrl.files.atomic.output_folder`'s ``seal``)."""
    (folder / MANIFEST).write_text(json.dumps(manifest_for(folder), indent=1))


#: what :func:`robodrl.files.atomic.output_folder` needs to seal a folder with a signed manifest
SEAL = (MANIFEST, seal)


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


@contextlib.contextmanager
def verified_copy(folder: Path, *, trust: bool = False) -> Iterator[Path]:
    """Copy ``folder`` into a fresh temp folder only this account can open, verify the copy
    (unless ``trust``) and yield it: what is verified is what is read, whatever happens to
    ``folder`` meanwhile (a file swapped between the check and the load)."""
    odd = [p for p in folder.rglob("*") if p.is_symlink() or not (p.is_file() or p.is_dir())]
    if odd:  # a link may lead anywhere (a device that never ends); robodrl writes none
        raise UntrustedRunError(
            f"{folder}: holds {odd[0].relative_to(folder)}, a link or special file; robodrl "
            "writes plain files only: copy the real files in its place"
        )
    with tempfile.TemporaryDirectory(prefix="robodrl-verified-") as tmp:
        copy = Path(tmp) / folder.name
        try:
            shutil.copytree(folder, copy)
        except (OSError, shutil.Error) as err:
            if is_disk_full(err):  # the temp folder's disk, not the files, is the problem
                raise disk_full(Path(tmp), needed=tree_size(folder), exact=True) from None
            raise UntrustedRunError(f"{folder}: cannot read it ({err})") from None
        try:
            verify_folder(copy, trust=trust)
        except UntrustedRunError as err:
            raise UntrustedRunError(str(err).replace(str(copy), str(folder))) from None
        yield copy


def tree_digest(folder: Path) -> str:
    """sha256 over every file under ``folder``: names and contents."""
    files = {
        str(p.relative_to(folder)): sha256_file(p) for p in sorted(folder.rglob("*")) if p.is_file()
    }
    return hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()
