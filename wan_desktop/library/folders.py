"""Finding the entry folders on disk and reading what each one holds: the one reading rule that
rebuilds and crash recovery share.

A folder counts only when its name is an entry id, it holds no symbolic link, its sidecar (or,
when that is gone or damaged, its video's comment) is ours and names a video that is a regular
file. The folder's place says whether the entry is live (``entries/YYYY/MM/<id>``) or in the
trash (``trash/<id>``), and the sidecar is made to say the same. Fields of the wrong type are
set aside (see :func:`.sidecar.salvage`) and the sidecar is written back without them. Slow
(reads files, may decode video): worker thread.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.hashing import sha256_file
from ..media import mp4meta, video
from . import clock
from .errors import SidecarError, UnsafeFileError
from .files import check_regular, refuse_links
from .ids import is_valid_id
from .paths import LibraryPaths
from .sidecar import decode_comment, load_sidecar, salvage, write_sidecar
from .staging import make_missing_pictures

__all__ = ["FolderContents", "entry_folders", "read_folder"]


@dataclass(frozen=True, slots=True)
class FolderContents:
    """What :func:`read_folder` found: the checked sidecar, where it came from (``"sidecar"``
    or ``"comment"``) and the names of the fields set aside."""

    data: dict[str, Any]
    source: str
    set_aside: tuple[str, ...]


Skipped = list[tuple[str, str]]


def _children(parent: Path, paths: LibraryPaths, skipped: Skipped | None) -> list[Path]:
    """The real folders in ``parent`` (no symbolic links), sorted; a folder that cannot be
    listed has none, and is reported in ``skipped``."""
    try:
        children = sorted(parent.iterdir())
    except OSError as exc:
        if skipped is not None:
            skipped.append((parent.relative_to(paths.root).as_posix(), f"cannot be read: {exc}"))
        return []
    return [c for c in children if c.is_dir() and not c.is_symlink()]


def entry_folders(
    paths: LibraryPaths, skipped: Skipped | None = None
) -> Iterator[tuple[Path, bool]]:
    """``(folder, in_trash)`` for every folder named like an entry id, in id order. Folders on
    the way that cannot be listed are added to ``skipped`` as ``(folder_rel, reason)``."""
    if paths.entries.is_dir():
        for year in _children(paths.entries, paths, skipped):
            for month in _children(year, paths, skipped):
                for folder in _children(month, paths, skipped):
                    if is_valid_id(folder.name):
                        yield folder, False
    if paths.trash.is_dir():
        for folder in _children(paths.trash, paths, skipped):
            if is_valid_id(folder.name):
                yield folder, True


def _from_comment(folder: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """The sidecar of ``folder`` recovered from its video's comment (posters and last frames
    that are gone are made again). Raises :class:`SidecarError`."""
    videos = sorted(folder.glob("*.mp4"))
    if not videos:
        raise SidecarError("no sidecar and no video")
    for path in videos:
        try:
            raw = decode_comment(mp4meta.read_comment(check_regular(path)))
        except video.VideoError:
            continue
        if raw is None or raw.get("id") != folder.name:
            continue
        try:
            data, aside = salvage(raw)
        except SidecarError:
            continue
        files = data["files"]
        files["video"] = path.name
        for key in ("image", "audio"):
            if files[key] and not (folder / files[key]).is_file():
                files[key] = None
        files.update(make_missing_pictures(folder, path))
        data["video_sha256"] = sha256_file(path)
        data["size_bytes"] = path.stat().st_size
        return data, aside
    raise SidecarError("no sidecar, and no video carries our metadata")


def _read_sidecar_or_comment(folder: Path, comments: bool) -> FolderContents:
    try:
        data, aside = load_sidecar(folder)
        if data["id"] != folder.name:
            raise SidecarError(f"the sidecar is for entry {data['id']}")
        return FolderContents(data, "sidecar", tuple(sorted(aside)))
    except SidecarError as sidecar_problem:
        if not comments:
            raise
        try:
            data, aside = _from_comment(folder)
        except (SidecarError, UnsafeFileError, OSError) as exc:
            raise SidecarError(f"{sidecar_problem}; {exc}") from exc
        return FolderContents(data, "comment", tuple(sorted(aside)))


def read_folder(folder: Path, in_trash: bool, *, comments: bool = True) -> FolderContents:
    """Read the entry folder ``folder``; ``comments=False`` trusts only its sidecar. The
    sidecar is written back when it changed (recovered from the comment, fields set aside,
    or live/trash state corrected). Raises :class:`SidecarError` or
    :class:`UnsafeFileError` (a symbolic link) for a folder that is not a whole entry."""
    refuse_links(folder)
    found = _read_sidecar_or_comment(folder, comments)
    data = found.data
    try:
        check_regular(folder / data["files"]["video"])
    except FileNotFoundError as exc:
        raise SidecarError("the video file is missing") from exc
    stale = in_trash != bool(data.get("trashed_at"))
    if stale:
        data["trashed_at"] = clock.iso_utc(clock.now()) if in_trash else None
    if stale or found.set_aside or found.source == "comment":
        write_sidecar(folder, data)
    return found
