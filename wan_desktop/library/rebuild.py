"""Finding every entry folder on disk and reading what it holds (for :meth:`Library.rebuild`).

The index is disposable: each entry folder carries its sidecar, and its video carries the same
JSON in its comment tag. A folder counts only when its name is an entry id and it has its
video; the folder's place says whether the entry is live (``entries/YYYY/MM/<id>``) or in the
trash (``trash/<id>``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .ids import is_valid_id
from .paths import LibraryPaths
from .search import iso_utc
from .sidecar import SidecarError, read_sidecar, write_sidecar

__all__ = ["entry_folders", "scan_folders"]

FromComment = Callable[[Path, bool], dict[str, Any]]


def entry_folders(paths: LibraryPaths) -> Iterator[tuple[Path, bool]]:
    """``(folder, in_trash)`` for every folder named like an entry id, in id order."""
    if paths.entries.is_dir():
        for year in sorted(paths.entries.iterdir()):
            if not year.is_dir() or year.is_symlink():
                continue
            for month in sorted(year.iterdir()):
                if not month.is_dir() or month.is_symlink():
                    continue
                for folder in sorted(month.iterdir()):
                    if folder.is_dir() and not folder.is_symlink() and is_valid_id(folder.name):
                        yield folder, False
    if paths.trash.is_dir():
        for folder in sorted(paths.trash.iterdir()):
            if folder.is_dir() and not folder.is_symlink() and is_valid_id(folder.name):
                yield folder, True


def scan_folders(
    paths: LibraryPaths, from_comment: FromComment
) -> tuple[list[tuple[str, dict[str, Any], str]], list[tuple[str, str]]]:
    """Read every entry folder: ``(found, skipped)`` where found holds
    ``(folder_rel, sidecar, "sidecar" | "comment")`` and skipped ``(folder_rel, reason)``."""
    found: list[tuple[str, dict[str, Any], str]] = []
    skipped: list[tuple[str, str]] = []
    for folder, in_trash in entry_folders(paths):
        rel = paths.to_rel(folder)
        source = "sidecar"
        try:
            data = read_sidecar(folder)
            if data["id"] != folder.name:
                raise SidecarError(f"the sidecar is for entry {data['id']}")
        except SidecarError as sidecar_problem:
            try:
                data = from_comment(folder, in_trash)
                source = "comment"
            except (SidecarError, OSError) as exc:
                skipped.append((rel, f"{sidecar_problem}; {exc}"))
                continue
        if not (folder / data["files"]["video"]).is_file():
            skipped.append((rel, "the video file is missing"))
            continue
        # The folder's place decides live or trashed; keep the sidecar saying the same.
        if in_trash != bool(data.get("trashed_at")):
            data["trashed_at"] = iso_utc(datetime.now(UTC)) if in_trash else None
            write_sidecar(folder, data)
        found.append((rel, data, source))
    return found, skipped
