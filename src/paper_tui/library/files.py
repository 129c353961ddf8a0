"""Safe file operations: atomic replace, an inter-process lock, moving a broken file aside."""

from __future__ import annotations

import errno
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no flock; a second instance then merges without the lock
    fcntl = None  # type: ignore[assignment]

TEMP_SUFFIX = ".tmp"


def temp_name(path: Path) -> Path:
    """A temporary file beside ``path`` (same directory, so the rename is atomic)."""
    return path.with_name(f".{path.name}.{os.getpid()}.{time.monotonic_ns()}{TEMP_SUFFIX}")


def stale_temps(path: Path) -> list[Path]:
    """Temporary files of ``path`` left by a writer that was killed before renaming."""
    try:
        return [p for p in path.parent.glob(f".{path.name}.*{TEMP_SUFFIX}") if p.is_file()]
    except OSError:
        return []


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that a crash leaves either the old or the new file.

    The bytes go to a temporary file in the same directory, are flushed and fsynced, the
    temporary file is renamed over ``path`` and the directory is fsynced so that the
    rename itself is on disk.  On any error the temporary file is removed and the error
    raised; ``path`` is then untouched.
    """
    temp = temp_name(path)
    try:
        mode = os.stat(path).st_mode & 0o7777
    except OSError:
        mode = None
    try:
        with open(temp, "wb") as stream:
            if mode is not None:  # keep the user's permissions (a private 0600 library stays so)
                os.chmod(temp, mode)
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, path)
    except BaseException:
        try:
            temp.unlink()
        except OSError:
            pass
        raise
    fsync_dir(path.parent)


def keep_backup(path: Path, backup: Path, data: bytes) -> None:
    """Make ``backup`` the current ``path`` (whose content is ``data``), atomically.

    A hard link costs no copy and no data fsync (the file's bytes are already on disk);
    the directory fsync after the next rename makes it durable.  Where links are not
    supported the bytes are written with :func:`atomic_write`.
    """
    temp = temp_name(backup)
    try:
        os.link(path, temp)
        os.replace(temp, backup)
        # When the backup already is this file (a writer killed between its two renames)
        # rename() does nothing and leaves the link: remove it.
        temp.unlink(missing_ok=True)
    except OSError:
        try:
            temp.unlink()
        except OSError:
            pass
        atomic_write(backup, data)


def fsync_dir(directory: Path) -> None:
    """Make a rename in ``directory`` durable (where the platform supports it)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return  # Windows cannot open a directory; its rename is durable enough
    try:
        os.fsync(fd)
    except OSError as error:
        if error.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(fd)


class LockTimeout(OSError):
    """Another process held the lock for too long."""


@contextmanager
def locked(lock_path: Path, timeout: float = 10.0) -> Iterator[None]:
    """Hold an exclusive lock on ``lock_path`` (created if missing) for the block.

    Polls rather than blocking so that a stuck process cannot freeze the app forever:
    after ``timeout`` seconds :class:`LockTimeout` is raised.
    """
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if fcntl is not None:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise LockTimeout(errno.EAGAIN, f"another paper-tui holds {lock_path.name}") from None
                    time.sleep(0.005)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def quarantine_name(path: Path, kind: str = "broken") -> Path:
    """A fresh name beside ``path`` for a copy kept aside: ``NAME.<kind>-<UTC time>``."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    candidate = path.with_name(f"{path.name}.{kind}-{stamp}")
    number = 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.name}.{kind}-{stamp}-{number}")
    return candidate


def file_signature(path: Path) -> tuple[int, int, int] | None:
    """What tells that a file changed (inode, size, mtime); None if it is missing."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)
