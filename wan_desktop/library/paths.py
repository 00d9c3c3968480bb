"""The library folder's layout, and the one place that converts between stored (relative) and
real (absolute) paths.

Everything stored in the index or a sidecar is a POSIX-style path relative to the library root,
so the whole folder can be moved. :meth:`LibraryPaths.to_rel` and :meth:`LibraryPaths.to_abs`
refuse anything that would resolve outside the root: absolute paths, ``..``, drive letters,
backslashes, and symlinks that lead out.

Layout::

    library.db                 the SQLite index (WAL: also -wal, -shm)
    entries/YYYY/MM/<id>/      one folder per entry (UTC month of the id's timestamp)
    trash/<id>/                entries deleted but restorable
    sequences/<id>.json        one file per sequence (an ordered list of clips)
    .staging/                  entries being built, and the journal of moves in flight
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .errors import PathEscapeError
from .ids import id_datetime, is_valid_id, is_valid_sequence_id

__all__ = ["DB_NAME", "FILE_NAME_PATTERN", "LibraryPaths", "PathEscapeError", "check_file_name"]

DB_NAME = "library.db"
ENTRIES = "entries"
TRASH = "trash"
STAGING = ".staging"
SEQUENCES = "sequences"
DIR_MODE = 0o755
#: A plain file name: no folder part (``/``, ``\\``), no drive or stream (``:``), no NUL,
#: not ``.`` or ``..``. The sidecar schema checks file names with the same pattern.
FILE_NAME_PATTERN = r"\A(?!\.\.?\Z)[^/\\:\x00]+\Z"
_FILE_NAME_RE = re.compile(FILE_NAME_PATTERN)


def check_file_name(name: object) -> str:
    """``name`` if it is a plain file name (no folder part, not ``.``/``..``); else raise
    :class:`PathEscapeError`."""
    if not isinstance(name, str) or not _FILE_NAME_RE.match(name):
        raise PathEscapeError(f"not a plain file name: {name!r}")
    return name


@dataclass(frozen=True, slots=True)
class LibraryPaths:
    """Paths inside one library folder (``root`` is absolute and resolved)."""

    root: Path

    @classmethod
    def at(cls, root: Path | str) -> LibraryPaths:
        """The layout of the library at ``root`` (resolved; nothing is created)."""
        return cls(Path(root).expanduser().resolve())

    @property
    def db(self) -> Path:
        """The index database."""
        return self.root / DB_NAME

    @property
    def entries(self) -> Path:
        """The folder of live entries."""
        return self.root / ENTRIES

    @property
    def trash(self) -> Path:
        """The folder of trashed entries."""
        return self.root / TRASH

    @property
    def sequences(self) -> Path:
        """The folder of sequence files (made on the first save)."""
        return self.root / SEQUENCES

    def sequence_file(self, sequence_id: str) -> Path:
        """The file of the sequence ``sequence_id``; raises :class:`PathEscapeError` for an
        id that is not one (so no text from outside can name another file)."""
        if not is_valid_sequence_id(sequence_id):
            raise PathEscapeError(f"not a sequence id: {str(sequence_id)[:40]!r}")
        return self.sequences / f"{sequence_id}.json"

    @property
    def staging(self) -> Path:
        """Entries being built, and journal lines."""
        return self.root / STAGING

    def entry_rel(self, entry_id: str) -> str:
        """Where a live entry lives, relative: ``entries/YYYY/MM/<id>`` (from the id's time)."""
        if not is_valid_id(entry_id):
            raise PathEscapeError(f"not an entry id: {entry_id!r}")
        when = id_datetime(entry_id)
        return f"{ENTRIES}/{when:%Y}/{when:%m}/{entry_id}"

    def trash_rel(self, entry_id: str) -> str:
        """Where a trashed entry lives, relative: ``trash/<id>``."""
        if not is_valid_id(entry_id):
            raise PathEscapeError(f"not an entry id: {entry_id!r}")
        return f"{TRASH}/{entry_id}"

    def to_abs(self, rel: str, *, follow_links: bool = True) -> Path:
        """The real path of a stored relative path; raises :class:`PathEscapeError` when it
        is absolute, climbs with ``..``, or resolves (through symlinks) outside the root.

        ``follow_links=False`` keeps to the lexical checks (no file system calls): for long
        lists of paths that are only shown, not opened.
        """
        if not isinstance(rel, str) or not rel or "\x00" in rel or "\\" in rel:
            raise PathEscapeError(f"not a relative library path: {rel!r}")
        pure = PurePosixPath(rel)
        if not pure.parts or pure.is_absolute() or ".." in pure.parts or ":" in pure.parts[0]:
            raise PathEscapeError(f"path leads outside the library: {rel!r}")
        path = self.root.joinpath(*pure.parts)
        if follow_links:
            self._check_inside(path, rel)
        return path

    def to_rel(self, path: Path | str) -> str:
        """The stored form of a path inside the library (POSIX separators); raises
        :class:`PathEscapeError` for a path outside it (symlinks resolved)."""
        path = Path(path)
        if not path.is_absolute():
            path = self.root / path
        resolved = Path(os.path.realpath(path))
        if not resolved.is_relative_to(self.root) or resolved == self.root:
            raise PathEscapeError(f"path is outside the library: {path}")
        return resolved.relative_to(self.root).as_posix()

    def _check_inside(self, path: Path, shown: str) -> None:
        resolved = Path(os.path.realpath(path))
        if not resolved.is_relative_to(self.root) or resolved == self.root:
            raise PathEscapeError(f"path leads outside the library: {shown!r}")
