"""Atomic file writes: write to a temporary name in the same folder, fsync, rename into place.

A reader (or a crash) sees either the old file or the whole new one, never half of one.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

__all__ = [
    "atomic_open",
    "atomic_write_bytes",
    "atomic_write_json",
    "atomic_write_text",
    "ensure_dir",
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
def atomic_path(path: Path | str, mode: int = 0o644, suffix: str = ".part") -> Iterator[Path]:
    """A temporary path beside ``path`` for a writer that needs a file name (FFmpeg, SQLite);
    the file is fsynced and renamed to ``path`` when the block succeeds, removed otherwise.

    ``suffix`` lets a writer that picks its format from the name see the right extension.
    """
    path = Path(path)
    ensure_dir(path.parent)
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
