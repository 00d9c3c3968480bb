"""The library: a folder of entries and the SQLite index over them (:class:`Library`).

``Library`` is a facade. The rooms behind it:

- :mod:`.index` — the SQLite connection, its lock, transactions, damaged files moved aside;
- :mod:`.queries` — the read side (get, list, search, counts, tags);
- :mod:`.journal` — the one protocol by which an entry folder changes place (stage → rename →
  transaction → reconcile), and recovery after a crash;
- :mod:`.staging` and :mod:`.files` — an entry's files, built in staging and opened safely;
- :mod:`.records` — the sidecar of a new or imported entry; :mod:`.schema` its shape;
- :mod:`.folders` and :mod:`.rebuild` — reading the folders back into the index;
- :mod:`.takes` — the take fields' limits (group, label, rating, flag);
- :mod:`.lineage` — parents, children and continue-chains;
- :mod:`.sequences` — named lists of clips, their files and rows.

Threads: a :class:`Library` may be used from any thread (the window calls it from an
executor). Calls are serialized at the database by the index lock; the slow parts of
:meth:`Library.add` and :meth:`Library.import_video` (remuxing, decoding the poster and last
frame, hashing) run outside it.

Crash safety: an entry is built whole in ``.staging/<id>-<pid>/`` (sidecar written last), then
the journal moves it into ``entries/YYYY/MM/<id>`` and indexes it; moves to and from the trash
and purges go the same way. Opening the library replays the journals of dead processes (the
folder on disk wins) and deletes their staging leftovers, so a process killed at any moment
leaves every entry whole or absent. Only journals are read on open, never every row. Edits
of the sidecar and rewrites of the video's comment (:meth:`Library.sync_comment`) run under a
journal line too, so the row is made from the sidecar (and the sidecar from the video's hash)
when a process dies between the two.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any

from ..core.atomic import ensure_dir
from ..core.hashing import sha256_file
from ..core.paths import app_paths
from ..core.settings import library_dir, load_settings
from ..media import mp4meta, video
from ..media.stream_stamp import stamp_of
from . import clock, lineage
from . import export as export_mod
from .comment_rewrite import rewrite_comment
from .errors import EntryNotFoundError, LibraryError
from .files import LAST_FRAME_NAME, POSTER_NAME, VIDEO_NAME
from .ids import id_datetime, is_valid_id, new_id
from .index import Index, connect
from .journal import Journal
from .models import Entry, EntrySummary, Filters, NewEntry
from .paths import DIR_MODE, LibraryPaths
from .queries import DEFAULT_PAGE_SIZE, SUMMARY_COLUMNS, Queries
from .rebuild import RebuildReport, rebuild_index
from .records import generated_sidecar, imported_sidecar
from .rows import insert_row, normalize_tags, row_from_sidecar
from .sequences import Sequence, SequenceStore
from .sidecar import comment_text, decode_comment, salvage, validate, write_sidecar
from .staging import new_stage, stage_media, write_inputs
from .takes import (
    FLAG_REJECTED,
    check_flag,
    check_group_id,
    check_rating,
    check_take,
    clean_variant,
)

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "TRASH_KEEP_DAYS",
    "EntryNotFoundError",
    "Library",
    "LibraryError",
    "RebuildReport",
]

TRASH_KEEP_DAYS = 30
#: The index columns a user edit may change (besides ``data``, the sidecar they come from).
_EDITABLE = ("favourite", "rating", "flag", "tags", "notes", "title", "data")
# The benchmark times the raw query against the API with the same columns.
_SUMMARY_COLUMNS = SUMMARY_COLUMNS


class Library:
    """One library folder and its index. Open with :meth:`open`; close with :meth:`close`
    (or use it as a context manager)."""

    #: Opens the database (tests and the benchmark trace the statements run on open).
    _connect = staticmethod(connect)

    def __init__(self, paths: LibraryPaths, index: Index):
        self.paths = paths
        self._index = index
        self._queries = Queries(index, paths)
        self._journal = Journal(paths, index)
        self._sequences = SequenceStore(index, paths)
        self._judged: Callable[[str], None] | None = None
        self._judging: Callable[[str], None] | None = None

    # ---- opening ------------------------------------------------------------------------------

    @classmethod
    def open(cls, root: Path | str | None = None) -> Library:
        """Open (creating or migrating) the library at ``root`` (default: the app's library
        folder under ``WAN_DESKTOP_HOME``).

        Cheap: reads no entry rows. It replays the journals of processes that died mid-write,
        deletes their staging leftovers and purges trash older than 30 days. A missing index
        next to existing entries, or a corrupt one (moved aside as
        ``library.db.corrupt-<time>``, see :attr:`corrupt_index_moved_to`), is rebuilt from
        the sidecars. Call from a worker thread.
        """
        if root is None:
            app = app_paths()
            root = library_dir(app, load_settings(app))
        paths = LibraryPaths.at(root)
        ensure_dir(paths.root, 0o700)
        for folder in (paths.entries, paths.trash, paths.staging):
            folder.mkdir(exist_ok=True, mode=DIR_MODE)
        lib = cls(paths, Index(paths, cls._connect))
        lib._journal.recover()
        if lib._index.fresh and lib._has_entry_folders():
            rebuild_index(lib._index, paths)
        lib.purge_expired_trash()
        return lib

    def _has_entry_folders(self) -> bool:
        return (
            any(self.paths.entries.iterdir())
            or any(self.paths.trash.iterdir())
            or (self.paths.sequences.is_dir() and any(self.paths.sequences.iterdir()))
        )

    def close(self) -> None:
        """Close the index (idempotent). Any thread."""
        self._index.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def root(self) -> Path:
        """The library folder (absolute)."""
        return self.paths.root

    @property
    def corrupt_index_moved_to(self) -> Path | None:
        """Where a damaged ``library.db`` found since opening was moved (it was rebuilt from
        the folders), or ``None``."""
        return self._index.corrupt_moved_to

    @property
    def _conn(self) -> sqlite3.Connection:
        return self._index.conn

    def _query(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[tuple]:
        return self._index.query(sql, params)

    # ---- adding -------------------------------------------------------------------------------

    def add(self, new: NewEntry) -> Entry:
        """Keep a finished generation; returns the stored entry.

        Copies the video in with the sidecar JSON in its ``comment`` tag (remux, no
        re-encode), writes the input image/audio exactly as sent, a poster (longest side 480)
        and the exact last frame (PNG), then the sidecar, then indexes it. The temporary video
        at ``new.video_path`` is removed once the entry is safely in. Whole or absent even if
        the process dies midway. With a planned ``new.id`` whose folder is already complete on
        disk (an add interrupted after its rename), that entry is indexed and returned.
        Slow (remux + decode): call from a worker thread.
        Raises :class:`LibraryError` (``VideoError`` for an unplayable video;
        :class:`~.errors.FieldError` for a take group id, variant label or take number out of
        its limits).
        """
        check_group_id(new.group_id)  # before any work: the message names the field
        clean_variant(new.variant)
        check_take(new.take)
        entry_id = new.id or new_id()
        if not is_valid_id(entry_id):
            raise LibraryError(f"not a valid entry id: {entry_id!r}")
        if self._queries.exists(entry_id):
            raise LibraryError(f"an entry with id {entry_id} already exists")
        if (self.paths.root / self.paths.entry_rel(entry_id)).exists():
            # A planned id whose add reached the disk before a crash (the journal was lost):
            # the folder is whole (it only ever appears whole), so index it and hand it back.
            self._journal.reconcile(entry_id)
            if not self._queries.exists(entry_id):
                raise LibraryError(f"the folder of entry {entry_id} exists but is not an entry")
        else:
            info = video.check_playable(new.video_path)
            created = new.created_at or id_datetime(entry_id)
            stage = new_stage(self.paths, entry_id)
            try:
                files, image_info, audio_info = write_inputs(stage, new.image, new.audio)
                files.update(video=VIDEO_NAME, poster=POSTER_NAME, last_frame=LAST_FRAME_NAME)
                data = generated_sidecar(
                    new, entry_id, created, files, _facts(info), (image_info, audio_info)
                )
                self._file_in(stage, Path(new.video_path), data)
            except BaseException:
                shutil.rmtree(stage, ignore_errors=True)
                raise
        with contextlib.suppress(OSError):
            Path(new.video_path).unlink()
        return self.get(entry_id)

    def _file_in(self, stage: Path, source_video: Path, data: dict[str, Any]) -> None:
        """Finish the entry in ``stage`` (video with our comment, pictures, sidecar last) and
        let the journal move it into ``entries/`` and index it."""
        data = validate(data)
        stage_media(stage, source_video, data, comment_text(data))
        write_sidecar(stage, data)
        entry_id = data["id"]
        rel = self.paths.entry_rel(entry_id)
        row = row_from_sidecar(data, rel)
        self._journal.place(
            entry_id, stage, self.paths.root / rel, lambda conn: insert_row(conn, row)
        )

    def find_by_sha256(self, sha256: str) -> str | None:
        """The id of the entry whose video (or imported original) has this SHA-256, if any."""
        return self._queries.find_by_sha256(sha256)

    def import_video(self, path: Path | str) -> Entry:
        """Copy an MP4 made elsewhere into the library and return its entry.

        The file is checked first (:func:`media.video.check_playable`). Importing the same
        file twice returns the existing entry (matched on SHA-256 of the file as given or as
        stored). When the video carries our metadata (an export, or a video from another
        library) and every field of it is sound, its settings are restored, with paths and
        links reduced to plain file names or dropped, and so is its id unless this library
        already has an entry with that id (then it gets a new id; ``import.original_id`` keeps
        the old one). Otherwise it is a foreign video: a new id and only what the file itself
        says; fields of ours that were of the wrong type are kept aside in
        ``rejected_metadata`` (:attr:`Entry.set_aside`). The source file is left in place.
        Slow: worker thread. Raises ``VideoError`` for a file that does not play.
        """
        path = Path(path)
        info = video.check_playable(path)
        sha = sha256_file(path)
        existing = self.find_by_sha256(sha)
        if existing is not None:
            return self.get(existing)
        try:
            raw = decode_comment(mp4meta.read_comment(path))
        except video.VideoError:
            raw = None
        existing = self._same_clip(raw, path, info.has_audio)
        if existing is not None:
            return self.get(existing)
        data = imported_sidecar(path.name, _facts(info), sha, raw, self._id_taken)
        stage = new_stage(self.paths, data["id"])
        try:
            self._file_in(stage, path, data)
        except BaseException:
            shutil.rmtree(stage, ignore_errors=True)
            raise
        return self.get(data["id"])

    def _same_clip(self, raw: dict[str, Any] | None, path: Path, has_audio: bool) -> str | None:
        """The id of the entry ``path`` is a copy of, when its comment names an entry of this
        library whose video has the same pictures (equal stream stamps: every video packet)
        and, like it, a sound track or none: a copy exported before the entry's comment was
        rewritten (a rating, a pick) has another file hash. ``None`` otherwise. Slow (demuxes
        both files): worker thread."""
        carried_id = raw.get("id") if raw is not None else None
        if not is_valid_id(carried_id) or not self._queries.exists(carried_id):
            return None
        stored = self.get(carried_id)
        if has_audio != stored.has_audio:
            return None
        try:
            return carried_id if stamp_of(path) == stamp_of(stored.video_path) else None
        except (video.VideoError, OSError):
            return None

    def _id_taken(self, entry_id: str) -> bool:
        """Whether ``entry_id`` is indexed, or has a folder on disk (live or in the trash)."""
        return (
            self._queries.exists(entry_id)
            or (self.paths.root / self.paths.entry_rel(entry_id)).exists()
            or (self.paths.root / self.paths.trash_rel(entry_id)).exists()
        )

    # ---- reading ------------------------------------------------------------------------------

    def get(self, entry_id: str) -> Entry:
        """The whole entry ``entry_id`` (live or trashed); raises
        :class:`EntryNotFoundError`. Fast (one indexed row). Any thread."""
        return self._queries.get(entry_id)

    def list(
        self,
        filters: Filters | None = None,
        *,
        sort: str = "newest",
        limit: int = DEFAULT_PAGE_SIZE,
        offset: int = 0,
    ) -> list[EntrySummary]:
        """One page of entries (default: live ones, newest first). ``limit``/``offset`` in
        rows; served by an index, so a page costs the same in a library of any size. Any
        thread; fast enough for the GUI thread for one page, but prefer a worker."""
        return self._queries.list(filters, sort, limit, offset)

    def search(
        self,
        text: str,
        filters: Filters | None = None,
        *,
        sort: str = "relevance",
        limit: int = DEFAULT_PAGE_SIZE,
        offset: int = 0,
    ) -> list[EntrySummary]:
        """Entries whose prompt, negative prompt, actual prompt, tags, notes or title contain
        every word of ``text`` (each word as a prefix: search as you type; case and accents
        ignored; a number-like word may also be the resolution or the seed). Any text is safe
        (quotes and FTS operators are taken literally); text with no searchable word lists
        everything (``relevance`` then means newest, as it does when only numbers were
        typed). The filter words ``rating:N``, ``is:picked``/``is:rejected`` and ``group:ID``
        filter instead; one whose value does not fit (``rating:9``) raises
        :class:`~.errors.FieldError` naming the word and the limit
        (:func:`.search.search_word_problems` checks text without a query).
        ``limit``/``offset`` as for :meth:`list`. Any thread."""
        return self._queries.search(text, filters, sort, limit, offset)

    def count(self, text: str | None = None, filters: Filters | None = None) -> int:
        """How many entries :meth:`search` (with ``text``) or :meth:`list` would page through
        (raising as :meth:`search` does for a filter word out of its limits)."""
        return self._queries.count(text, filters)

    def all_tags(self) -> list[tuple[str, int]]:
        """Every tag in use by live entries with its count, most used first."""
        return self._queries.all_tags()

    def stats(self) -> dict[str, int]:
        """For diagnostics: live and trashed entries, and the bytes the folder uses (walks
        the folder: slow for big libraries; worker thread)."""
        return self._queries.stats()

    # ---- edits --------------------------------------------------------------------------------

    def _edit(self, entry_id: str, changes: dict[str, Any]) -> Entry:
        """Apply user edits to the sidecar (atomically) and the row, in one transaction under
        a journal line: a process killed after the sidecar was written and before the row
        committed has the row made from the sidecar on the next open."""
        if not is_valid_id(entry_id):  # before its name is used for the journal line
            raise EntryNotFoundError(f"no entry with id {str(entry_id)[:80]!r} in the library")
        self._journal.rewrite(
            entry_id, functools.partial(self._edit_in, entry_id, changes), rehash=False
        )
        return self.get(entry_id)

    def _edit_in(self, entry_id: str, changes: dict[str, Any], conn: sqlite3.Connection) -> bool:
        """:meth:`_edit` inside the journal's transaction."""
        rows = conn.execute("SELECT folder, data FROM entries WHERE id = ?", (entry_id,)).fetchall()
        if not rows:
            raise EntryNotFoundError(f"no entry with id {entry_id!r} in the library")
        folder_rel, data_text = rows[0]
        # Salvaged: a row written by an older version may hold a field that no longer
        # passes the schema; the edit sets it aside instead of failing.
        data, _ = salvage(json.loads(data_text))
        data.update(changes)
        write_sidecar(self.paths.to_abs(folder_rel), data)
        row = row_from_sidecar(data, folder_rel)
        conn.execute(
            f"UPDATE entries SET {', '.join(f'{c} = ?' for c in _EDITABLE)} WHERE id = ?",
            [*(row[c] for c in _EDITABLE), entry_id],
        )
        if "tags" in changes:
            conn.execute("DELETE FROM entry_tags WHERE entry_id = ?", (entry_id,))
            conn.executemany(
                "INSERT OR IGNORE INTO entry_tags (entry_id, tag) VALUES (?, ?)",
                [(entry_id, t) for t in json.loads(row["tags"])],
            )
        return True

    def set_favourite(self, entry_id: str, favourite: bool) -> Entry:
        """Mark or unmark ``entry_id`` as a favourite."""
        return self._edit(entry_id, {"favourite": bool(favourite)})

    def set_tags(self, entry_id: str, tags: list[str]) -> Entry:
        """Replace the tags (normalized: lower case, trimmed, commas split, no repeats)."""
        return self._edit(entry_id, {"tags": normalize_tags(tags)})

    def set_notes(self, entry_id: str, notes: str) -> Entry:
        """Replace the free-text notes."""
        return self._edit(entry_id, {"notes": str(notes)})

    def set_title(self, entry_id: str, title: str) -> Entry:
        """Replace the title (one line; whitespace collapsed)."""
        return self._edit(entry_id, {"title": " ".join(str(title).split())})

    def set_rating(self, entry_id: str, rating: int) -> Entry:
        """Rate ``entry_id`` 1..5 stars (0: not rated); raises :class:`~.errors.FieldError`
        for anything else. Sidecar and index at once (fast); the video's comment follows with
        :meth:`sync_comment`."""
        return self._judge(entry_id, {"rating": check_rating(rating)})

    def set_flag(self, entry_id: str, flag: str | None) -> Entry:
        """Flag ``entry_id`` "picked" or "rejected" ("", ``None`` or "none" clear it);
        raises :class:`~.errors.FieldError` for anything else. Like :meth:`set_rating`, the
        comment follows with :meth:`sync_comment`."""
        return self._judge(entry_id, {"flag": check_flag(flag)})

    def on_judged(
        self,
        listener: Callable[[str], None] | None,
        *,
        before: Callable[[str], None] | None = None,
    ) -> None:
        """Call ``listener(entry_id)`` after every :meth:`set_rating` and :meth:`set_flag`
        (from the thread that made it), so the comment can follow later: the window passes
        its :class:`~.comment_sync.CommentSync`. ``before(entry_id)`` is called first, before
        the sidecar changes (the queue notes the entry on disk there, so a process killed
        between the sidecar and the queue leaves it noted); with ``before``, ``listener`` is
        also called when the edit failed, to end what ``before`` began. ``None`` stops both."""
        self._judged = listener
        self._judging = before if listener is not None else None

    def _judge(self, entry_id: str, changes: dict[str, Any]) -> Entry:
        before, listener = self._judging, self._judged
        if before is not None:
            before(entry_id)
        try:
            entry = self._edit(entry_id, changes)
        except BaseException:
            if before is not None and listener is not None:
                listener(entry_id)  # the queue's sync then finds nothing to write
            raise
        if listener is not None:
            listener(entry_id)
        return entry

    def sync_comment(self, entry_id: str) -> bool:
        """Bring the MP4 comment of ``entry_id`` (live or trashed) up to date with its sidecar
        (its rating and flag); returns whether the video was rewritten (``False``: it already
        said the same). A stream copy swapped in atomically with the sidecar's and the index's
        new ``video_sha256``/``size_bytes``, under a journal line: whole if the process is
        killed. ``video_sha256`` then names the rewritten file; see :mod:`.comment_rewrite`
        for what that means to imports, and why the proxy is kept. Raises
        :class:`EntryNotFoundError`, ``VideoError``, ``OSError`` or :class:`LibraryError`.
        Slow (tens of ms): worker thread."""
        return rewrite_comment(self._index, self.paths, self._journal, entry_id)

    # ---- takes --------------------------------------------------------------------------------

    def group_members(self, group_id: str) -> list[EntrySummary]:
        """The live takes of the group ``group_id`` in the order they were queued in (their
        ``take`` numbers, which is the order their labels read), not the order they were
        filed in: with two jobs at once a later take may finish first. Takes of no known
        place (filed before takes were numbered) follow, oldest first. Raises
        :class:`~.errors.FieldError` for a malformed group id."""
        check_group_id(group_id)
        return self._queries.list(Filters(group_id=group_id), "take", -1, 0)

    def keep_picks(self, group_id: str) -> list[str]:
        """Cull the group ``group_id``: move its live *rejected* takes to the trash, keeping
        the picked and the unflagged ones. Returns the ids moved, oldest first; undo is
        :meth:`restore` of each. When a move fails midway the error is raised and the takes
        moved before it stay in the trash (each is whole, and restorable). Worker thread (one
        folder rename and transaction per take)."""
        rejected = [
            member.id for member in self.group_members(group_id) if member.flag == FLAG_REJECTED
        ]
        for entry_id in rejected:
            self.trash(entry_id)
        return rejected

    # ---- lineage ------------------------------------------------------------------------------

    def children_of(self, entry_id: str) -> list[EntrySummary]:
        """The live clips continued from ``entry_id``'s last frame, newest first."""
        return lineage.children_of(self._queries, entry_id)

    def chain(self, entry_id: str, choose: lineage.Choose | None = None) -> list[str]:
        """The ids of the continue-chain through ``entry_id``, oldest first: back to its root
        ancestor (while the parent is a live entry) and forward to the latest child.
        ``choose(entry_id, children) -> child_id`` picks the branch where a clip has several
        children (``children`` newest first; default: the newest). See
        :func:`.lineage.chain`. Raises :class:`EntryNotFoundError`."""
        return lineage.chain(self._queries, entry_id, choose)

    # ---- sequences ----------------------------------------------------------------------------

    def new_sequence(self, name: str, entry_ids: Iterable[str]) -> Sequence:
        """Make and save a sequence named ``name`` of the clips ``entry_ids`` in order, with
        the default seams (a clip continued from the previous one starts at frame 1). Raises
        :class:`~.errors.FieldError` (bad name, too many clips) or
        :class:`EntryNotFoundError`. See :mod:`.sequences`."""
        return self._sequences.new(name, entry_ids)

    def get_sequence(self, sequence_id: str) -> Sequence:
        """The sequence ``sequence_id``; raises :class:`~.errors.SequenceNotFoundError`."""
        return self._sequences.get(sequence_id)

    def list_sequences(self) -> list[Sequence]:
        """Every sequence, the most recently changed first (reads the index only)."""
        return self._sequences.list()

    def save_sequence(self, sequence: Sequence) -> Sequence:
        """Store a new or changed sequence (its file atomically, then its row); returns what
        was stored (``updated_at`` now). Checks the shape (crossfade 0..12 frames, frame
        numbers, name) and that every clip is in the library; whether the frames exist is
        checked at export. Raises :class:`~.errors.FieldError` naming each field and limit,
        or :class:`EntryNotFoundError`."""
        return self._sequences.save(sequence)

    def delete_sequence(self, sequence_id: str) -> None:
        """Delete the sequence ``sequence_id`` (its clips stay); raises
        :class:`~.errors.SequenceNotFoundError`."""
        self._sequences.delete(sequence_id)

    # ---- trash --------------------------------------------------------------------------------

    def _move(self, entry_id: str, *, to_trash: bool) -> Entry:
        entry = self.get(entry_id)
        if (entry.trashed_at is not None) == to_trash:
            state = "in the trash" if to_trash else "not in the trash"
            raise LibraryError(f"entry {entry_id} is already {state}")
        data, _ = salvage(dict(entry.data))
        data["trashed_at"] = clock.iso_utc(clock.now()) if to_trash else None
        rel = self.paths.trash_rel(entry_id) if to_trash else self.paths.entry_rel(entry_id)
        write_sidecar(entry.folder, data)
        stored = json.dumps(data, ensure_ascii=False, sort_keys=True)

        def change(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE entries SET folder = ?, trashed_at = ?, data = ? WHERE id = ?",
                (rel, data["trashed_at"], stored, entry_id),
            )

        self._journal.place(entry_id, entry.folder, self.paths.root / rel, change)
        return self.get(entry_id)

    def trash(self, entry_id: str) -> Entry:
        """Move an entry to the trash (folder to ``trash/<id>``; restorable until emptied)."""
        return self._move(entry_id, to_trash=True)

    def restore(self, entry_id: str) -> Entry:
        """Bring an entry back from the trash."""
        return self._move(entry_id, to_trash=False)

    def empty_trash(self, older_than_days: float = TRASH_KEEP_DAYS) -> int:
        """Delete for good the entries trashed more than ``older_than_days`` days ago (0: all
        of them); only now are their files removed. Returns how many."""
        cutoff = clock.iso_utc(clock.now() - timedelta(days=older_than_days))
        rows = self._query(
            "SELECT id, folder FROM entries WHERE trashed_at IS NOT NULL AND trashed_at <= ?",
            (cutoff,),
        )
        for entry_id, folder_rel in rows:
            # Out of sight first (one rename), then forget, then delete the files: a crash
            # at any point leaves no half-deleted entry in the trash.
            doomed = self.paths.staging / f"{entry_id}-{os.getpid()}-purge"

            def forget(conn: sqlite3.Connection, entry_id: str = entry_id) -> None:
                conn.execute("DELETE FROM entries WHERE id = ?", (entry_id,))

            self._journal.place(entry_id, self.paths.to_abs(folder_rel), doomed, forget)
            shutil.rmtree(doomed, ignore_errors=True)
        return len(rows)

    def purge_expired_trash(self) -> int:
        """:meth:`empty_trash` for entries in the trash longer than 30 days (run on open)."""
        return self.empty_trash(TRASH_KEEP_DAYS)

    # ---- rebuild ------------------------------------------------------------------------------

    def rebuild(self) -> RebuildReport:
        """Recreate the index from the entry folders: each sidecar, or where a sidecar is gone
        or damaged, the JSON in the video's comment (the sidecar is written back). Ids and
        parameters are kept; fields of the wrong type are set aside and reported; folders that
        cannot be read are skipped and reported. Sequences come back from their files (one
        that is not sound is skipped and reported). A corrupt index is moved aside as
        ``library.db.corrupt-<time>`` first; ``corrupt_moved_to`` says where it went (also
        when that happened while opening). Slow (reads every folder): worker thread."""
        self._index.replace_if_damaged()
        return rebuild_index(self._index, self.paths, self._index.corrupt_moved_to)

    # ---- export -------------------------------------------------------------------------------

    def export(
        self,
        entry_id: str,
        dest_folder: Path | str,
        template: str = export_mod.DEFAULT_TEMPLATE,
        with_sidecar: bool = False,
    ) -> Path:
        """Copy the entry's video into ``dest_folder`` (made with its parents when missing, as
        ``sequence export`` makes its MP4's folder) named by ``template`` (fields ``{id}``,
        ``{date}`` YYYY-MM-DD and ``{time}`` HHMMSS in UTC, ``{seed}``, ``{prompt:N}``,
        ``{resolution}``, ``{duration}`` seconds, ``{title}``); never overwrites (adds
        `` (2)``...). ``with_sidecar`` also writes the sidecar beside it (same name, ``.json``).
        Returns the video's new path. Raises :class:`~.export.ExportError` for a bad template
        or folder, :class:`EntryNotFoundError`, :class:`~.errors.UnsafeFileError` for an
        entry file that is a symbolic link."""
        entry = self.get(entry_id)
        return export_mod.export_entry(entry, dest_folder, template, with_sidecar)

    # ---- for tests and the benchmark ----------------------------------------------------------

    def _bulk_insert(self, sidecars: list[tuple[str, dict[str, Any]]]) -> None:
        """Index ``(folder_rel, sidecar)`` pairs in one transaction through the normal insert
        path, without files (the benchmark's fast fill)."""
        with self._index.transaction() as conn:
            for folder_rel, data in sidecars:
                insert_row(conn, row_from_sidecar(validate(data), folder_rel))


def _facts(info: video.VideoInfo) -> dict[str, Any]:
    """The probe as the sidecar keeps it (the size is the final file's, set later)."""
    facts = info.to_dict()
    facts.pop("size_bytes", None)
    return facts
