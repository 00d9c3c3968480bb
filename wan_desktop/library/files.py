"""Opening the files of an entry folder: regular files only, never through a symbolic link.

An entry folder holds only files the library wrote. A symbolic link in one was planted (for
example ``video.mp4 -> /etc/passwd``, which an export would then copy out), so it is refused
wherever the library reads an entry file: every open goes through :func:`open_regular`
(``O_NOFOLLOW``, then a check that it is a regular file, never a FIFO or device that could
block), and tools that open by path (FFmpeg, hashing) get :func:`check_regular` first.
Light on purpose (no PyAV, no Pillow): the export code that the window loads early uses it.
Any thread.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from .errors import UnsafeFileError

__all__ = [
    "LAST_FRAME_NAME",
    "POSTER_NAME",
    "VIDEO_NAME",
    "check_regular",
    "links_in",
    "open_regular",
    "read_regular",
    "refuse_links",
]

VIDEO_NAME = "video.mp4"
POSTER_NAME = "poster.jpg"
LAST_FRAME_NAME = "last_frame.png"
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)  # a FIFO opens at once instead of waiting for a writer
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


def _refuse(path: Path, mode: int) -> None:
    if stat.S_ISLNK(mode):
        raise UnsafeFileError(f"{path.name} is a symbolic link; the library does not follow it")
    if not stat.S_ISREG(mode):
        raise UnsafeFileError(f"{path.name} is not a regular file")


def check_regular(path: Path | str) -> Path:
    """``path`` if it is a regular file and not a symbolic link; raises
    :class:`UnsafeFileError` (``FileNotFoundError`` when there is nothing there)."""
    path = Path(path)
    _refuse(path, os.lstat(path).st_mode)
    return path


def open_regular(path: Path | str) -> BinaryIO:
    """``path`` opened for reading in binary mode, refusing a symbolic link (``O_NOFOLLOW``,
    and an ``lstat`` where the OS has no such flag) or anything but a regular file."""
    path = Path(path)
    if not hasattr(os, "O_NOFOLLOW"):
        check_regular(path)
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        if os.path.islink(path):
            raise UnsafeFileError(
                f"{path.name} is a symbolic link; the library does not follow it"
            ) from exc
        raise
    try:
        _refuse(path, os.fstat(fd).st_mode)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def read_regular(path: Path | str, max_bytes: int) -> bytes:
    """The bytes of the regular file ``path`` (see :func:`open_regular`); raises
    :class:`UnsafeFileError` when it holds more than ``max_bytes``."""
    with open_regular(path) as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UnsafeFileError(f"{Path(path).name} is larger than {max_bytes} bytes")
    return data


def links_in(folder: Path) -> list[str]:
    """Names of the symbolic links directly inside ``folder``, sorted."""
    with os.scandir(folder) as entries:
        return sorted(e.name for e in entries if e.is_symlink())


def refuse_links(folder: Path) -> None:
    """Raise :class:`UnsafeFileError` when ``folder`` holds a symbolic link."""
    links = links_in(folder)
    if links:
        raise UnsafeFileError(
            f"the folder holds a symbolic link ({', '.join(links[:3])}); it is not read"
        )
