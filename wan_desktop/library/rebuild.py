"""Recreating the index from the entry folders (for :meth:`Library.rebuild` and for opening a
library whose index is missing, empty or damaged).

The index is disposable: each entry folder carries its sidecar, and its video carries the same
JSON in its comment tag. Every folder is read by :func:`.folders.read_folder`; one that cannot
be read is skipped and reported, never fatal. Sequences come back from their files under
``sequences/`` the same way (:meth:`.sequences.SequenceStore.read_files`). Slow (reads every
folder): worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import SidecarError, UnsafeFileError
from .folders import entry_folders, read_folder
from .index import Index
from .paths import LibraryPaths
from .rows import insert_row, row_from_sidecar
from .sequences import SequenceStore

__all__ = ["RebuildReport", "entry_folders", "rebuild_index"]


@dataclass(frozen=True, slots=True)
class RebuildReport:
    """What a rebuild did: entries indexed from sidecars and from video comments, folders and
    sequence files skipped ``(path, reason)``, fields set aside ``(folder, names)`` (kept in
    the sidecar's ``rejected_metadata``), where a damaged index was moved (``None``: it was
    not), and how many sequences were indexed."""

    from_sidecar: int
    from_comment: int
    skipped: tuple[tuple[str, str], ...]
    corrupt_moved_to: Path | None = None
    set_aside: tuple[tuple[str, tuple[str, ...]], ...] = ()
    sequences: int = 0

    @property
    def indexed(self) -> int:
        """Entries in the index after the rebuild."""
        return self.from_sidecar + self.from_comment

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {
            "indexed": self.indexed,
            "from_sidecar": self.from_sidecar,
            "from_comment": self.from_comment,
            "skipped": [{"folder": f, "reason": r} for f, r in self.skipped],
            "set_aside": [{"folder": f, "fields": list(n)} for f, n in self.set_aside],
            "corrupt_moved_to": str(self.corrupt_moved_to) if self.corrupt_moved_to else None,
            "sequences": self.sequences,
        }


def rebuild_index(
    index: Index, paths: LibraryPaths, corrupt_moved_to: Path | None = None
) -> RebuildReport:
    """Replace every row of ``index`` with what the folders under ``paths`` hold."""
    counts = {"sidecar": 0, "comment": 0}
    skipped: list[tuple[str, str]] = []
    set_aside: list[tuple[str, tuple[str, ...]]] = []
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for folder, in_trash in entry_folders(paths, skipped):
        rel = paths.to_rel(folder)
        try:
            found = read_folder(folder, in_trash)
        except (SidecarError, UnsafeFileError, OSError) as exc:
            skipped.append((rel, str(exc)))
            continue
        entry_id = found.data["id"]
        if entry_id in seen:
            skipped.append((rel, f"a second folder for entry {entry_id}"))
            continue
        seen.add(entry_id)
        counts[found.source] += 1
        rows.append(row_from_sidecar(found.data, rel))
        if found.set_aside:
            set_aside.append((rel, found.set_aside))
    sequences = SequenceStore(index, paths).read_files()
    skipped.extend(sequences.skipped)
    with index.transaction() as conn:
        conn.execute("DELETE FROM entries")
        for row in rows:
            insert_row(conn, row)
        conn.execute("INSERT INTO entries_fts (entries_fts) VALUES ('optimize')")
        SequenceStore.replace_rows(conn, sequences.sequences)
    return RebuildReport(
        counts["sidecar"],
        counts["comment"],
        tuple(skipped),
        corrupt_moved_to,
        tuple(set_aside),
        len(sequences.sequences),
    )
