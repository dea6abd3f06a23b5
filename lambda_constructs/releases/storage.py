"""Reading and writing the release file so that nothing is ever lost.

* **Atomic write:** the new text goes to a temporary file in the same folder, is flushed and
  ``fsync``-ed, then ``os.replace``-d over the file (POSIX ``rename``: readers and a crash see the old
  or the new content, never a mix or an empty file), and the folder is ``fsync``-ed. On any error
  the temporary file is removed and the release file is byte-for-byte unchanged.
* **Exclusive lock:** a read-modify-write (:func:`edit_file`) holds ``fcntl.flock(LOCK_EX)`` on a
  sidecar lock file ``.<name>.lock`` in the same folder (not on the release file itself: ``os.replace``
  swaps its inode). Before replacing, the file's sha256 is compared with the one that was read, so an
  edit made without the lock (an editor, ``git checkout``) is refused instead of overwritten.
* **One-line errors:** every OS or decode error becomes a :class:`LambdaConstructsError` naming the
  file (the CLI prints it on one line and exits 2).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from lambda_constructs.errors import LambdaConstructsError

#: Wait this long (seconds) for another command holding the lock before refusing.
LOCK_TIMEOUT_S = 60.0


def lock_path(path: Path) -> Path:
    """The sidecar lock file of ``path``: ``.<name>.lock`` in the same folder."""
    return path.with_name(f".{path.name}.lock")


def digest(data: bytes | None) -> str:
    """sha256 of the file's bytes (``"absent"`` when there is no file)."""
    return "absent" if data is None else hashlib.sha256(data).hexdigest()


def os_error(path: Path, exc: OSError, doing: str) -> LambdaConstructsError:
    """A one-line error for an OS error while ``doing`` something with ``path``."""
    reason = exc.strerror or type(exc).__name__
    fixes = {
        errno.ENOSPC: "free disk space and run the command again",
        errno.EDQUOT: "free disk space (quota) and run the command again",
        errno.EROFS: "the folder is on a read-only file system: run the command where the file is writable",
        errno.EACCES: "make the file and its folder writable (a temporary file is created next to it)",
        errno.EPERM: "make the file and its folder writable (a temporary file is created next to it)",
        errno.ENOENT: "pass --file PATH (default: releases.json in the current directory); "
        "`python -m lambda_constructs release STACK/FUNCTION` creates the file with the first release",
    }
    unchanged = "" if doing == "read" else "; the file is unchanged"  # reading changes nothing: no reassurance
    return LambdaConstructsError(
        "",
        f"cannot {doing} the release file: {reason}{unchanged}",
        value=str(path),
        fix=fixes.get(exc.errno or 0, "check the path and its folder's permissions"),
    )


def read_bytes(path: Path) -> bytes | None:
    """The file's bytes, None when it does not exist."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise os_error(path, exc, "read") from exc


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` by ``data`` atomically (temp file in the same folder, fsync, os.replace)."""
    folder = path.parent
    tmp_name: str | None = None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        with contextlib.suppress(OSError):
            # Keep the permissions of the file being replaced (mkstemp creates 0600).
            os.chmod(tmp_name, path.stat().st_mode & 0o7777)
        os.replace(tmp_name, path)
        tmp_name = None
        _fsync_folder(folder)
    except OSError as exc:
        raise os_error(path, exc, "write") from exc
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)


def _fsync_folder(folder: Path) -> None:
    """Make the rename durable (best effort: some file systems refuse fsync on a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def locked(path: Path, timeout_s: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """Hold the exclusive sidecar lock of ``path`` (waits up to ``timeout_s`` seconds, then refuses)."""
    lock = lock_path(path)
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise os_error(lock, exc, "lock (create the lock file of)") from exc
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LambdaConstructsError(
                        "",
                        f"another command has held the lock of the release file for {timeout_s:g} s; "
                        "the file is unchanged",
                        value=str(lock),
                        fix="wait for it to finish and run the command again",
                    ) from None
                time.sleep(0.02)
        yield
    finally:
        os.close(fd)  # closing releases the flock


def remove_stale_temporaries(path: Path) -> list[Path]:
    """Under the lock: delete temporary files of writers that were killed (every CLI writer holds the
    lock while its temporary file exists, so any one found now is dead). Returns the removed paths."""
    removed: list[Path] = []
    for tmp in path.parent.glob(f".{path.name}.*.tmp"):
        with contextlib.suppress(OSError):
            tmp.unlink()
            removed.append(tmp)
    return removed


def replace_checked(path: Path, expected: str, data: bytes) -> None:
    """Under the lock: refuse when the file no longer hashes to ``expected``, else write ``data``
    (after removing killed writers' temporary files)."""
    now = digest(read_bytes(path))
    if now != expected:
        raise LambdaConstructsError(
            "",
            "the release file changed while this command ran (edited without the lock); nothing was written",
            value=str(path),
            fix="run the command again on the new content",
        )
    remove_stale_temporaries(path)
    atomic_write(path, data)
