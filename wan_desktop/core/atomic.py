"""Atomic file writes: write to a temporary name in the same folder, fsync, rename into place.

A reader (or a crash) sees either the old file or the whole new one, never half of one.

A big write (a video) can ask for an *unnamed* temporary file instead (``atomic_path(...,
unnamed=True)``): on Linux it is made with ``O_TMPFILE`` in the destination's folder, written
through ``/proc/self/fd/N`` and given a name only once complete, so a process killed midway
(SIGKILL, a power cut) leaves nothing at all behind, not even a hidden ``.part`` file for a
later run to sweep. Where ``O_TMPFILE`` or ``/proc`` is missing (other systems, a file system
without it) it falls back to the named temporary file.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

__all__ = [
    "atomic_open",
    "atomic_path",
    "atomic_write_bytes",
    "atomic_write_json",
    "atomic_write_text",
    "ensure_dir",
    "file_in_the_way",
    "fsync_dir",
]


def ensure_dir(folder: Path | str, mode: int = 0o755) -> Path:
    """Create ``folder`` and any missing parents with exactly ``mode`` (whatever the umask:
    ``mkdir(mode=...)`` is masked by it, and ``parents=True`` gives parents the default mode).
    Existing folders are left as they are. Returns the folder."""
    folder = Path(folder)
    missing = []
    probe = folder
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for path in reversed(missing):
        try:
            path.mkdir(mode=mode)
        except FileExistsError:
            continue  # made by another thread or process meanwhile
        os.chmod(path, mode)
    return folder


def file_in_the_way(folder: Path | str) -> Path | None:
    """The path that keeps :func:`ensure_dir` from making ``folder``: ``folder`` itself or its
    nearest existing ancestor when that is not a folder (a file, a broken link); ``None`` when
    ``folder`` exists as a folder or can be made. For a message that names it."""
    probe = Path(folder)
    while not os.path.lexists(probe) and probe.parent != probe:
        probe = probe.parent
    return None if probe.is_dir() else probe


def fsync_dir(folder: Path) -> None:
    """Flush a folder's entry list so a rename in it survives a power loss (no-op on Windows)."""
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_open(path: Path | str, mode: int = 0o644) -> Iterator[IO[bytes]]:
    """Open a binary file for writing that appears at ``path`` only when the block succeeds.

    ``mode`` is the permission of the final file (the temporary one is private meanwhile).
    """
    with atomic_path(path, mode) as tmp, open(tmp, "wb") as handle:
        yield handle


@contextlib.contextmanager
def atomic_path(
    path: Path | str, mode: int = 0o644, suffix: str = ".part", *, unnamed: bool = False
) -> Iterator[Path]:
    """A temporary path beside ``path`` for a writer that needs a file name (FFmpeg, SQLite);
    the file is fsynced and renamed to ``path`` when the block succeeds, removed otherwise.

    ``suffix`` lets a writer that picks its format from the name see the right extension.
    With ``unnamed`` (Linux), the path is ``/proc/self/fd/N`` of a file that has no name in
    the folder until the block succeeds, so a killed process leaves nothing; the writer must
    then open the path by name (not create a file beside it, as SQLite's journal does) and
    must not pick its format from the name (FFmpeg: pass ``format=``). It falls back to a
    named temporary file (``.NAME.<random><suffix>``) where that is not available.
    """
    path = Path(path)
    ensure_dir(path.parent)
    fd = _open_unnamed(path.parent) if unnamed else None
    if fd is not None:
        with _unnamed_path(fd, path, mode, suffix) as tmp:
            yield tmp
        return
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def _open_unnamed(folder: Path) -> int | None:
    """An ``O_TMPFILE`` descriptor in ``folder`` (private until committed), or ``None`` where
    the system or the file system has none, or ``/proc`` is not there to name it by. Any
    refusal means "use a named file": a real problem (no permission) is then raised by it."""
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None or not os.path.isdir("/proc/self/fd"):
        return None
    try:
        return os.open(folder, flag | os.O_RDWR | os.O_CLOEXEC, 0o600)
    except OSError:  # EOPNOTSUPP (file system), EISDIR (old kernel), EACCES...
        return None


@contextlib.contextmanager
def _unnamed_path(fd: int, path: Path, mode: int, suffix: str) -> Iterator[Path]:
    """Yield ``/proc/self/fd/<fd>``; on success link the file in under a temporary name (a
    link cannot replace ``path``) and rename that over ``path``. Closing ``fd`` unsaved, or
    the process dying, frees the file: it never had a name."""
    try:
        yield Path(f"/proc/self/fd/{fd}")
        os.fsync(fd)
        os.fchmod(fd, mode)
        tmp = _link_fd(fd, path, suffix)
        try:
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            raise
        fsync_dir(path.parent)
    finally:
        os.close(fd)


def _link_fd(fd: int, path: Path, suffix: str) -> Path:
    """Give the unnamed file ``fd`` a fresh hidden name beside ``path``; returns it."""
    # A folder descriptor makes os.link call linkat(AT_SYMLINK_FOLLOW); without one it calls
    # link(), which links the /proc symlink itself (EXDEV) instead of the file it stands for.
    folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        while True:
            name = f".{path.name}.{secrets.token_hex(4)}{suffix}"
            try:
                os.link(f"/proc/self/fd/{fd}", name, dst_dir_fd=folder, follow_symlinks=True)
            except FileExistsError:
                continue  # astronomically rare: another random name
            return path.parent / name
    finally:
        os.close(folder)


def atomic_write_bytes(path: Path | str, data: bytes, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_open(path, mode) as handle:
        handle.write(data)


def atomic_write_text(path: Path | str, text: str, mode: int = 0o644) -> None:
    """Write UTF-8 ``text`` to ``path`` atomically."""
    atomic_write_bytes(path, text.encode("utf-8"), mode)


def atomic_write_json(path: Path | str, value: Any, mode: int = 0o644) -> None:
    """Write ``value`` as indented UTF-8 JSON to ``path`` atomically."""
    text = json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    atomic_write_text(path, text, mode)
