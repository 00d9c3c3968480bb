"""The one way an entry folder changes place: journal line → one rename → one transaction →
reconcile. Adding (staging → ``entries/``), trashing, restoring and purging all go through
:meth:`Journal.place`. Replacing a file inside an entry folder (the video, when its comment is
rewritten) and a user's edit of the sidecar go through :meth:`Journal.rewrite`, whose line
makes recovery trust the sidecar over the row (and, for a new video, hash it first).

Why it is crash safe: before the rename, a journal line ``.staging/<id>-<pid>.journal`` names
the entry. A process killed at any moment leaves either the folder where it was or where it
was going, and maybe the line; on the next open, :meth:`Journal.recover` replays the lines of
dead processes with :meth:`Journal.reconcile`, which makes the index row match the folder on
disk (the disk wins), and deletes their staging leftovers. When the transaction itself fails
in a running process, the rename is undone first, so no folder is ever left renamed in but
unindexed. Any thread (the index lock serializes the database part).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

from ..core.atomic import atomic_write_json, ensure_dir, fsync_dir
from ..core.hashing import sha256_file
from .errors import LibraryError, SidecarError, UnsafeFileError
from .files import check_regular
from .folders import read_folder
from .ids import is_valid_id
from .index import Index
from .paths import DIR_MODE, LibraryPaths
from .rows import insert_row, row_from_sidecar
from .sidecar import load_sidecar, write_sidecar

__all__ = ["JOURNAL_SUFFIX", "Journal", "pid_alive"]

JOURNAL_SUFFIX = ".journal"
#: Writes the index side of a move, inside the journal's transaction.
IndexChange = Callable[[sqlite3.Connection], None]
#: Rewrites files in an entry folder (the sidecar last) and the row to match, inside the
#: journal's transaction; returns whether it did (``False``: nothing was changed).
Rewrite = Callable[[sqlite3.Connection], bool]
#: Ends the name of a line written by :meth:`Journal.rewrite`.
_REHASH = "-rehash"


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a reused pid only delays a cleanup)."""
    if pid == os.getpid():
        return True
    if os.name == "nt":
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Journal:
    """Moves of entry folders in one library, and their recovery after a crash."""

    def __init__(self, paths: LibraryPaths, index: Index):
        self.paths = paths
        self.index = index

    def _line(self, entry_id: str, *, rehash: bool = False) -> Path:
        # A rewrite's line has a name of its own: a move of the same entry by another thread
        # of this process must not remove it, nor it the move's.
        kind = _REHASH if rehash else ""
        path = self.paths.staging / f"{entry_id}-{os.getpid()}{kind}{JOURNAL_SUFFIX}"
        atomic_write_json(path, {"id": entry_id})
        return path

    def rewrite(self, entry_id: str, change: Rewrite, *, rehash: bool = True) -> bool:
        """Run ``change`` (which rewrites files inside the entry's folder, the sidecar last,
        and the row to match) in one transaction, under a journal line. Returns what
        ``change`` returned.

        The sidecar and the row are two writes: a process killed between them leaves the
        sidecar ahead of the row, and the line makes the next open :meth:`reconcile` it (the
        sidecar wins), as the failure path here does at once. With ``rehash`` (the video is
        renamed in before the sidecar is written), :meth:`refresh_file_facts` runs first:
        the sidecar is made to state the hash and size of the video that is there, old or new
        (both are whole: the rename is atomic)."""
        line = self._line(entry_id, rehash=rehash)
        try:
            with self.index.transaction() as conn:
                return change(conn)
        except BaseException:
            with contextlib.suppress(Exception):
                if rehash:
                    self.refresh_file_facts(entry_id)
                self.reconcile(entry_id)
            raise
        finally:
            with contextlib.suppress(FileNotFoundError):
                line.unlink()

    def refresh_file_facts(self, entry_id: str) -> bool:
        """Make the sidecar of ``entry_id`` (live or in the trash) state the hash and size of
        the video file it names as that file is now; returns whether it had to change. The
        index is left to :meth:`reconcile`. Slow (hashes the video): worker thread."""
        for rel in (self.paths.entry_rel(entry_id), self.paths.trash_rel(entry_id)):
            folder = self.paths.root / rel
            try:
                data, _aside = load_sidecar(folder)
                video = check_regular(folder / data["files"]["video"])
                facts = {"video_sha256": sha256_file(video), "size_bytes": video.stat().st_size}
            except (SidecarError, UnsafeFileError, OSError):
                continue
            if data["id"] != entry_id:
                continue
            if all(data.get(key) == value for key, value in facts.items()):
                return False
            write_sidecar(folder, {**data, **facts})
            return True
        return False

    def place(self, entry_id: str, source: Path, target: Path, change: IndexChange) -> None:
        """Move the folder ``source`` to ``target`` (nothing to move when ``source`` is gone)
        and apply ``change`` to the index in one transaction. On failure the rename is undone,
        the row is reconciled with the disk, and the error is raised again. Raises
        :class:`LibraryError` when ``target`` already exists."""
        ensure_dir(target.parent, DIR_MODE)
        line = self._line(entry_id)
        try:
            if os.path.lexists(target):
                raise LibraryError(
                    f"cannot move entry {entry_id}: {self.paths.to_rel(target)} already exists"
                )
            moved = os.path.lexists(source)
            if moved:
                os.rename(source, target)
                fsync_dir(target.parent)
            try:
                with self.index.transaction() as conn:
                    change(conn)
            except BaseException:
                if moved:
                    os.rename(target, source)
                raise
        except BaseException:
            # Whatever happened, the folder on disk decides what the index holds.
            with contextlib.suppress(Exception):
                self.reconcile(entry_id)
            raise
        finally:
            with contextlib.suppress(FileNotFoundError):
                line.unlink()

    def reconcile(self, entry_id: str) -> None:
        """Make the index row of ``entry_id`` match its folder on disk (which wins): indexed
        where a whole folder is, removed where none is."""
        found = folder_rel = None
        for rel, in_trash in (
            (self.paths.entry_rel(entry_id), False),
            (self.paths.trash_rel(entry_id), True),
        ):
            folder = self.paths.root / rel
            try:
                found = read_folder(folder, in_trash, comments=False)
            except (SidecarError, UnsafeFileError, OSError):
                continue
            if found.data["id"] == entry_id:
                folder_rel = rel
                break
            found = None
        with self.index.transaction() as conn:
            conn.execute("DELETE FROM entries WHERE id = ?", (entry_id,))
            if found is not None and folder_rel is not None:
                insert_row(conn, row_from_sidecar(found.data, folder_rel))

    def recover(self) -> None:
        """Replay the journals and drop the staging leftovers of processes no longer running."""
        try:
            names = os.listdir(self.paths.staging)
        except FileNotFoundError:
            return
        for name in sorted(names, key=lambda n: not n.endswith(JOURNAL_SUFFIX)):
            is_line = name.endswith(JOURNAL_SUFFIX)
            stem = name[: -len(JOURNAL_SUFFIX)] if is_line else name
            entry_id, _, pid_text = stem.partition("-")
            pid_text = pid_text.split("-")[0]
            if pid_text.isdigit() and pid_alive(int(pid_text)):
                continue  # another process (or thread of ours) is writing it right now
            path = self.paths.staging / name
            if is_line and is_valid_id(entry_id):
                if stem.endswith(_REHASH):
                    self.refresh_file_facts(entry_id)
                self.reconcile(entry_id)
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
