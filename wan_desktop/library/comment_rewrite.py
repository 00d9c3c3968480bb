"""Bringing an entry's MP4 comment up to date with its sidecar (its rating and pick included),
crash safe, for :meth:`Library.sync_comment`.

How: the comment the sidecar calls for (:func:`.sidecar.comment_text`) is compared with the
one in the video; when they differ, the video is copied with the new comment (stream copy,
:func:`~..media.mp4meta.write_comment`) into a staging folder of its own and hashed there,
outside the index lock. Then, in one transaction under a journal line
(:meth:`.journal.Journal.rewrite`): the video on disk is checked to be the very file that was
copied (same inode, size and time; otherwise another writer came first and the copy starts
again), the copy is renamed over it, and the sidecar and the row get its new ``video_sha256``
and ``size_bytes``. A process killed at any moment leaves the old video or the new one, both
whole, and the next open makes the sidecar and the row state the hash of whichever is there.
The clip's proxy, made from the old file, takes the new file's time
(:func:`~..media.proxy.carry_over`): the packets are the same, so it is not made again.

What the hash means after a rewrite: ``video_sha256`` is always the SHA-256 of the file in the
library as it is now, so a check of the file against its sidecar holds. It names this file,
not the clip: a copy exported before a rating changed has the old hash. An imported video's
``import.source_sha256`` (the file as it was given) never changes, and importing a copy of an
entry the library holds is recognised by its entry id and its pictures' stream stamp
(:mod:`..media.stream_stamp`), which a comment rewrite leaves as it was.

The user's edits made meanwhile are never lost: the sidecar written is the row as it is at the
commit, with only the hash and size replaced; when the rating changed while the copy was made,
the comment is rewritten again. Slow (a remux and a hash: tens of ms for a short clip):
worker thread.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ..core.atomic import fsync_dir
from ..core.hashing import sha256_file
from ..media import mp4meta, proxy
from .errors import EntryNotFoundError, LibraryError
from .files import VIDEO_NAME, check_regular
from .index import Index
from .journal import Journal
from .paths import LibraryPaths
from .rows import row_from_sidecar
from .sidecar import comment_text, salvage, write_sidecar
from .staging import new_stage

__all__ = ["MAX_ATTEMPTS", "rewrite_comment"]

#: Copies made before giving up when other writers keep changing the entry meanwhile.
MAX_ATTEMPTS = 4


@dataclass(frozen=True, slots=True)
class _Identity:
    """Which file is at a path: a rename in puts another inode there, a rewrite in place
    another size or time."""

    inode: int
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> _Identity | None:
        try:
            st = os.stat(check_regular(path))
        except (OSError, LibraryError):
            return None
        return cls(st.st_ino, st.st_size, st.st_mtime_ns)


def _current(index: Index, paths: LibraryPaths, entry_id: str) -> tuple[Path, dict]:
    """The entry's video path and sidecar data as the index holds them now."""
    rows = index.query("SELECT folder, data FROM entries WHERE id = ?", (entry_id,))
    if not rows:
        raise EntryNotFoundError(f"no entry with id {entry_id!r} in the library")
    folder_rel, data_text = rows[0]
    data, _ = salvage(json.loads(data_text))
    return paths.to_abs(folder_rel) / data["files"]["video"], data


def rewrite_comment(index: Index, paths: LibraryPaths, journal: Journal, entry_id: str) -> bool:
    """Rewrite the comment of ``entry_id``'s video from its sidecar when it differs; returns
    whether the video was rewritten. Raises :class:`EntryNotFoundError`,
    :class:`~..media.video.VideoError` (the video cannot be read), ``OSError`` (the folder
    cannot be written), or :class:`LibraryError` when other writers changed the entry under
    every one of :data:`MAX_ATTEMPTS` copies."""
    rewrote = False
    for _attempt in range(MAX_ATTEMPTS):
        video_path, data = _current(index, paths, entry_id)
        wanted = comment_text(data)
        if mp4meta.read_comment(check_regular(video_path)) == wanted:
            return rewrote
        before = _Identity.of(video_path)
        stage = new_stage(paths, entry_id)
        try:
            staged = stage / VIDEO_NAME
            mp4meta.write_comment(video_path, staged, wanted)
            facts = {"video_sha256": sha256_file(staged), "size_bytes": staged.stat().st_size}

            swap = functools.partial(
                _swap_in, paths=paths, entry_id=entry_id, staged=staged, before=before, facts=facts
            )
            if journal.rewrite(entry_id, swap):
                rewrote = True
                if before is not None:
                    # Same packets: a proxy of the old file is one of the new (two stats).
                    proxy.carry_over(video_path, before.mtime_ns)
        finally:
            shutil.rmtree(stage, ignore_errors=True)
    raise LibraryError(
        f"the comment of entry {entry_id} was not brought up to date: the entry kept changing "
        f"while it was copied ({MAX_ATTEMPTS} tries)"
    )


def _swap_in(
    conn: sqlite3.Connection,
    *,
    paths: LibraryPaths,
    entry_id: str,
    staged: Path,
    before: _Identity | None,
    facts: dict,
) -> bool:
    """Inside the journal's transaction: rename ``staged`` over the entry's video when that is
    still the file it was copied from, and write the new hash and size to the sidecar and the
    row. ``False`` (nothing changed) when the entry moved or its video was replaced meanwhile."""
    rows = conn.execute("SELECT folder, data FROM entries WHERE id = ?", (entry_id,)).fetchall()
    if not rows:
        raise EntryNotFoundError(f"no entry with id {entry_id!r} in the library")
    folder_rel, data_text = rows[0]
    data, _ = salvage(json.loads(data_text))
    folder = paths.to_abs(folder_rel)
    target = folder / data["files"]["video"]
    if before is None or _Identity.of(target) != before:
        return False
    os.replace(staged, target)
    fsync_dir(folder)
    data.update(facts)
    write_sidecar(folder, data)
    row = row_from_sidecar(data, folder_rel)
    conn.execute(
        "UPDATE entries SET video_sha256 = ?, size_bytes = ?, data = ? WHERE id = ?",
        (row["video_sha256"], row["size_bytes"], row["data"], entry_id),
    )
    return True
