"""Crash-safe file writing: temp file or folder, fsync, rename; and output folders that never
replace what robodrl did not write."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

from robodrl.errors import RobodrlError

#: the key, in an output folder's index JSON (export: manifest.json, eval: results.json), that
#: records which files robodrl put in the folder
OUTPUT_KEY = "robodrl_output"
_RENAME_EXCHANGE, _AT_FDCWD = 2, -100


class OutputError(RobodrlError, OSError):
    """An output location robodrl cannot write, or one that holds files robodrl did not write."""


class DiskFullError(OutputError):
    """The disk filled while robodrl wrote something; what was there before is intact."""


def unwritable(path: Path, err: OSError) -> OutputError:
    """A one-line error for an ``OSError`` met while writing under ``path``."""
    if is_disk_full(err):
        return disk_full(path)
    reason = err.strerror or type(err).__name__
    return OutputError(f"cannot write {path}: {reason}; choose a location you can write to")


#: how a full disk shows through libraries that do not keep the errno (torch's zip writer)
_FULL_DISK_WORDS = ("No space left on device", "Disk quota exceeded", "file write failed")


def is_disk_full(err: BaseException | None) -> bool:
    """Whether ``err`` (or an error it was raised from) says the disk or quota is full."""
    seen = 0
    while err is not None and seen < 10:
        if isinstance(err, OSError) and err.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if any(words in str(err) for words in _FULL_DISK_WORDS):
            return True
        err, seen = err.__cause__ or err.__context__, seen + 1
    return False


def free_bytes(path: Path) -> int:
    """Free bytes on the file system holding ``path`` (its nearest existing parent)."""
    for folder in (path, *path.absolute().parents):
        if folder.exists():
            return shutil.disk_usage(folder).free
    return 0


def size_text(count: float) -> str:
    """``count`` bytes as a person reads them."""
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if count < 1024 or unit == "GiB":
            return f"{count:.0f} {unit}" if unit == "bytes" else f"{count:.1f} {unit}"
        count /= 1024
    return f"{count:.1f} TiB"


def disk_full(
    path: Path, *, needed: int = 0, exact: bool = False, earlier: str = ""
) -> DiskFullError:
    """One line: what could not be written, the space it needs (``exact``, or more than
    ``needed``: what it had written when the disk filled), and that nothing earlier was lost
    (``earlier`` says what survived, where the caller knows)."""
    amount = size_text(needed) if exact else f"more than {size_text(needed)}"
    need = f"it needs {amount}" if needed else "it needs more space"
    kept = earlier or "nothing that was there before was changed"
    return DiskFullError(
        f"cannot write {path}: the disk is full ({size_text(free_bytes(path))} free, {need}); "
        f"{kept}: free some space and run the command again"
    )


def tree_size(folder: Path) -> int:
    """Bytes in the files under ``folder`` (0 where it is gone)."""
    with contextlib.suppress(OSError):
        return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    return 0


def fsync_dir(path: Path) -> None:
    """Make a folder's entries (a rename, a new file) durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another account's process
        return True
    return True


def remove_dead_leftovers(folder: Path, prefix: str) -> None:
    """Remove ``<prefix><pid>`` temp files and folders in ``folder`` whose writer is dead (a
    killed command's staging); a live writer's are left alone."""
    with contextlib.suppress(OSError):
        for leftover in folder.glob(f"{glob_escape(prefix)}*"):
            pid = leftover.name[len(prefix) :].split(".")[0]
            if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
                if leftover.is_dir() and not leftover.is_symlink():
                    shutil.rmtree(leftover, ignore_errors=True)
                else:
                    leftover.unlink(missing_ok=True)


def glob_escape(text: str) -> str:
    """``text`` with glob's special characters taken literally."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``path`` atomically: readers see the old file or the whole new one."""
    remove_dead_leftovers(path.parent, f".{path.name}.tmp-")
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as err:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if is_disk_full(err):
            raise disk_full(path, needed=len(data), exact=True) from None
        raise unwritable(path, err) from None
    fsync_dir(path.parent)


def write_text(path: Path, text: str) -> None:
    """Atomic text write (UTF-8)."""
    write_bytes(path, text.encode("utf-8"))


def fsync_tree(folder: Path) -> None:
    """fsync every file and folder under ``folder``."""
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
        else:
            fsync_dir(path)
    fsync_dir(folder)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux ``renameat2``); False where unsupported."""
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _replace_folder(tmp: Path, final: Path) -> None:
    """Put ``tmp`` at ``final``; an existing ``final`` is swapped out atomically, then removed."""
    if not final.exists():
        os.replace(tmp, final)
        return
    if _exchange(tmp, final):  # readers see the old folder or the new one, never neither
        shutil.rmtree(tmp)
        return
    old = final.with_name(f".old-{final.name}-{os.getpid()}")
    os.replace(final, old)
    os.replace(tmp, final)
    shutil.rmtree(old)


@contextlib.contextmanager
def staged_folder(final: Path) -> Iterator[Path]:
    """Yield a temp folder next to ``final``; on success it is fsynced and put at ``final``
    (replacing it); on failure it is removed. A kill leaves at worst a ``.tmp-*`` folder.
    For robodrl's own folders (checkpoints); user-facing outputs use :func:`output_folder`."""
    tmp = final.with_name(f".tmp-{final.name}-{os.getpid()}")
    for prefix in (f".tmp-{final.name}-", f".old-{final.name}-"):
        remove_dead_leftovers(final.parent, prefix)
    try:
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir(parents=True)
    except OSError as err:
        raise unwritable(final, err) from None
    try:
        yield tmp
        fsync_tree(tmp)
        _replace_folder(tmp, final)
        fsync_dir(final.parent)
    except BaseException as err:
        written = tree_size(tmp)
        shutil.rmtree(tmp, ignore_errors=True)
        if is_disk_full(err) and not isinstance(err, DiskFullError):
            raise disk_full(final, needed=written) from None
        raise


def _written_by_robodrl(folder: Path, kind: str, index: str) -> set[str] | None:
    """The names robodrl wrote into ``folder`` as a ``kind`` output, or None if it did not."""
    try:
        record = json.loads((folder / index).read_text())[OUTPUT_KEY]
        if record["producer"] == "robodrl" and record["kind"] == kind:
            return {str(name) for name in record["files"]}
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def refuse_link(out: Path) -> None:
    """An output given as a symbolic link is refused: robodrl would replace the link, not
    write where it points, and the user meant one of the two."""
    if out.is_symlink():
        raise OutputError(
            f"{out} is a symbolic link (to {os.readlink(out)}); give the folder it points to, "
            "or a new path"
        )


def check_output_folder(final: Path, *, kind: str, index: str) -> None:
    """Refuse ``final`` unless it is missing, empty, or a previous ``kind`` output of robodrl
    holding nothing else (so replacing it removes only files robodrl wrote)."""
    refuse_link(final)
    if not final.exists():
        return
    if not final.is_dir():
        raise OutputError(f"{final} is a file; give a folder for the {kind} output")
    present = {p.name for p in final.iterdir()}
    if not present:
        return
    written = _written_by_robodrl(final, kind, index)
    if written is None:
        shown = ", ".join(sorted(present)[:5]) + (" ..." if len(present) > 5 else "")
        raise OutputError(
            f"{final} already holds files robodrl did not write ({shown}); robodrl never "
            f"replaces them: give a new or empty folder for the {kind} output"
        )
    foreign = sorted(present - written)
    if foreign:
        raise OutputError(
            f"{final} holds a previous {kind} output and files robodrl did not write "
            f"({', '.join(foreign)}); move them or give another folder"
        )


def probe_writable(final: Path) -> None:
    """Raise ``OutputError`` now, before any work, if nothing can be created beside ``final``."""
    probe = final.with_name(f".probe-{final.name}-{os.getpid()}")
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        probe.touch()
        probe.unlink()
    except OSError as err:
        raise unwritable(final, err) from None


def claim_output_folder(final: Path, *, kind: str, index: str) -> None:
    """Before the work: refuse a folder of the user's (:func:`check_output_folder`) or one that
    cannot be written (:func:`probe_writable`)."""
    check_output_folder(final, kind=kind, index=index)
    probe_writable(final)


@contextlib.contextmanager
def output_folder(
    final: Path,
    *,
    kind: str,
    index: str,
    seal: tuple[str, Callable[[Path], None]] | None = None,
) -> Iterator[Path]:
    """Like :func:`staged_folder` for a user-facing output (``kind``: "export", "eval"), after
    :func:`check_output_folder`. The caller writes the JSON file ``index``; robodrl records in
    it (under ``OUTPUT_KEY``) which files it wrote, so a later run may replace exactly those.
    ``seal`` (a file name and what writes it, e.g. :data:`robodrl.files.signing.SEAL`): the
    last file of the folder, written after the index (a signed manifest of everything
    else)."""
    final = Path(final)
    check_output_folder(final, kind=kind, index=index)
    with staged_folder(final) as tmp:
        yield tmp
        document = json.loads((tmp / index).read_text())
        files = sorted({p.name for p in tmp.iterdir()} | ({seal[0]} if seal else set()))
        document[OUTPUT_KEY] = {"producer": "robodrl", "kind": kind, "files": files}
        (tmp / index).write_text(json.dumps(document, indent=1) + "\n")
        if seal:
            seal[1](tmp)
        check_output_folder(final, kind=kind, index=index)  # nothing of the user's appeared
