"""Which entries' MP4 comments are still to be written, kept on disk so a killed process leaves
them to the next one (Qt-free).

A judgement (a rating, a pick) reaches the sidecar and the index at once and the video's
comment some seconds later (:class:`~.comment_sync.CommentSync`). A window killed in between
would leave the comment out of date until the clip's next change; so the queue notes each
entry it is told of in a small file of its own, ``comment-sync-<pid>.pending`` in the library
root (:class:`PendingFile`), rewritten atomically when the set changes and removed once it is
empty. The next process to open the library adopts the files of processes that no longer run
(:meth:`PendingFile.adopt`): the window's queue syncs them, and a command that opens the
library syncs a few of them before it exits (:func:`sync_adopted`, quiet and bounded).

Why a file per process, not one shared file: the window and a command (``wan-desktop library
rate``) may run on one library at once; each rewrites only its own file, so neither drops an
entry the other noted, and a dead process's file is adopted whole. A process adopting writes
the ids into its own file before it deletes the dead one, so a kill at any moment loses none;
two processes adopting the same file at once both sync its entries, which is harmless (the
second rewrite finds the comment already right). A pid reused by another process only delays
the adoption.

The files are read as untrusted data (msgspec, bounded size, every id checked); a damaged one
is dropped with a warning that names ``wan-desktop library sync-comments``, which finds every
out-of-date comment by reading the videos. Blocking (small file writes): any thread but the GUI
thread.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from ..core.atomic import atomic_write_bytes
from ..media.video import VideoError
from .errors import EntryNotFoundError, LibraryError
from .ids import is_valid_id
from .journal import pid_alive

if TYPE_CHECKING:
    from .store import Library

__all__ = [
    "CLI_MAX_ENTRIES",
    "CLI_MAX_SECONDS",
    "MAX_IDS",
    "PENDING_PREFIX",
    "PENDING_SUFFIX",
    "Adopted",
    "PendingFile",
    "sync_adopted",
]

PENDING_PREFIX = "comment-sync-"
PENDING_SUFFIX = ".pending"
#: More ids than a library holds entries is not a file of ours.
MAX_IDS = 100_000
_MAX_BYTES = 4 << 20
_SCHEMA = 1
#: How much a command that opens the library syncs of what dead processes left, before it exits.
CLI_MAX_ENTRIES = 20
CLI_MAX_SECONDS = 2.0

_log = logging.getLogger(__name__)


class _Record(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    schema: int
    ids: list[str]


@dataclass(frozen=True, slots=True)
class Adopted:
    """What :meth:`PendingFile.adopt` took over: the entry ids (sorted, no repeats) and the
    dead processes' files they came from (delete them with :meth:`PendingFile.discard` once
    the ids are saved in this process's own file)."""

    ids: tuple[str, ...] = ()
    files: tuple[Path, ...] = field(default=())


class PendingFile:
    """This process's ``comment-sync-<pid>.pending`` in the library ``root``."""

    def __init__(self, root: Path | str, pid: int | None = None):
        self.root = Path(root)
        self.pid = os.getpid() if pid is None else pid
        self.path = self.root / f"{PENDING_PREFIX}{self.pid}{PENDING_SUFFIX}"
        # Until this process writes its own file, one found under its pid is a dead
        # process's (a reused pid) and is adopted like the others.
        self._written = False

    def save(self, ids: Collection[str]) -> None:
        """Make this process's file hold exactly ``ids`` (atomically; none: the file is
        removed). Raises ``OSError`` when the library root cannot be written."""
        self._written = True
        if not ids:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
            return
        record = _Record(schema=_SCHEMA, ids=sorted(ids))
        atomic_write_bytes(self.path, msgspec.json.encode(record), mode=0o600)

    def adopt(self) -> Adopted:
        """The ids noted by processes that no longer run (their files stay until
        :meth:`discard`). A damaged or foreign file is given up with a warning."""
        ids: set[str] = set()
        files: list[Path] = []
        try:
            candidates = sorted(self.root.glob(f"{PENDING_PREFIX}*{PENDING_SUFFIX}"))
        except OSError:
            return Adopted()
        for path in candidates:
            pid_text = path.name[len(PENDING_PREFIX) : -len(PENDING_SUFFIX)]
            if not pid_text.isdigit():
                continue  # not a name we write: not ours to read or delete
            pid = int(pid_text)
            if pid == self.pid:
                if self._written:
                    continue
            elif pid_alive(pid):
                continue
            ids.update(_read(path))
            files.append(path)
        return Adopted(tuple(sorted(ids)), tuple(files))

    def discard(self, files: Collection[Path]) -> None:
        """Delete adopted ``files`` (one already gone was adopted by another process too)."""
        for path in files:
            if path == self.path and self._written:
                continue  # this process's own file, rewritten since: not the adopted one
            try:
                path.unlink()
            except FileNotFoundError:
                pass
            except OSError as exc:
                _log.warning("%s could not be removed: %s", path.name, exc)


def _read(path: Path) -> list[str]:
    """The entry ids in a pending file; ``[]`` (with a warning) when it is not one of ours."""
    try:
        if path.stat().st_size > _MAX_BYTES:
            raise ValueError(f"larger than {_MAX_BYTES} bytes")
        record = msgspec.json.decode(path.read_bytes(), type=_Record)
        if record.schema != _SCHEMA:
            raise ValueError(f"schema {record.schema}, not {_SCHEMA}")
        if len(record.ids) > MAX_IDS:
            raise ValueError(f"more than {MAX_IDS} ids")
    except (OSError, msgspec.DecodeError, ValueError) as exc:
        _log.warning(
            "%s was not read (%s); `wan-desktop library sync-comments` finds every comment "
            "that is out of date",
            path.name,
            exc,
        )
        return []
    good = [entry_id for entry_id in record.ids if is_valid_id(entry_id)]
    if len(good) != len(record.ids):
        _log.warning("%s: %d ids that are not entry ids were dropped", path.name,
                     len(record.ids) - len(good))  # fmt: skip
    return good


def sync_adopted(
    library: Library,
    *,
    max_entries: int = CLI_MAX_ENTRIES,
    max_seconds: float = CLI_MAX_SECONDS,
) -> int:
    """For a command that opens the library and exits: adopt what dead processes left to sync
    and write up to ``max_entries`` comments within about ``max_seconds``; the rest stays in
    this process's file for the next one. Quiet: failures are logged, never raised (a missing
    entry or an unreadable video is dropped; a busy file waits for the next process). Returns
    how many comments were rewritten. Worker thread (each sync is a remux)."""
    pending = PendingFile(library.root)
    adopted = pending.adopt()
    if not adopted.files:
        return 0
    left = set(adopted.ids)
    try:
        pending.save(left)
    except OSError as exc:
        _log.info("the comments left to sync were not adopted: %s", exc)
        return 0  # the dead files stay for a process that can write the library
    pending.discard(adopted.files)
    rewritten = 0
    deadline = time.monotonic() + max_seconds
    for count, entry_id in enumerate(adopted.ids):
        if count >= max_entries or time.monotonic() >= deadline:
            break
        try:
            rewritten += bool(library.sync_comment(entry_id))
        except OSError as exc:
            _log.info("the comment of entry %s is left for later: %s", entry_id, exc)
            continue
        except EntryNotFoundError:
            pass  # purged meanwhile: nothing to write
        except (LibraryError, VideoError, sqlite3.Error) as exc:
            _log.warning("the comment of entry %s was not written: %s", entry_id, exc)
        left.discard(entry_id)
    try:
        pending.save(left)
    except OSError as exc:
        _log.info("the comments left to sync were not saved: %s", exc)
    return rewritten
