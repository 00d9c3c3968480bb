"""Reading an input file the user picked, checked before it is read (any thread; blocking).

Shared by the image and audio checks and by the job runner's copy of the inputs. A path is
read only when it is a regular file within the field's limit: ``/dev/zero`` would otherwise
be read until memory runs out, a FIFO named ``f.png`` would block for ever. The type and size
come from ``os.stat`` before opening; the file is opened with ``O_NONBLOCK`` (a FIFO swapped in
meanwhile cannot block the open) and checked again on the open descriptor; the read stops one
byte past the limit whatever the size said (``/proc`` files report 0 bytes).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..core import limits
from ..core.problems import InvalidInputError, Problem
from ._text import format_megabytes, format_number

__all__ = ["check_size", "limit_of", "read_input_file"]

_READ_PIECE = 1 << 20
_LIMITS = {"image_url": limits.IMAGE_MAX_BYTES, "audio_url": limits.AUDIO_MAX_BYTES}
_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)


def limit_of(field: str) -> int:
    """The largest file taken for ``field`` (``image_url``/``audio_url``), in bytes."""
    return _LIMITS[field]


def check_size(size_bytes: int, *, field: str, label: str, max_bytes: int | None = None) -> None:
    """Raise ``InvalidInputError`` on ``field`` when ``size_bytes`` is over ``max_bytes`` (the
    field's limit by default), worded ``"<label> is 26.1 MB; the limit is 25 MB."``."""
    limit = limit_of(field) if max_bytes is None else max_bytes
    if size_bytes > limit:
        raise InvalidInputError(
            Problem(
                field,
                f"{label} is {format_megabytes(size_bytes, limit)}; "
                f"the limit is {format_number(limit / 1_000_000)} MB.",
            )
        )


def read_input_file(
    path: str | Path, *, field: str, label: str, max_bytes: int | None = None
) -> bytes:
    """The bytes of the regular file at ``path``, at most ``max_bytes`` (the field's limit by
    default).

    A missing, unreadable, non-regular or too large file raises ``InvalidInputError`` for
    ``field`` (``image_url``/``audio_url``), worded with ``label`` (``Image``/``Audio``) and
    naming the path or the limit. Blocking: call in an executor.
    """
    path = Path(path)
    limit = limit_of(field) if max_bytes is None else max_bytes

    def refuse(message: str) -> InvalidInputError:
        return InvalidInputError(Problem(field, f"{label}: {message}"))

    try:
        _check_kind(os.stat(path), path, field=field, label=label, limit=limit)
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_BINARY", 0))
        with os.fdopen(descriptor, "rb", buffering=0) as handle:
            _check_kind(os.fstat(descriptor), path, field=field, label=label, limit=limit)
            data = _read_at_most(handle, limit + 1)
    except FileNotFoundError as exc:
        raise refuse(f"there is no file at {path}.") from exc
    except IsADirectoryError as exc:
        raise refuse(f"{path} is a folder, not a file.") from exc
    except PermissionError as exc:
        raise refuse(f"{path} cannot be read (permission denied).") from exc
    except OSError as exc:
        raise refuse(f"{path} cannot be read ({exc.strerror or exc}).") from exc
    if len(data) > limit:
        raise InvalidInputError(
            Problem(
                field,
                f"{label} at {path} is larger than the limit of "
                f"{format_number(limit / 1_000_000)} MB; it was not read further.",
            )
        )
    return data


def _check_kind(info: os.stat_result, path: Path, *, field: str, label: str, limit: int) -> None:
    """Refuse anything but a regular file, then a regular file over ``limit`` bytes."""
    if not stat.S_ISREG(info.st_mode):
        what = next((name for test, name in _KINDS if test(info.st_mode)), "not a file")
        if what == "a folder":
            raise IsADirectoryError(path)
        raise InvalidInputError(
            Problem(field, f"{label}: {path} is not a regular file (it is {what}).")
        )
    check_size(info.st_size, field=field, label=label, max_bytes=limit)


def _read_at_most(handle, count: int) -> bytes:
    """Up to ``count`` bytes, read in pieces (a short read is not the end of a file)."""
    pieces: list[bytes] = []
    left = count
    while left > 0:
        piece = handle.read(min(_READ_PIECE, left))
        if not piece:
            break
        pieces.append(piece)
        left -= len(piece)
    return b"".join(pieces)
