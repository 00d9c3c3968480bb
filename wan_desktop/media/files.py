"""Reading an input file the user picked, with errors that name the field.

Shared by the image and audio checks and by the job runner's copy of the inputs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..core.problems import InvalidInputError, Problem

__all__ = ["read_input_file"]


def read_input_file(
    path: str | Path,
    *,
    field: str,
    label: str,
    check_size: Callable[[int], None] | None = None,
) -> bytes:
    """The bytes of the file at ``path``.

    ``check_size(size_bytes)`` runs on the size from the file system before anything is read
    (it raises ``InvalidInputError`` for a file over the limit). A missing, unreadable or
    folder path raises ``InvalidInputError`` for ``field`` (``image_url``/``audio_url``),
    worded with ``label`` (``Image``/``Audio``). Blocking: call in an executor.
    """
    path = Path(path)

    def refuse(message: str) -> InvalidInputError:
        return InvalidInputError(Problem(field, message))

    try:
        if path.is_dir():
            raise IsADirectoryError(path)
        size = path.stat().st_size
        if check_size is not None:
            check_size(size)
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise refuse(f"{label}: there is no file at {path}.") from exc
    except IsADirectoryError as exc:
        raise refuse(f"{label}: {path} is a folder, not a file.") from exc
    except PermissionError as exc:
        raise refuse(f"{label}: {path} cannot be read (permission denied).") from exc
    except OSError as exc:
        raise refuse(f"{label}: {path} cannot be read ({exc.strerror or exc}).") from exc
