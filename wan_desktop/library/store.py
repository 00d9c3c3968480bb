"""The library: a folder of entries and the SQLite index over them.

Threads: a :class:`Library` may be used from any thread (the window calls it from an
executor). It holds one SQLite connection guarded by a lock, so calls are serialized at the
database; the slow parts of :meth:`Library.add` and :meth:`Library.import_video` (remuxing,
decoding the poster and last frame, hashing) run outside the lock.

Crash safety: an entry is built whole in ``.staging/<id>-<pid>/`` (sidecar written last), a
journal line names it, one ``rename`` moves it to ``entries/YYYY/MM/<id>``, then one
transaction indexes it. Moves to and from the trash follow the same pattern. Opening the
library replays the journals of dead processes (the folder on disk wins) and deletes their
staging leftovers, so a process killed at any moment leaves every entry whole or absent.
Only journals are read on open, never every row.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from .. import __version__
from ..core.atomic import atomic_write_bytes, atomic_write_json, ensure_dir, fsync_dir
from ..core.paths import app_paths
from ..core.request import GenerationRequest
from ..core.settings import library_dir, load_settings
from ..media import mp4meta, video
from . import export as export_mod
from . import migrations
from .ids import id_datetime, is_valid_id, new_id
from .models import Entry, EntrySummary, Filters, NewEntry
from .paths import DIR_MODE, LibraryPaths, PathEscapeError, check_file_name
from .rows import insert_row, normalize_tags, row_from_sidecar
from .search import filters_sql, fts_query, iso_utc, order_sql
from .sidecar import (
    SIDECAR_NAME,
    SIDECAR_SCHEMA,
    SidecarError,
    comment_text,
    parse_comment,
    read_sidecar,
    validate,
    write_sidecar,
)

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "TRASH_KEEP_DAYS",
    "EntryNotFoundError",
    "Library",
    "LibraryError",
    "RebuildReport",
]

DEFAULT_PAGE_SIZE = 50
TRASH_KEEP_DAYS = 30
VIDEO_NAME = "video.mp4"
POSTER_NAME = "poster.jpg"
LAST_FRAME_NAME = "last_frame.png"
_JOURNAL_SUFFIX = ".journal"
_SUMMARY_COLUMNS = (
    "e.id, e.created_at, e.prompt, e.title, e.seed, e.duration_s, e.resolution, e.width, "
    "e.height, e.favourite, e.has_audio, e.folder, e.poster_file"
)


class LibraryError(Exception):
    """Something the library cannot do; ``str()`` is a sentence for people."""


class EntryNotFoundError(LibraryError, KeyError):
    """No entry has this id."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "no such entry"


@dataclass(frozen=True, slots=True)
class RebuildReport:
    """What :meth:`Library.rebuild` did: entries indexed from sidecars and from video comments,
    folders skipped (with the reason), and where a corrupt index was moved (if it was)."""

    from_sidecar: int
    from_comment: int
    skipped: tuple[tuple[str, str], ...]
    corrupt_moved_to: Path | None = None

    @property
    def indexed(self) -> int:
        return self.from_sidecar + self.from_comment

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {
            "indexed": self.indexed,
            "from_sidecar": self.from_sidecar,
            "from_comment": self.from_comment,
            "skipped": [{"folder": f, "reason": r} for f, r in self.skipped],
            "corrupt_moved_to": str(self.corrupt_moved_to) if self.corrupt_moved_to else None,
        }


def _now() -> datetime:
    return datetime.now(UTC)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pid_alive(pid: int) -> bool:
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


def _save_image(path: Path, image: Any, fmt: str, **options: Any) -> None:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    atomic_write_bytes(path, buffer.getvalue())


def _media_info(media: Any, stored_name: str) -> dict[str, Any]:
    return {
        "file": stored_name,
        "original_name": media.file_name,
        "mime": media.mime,
        "format": media.format,
        "size_bytes": media.size_bytes,
        "sha256": media.sha256,
        "width": media.width,
        "height": media.height,
        "duration_s": media.duration_s,
        "converted": media.converted,
        "notes": list(media.notes),
    }


def _stored_name(media: Any, stem: str) -> str:
    ext = Path(str(media.file_name)).suffix.lower()
    if not ext or not ext[1:].isalnum():
        ext = ".bin"
    return f"{stem}{ext}"


def _clean_reference(value: Any, stored: str | None, original: str | None) -> Any:
    """A reference to sent media, made safe to keep: data URIs and local paths become the
    entry's file name; web URLs stay (they are not paths)."""
    if not isinstance(value, str):
        return value
    if value.startswith(("http://", "https://")):
        return value
    if value.startswith("data:") or value == original or stored is not None:
        return stored
    return Path(value.replace("\\", "/")).name or None


class Library:
    """One library folder and its index. Open with :meth:`open`; close with :meth:`close`
    (or use it as a context manager)."""

    def __init__(self, paths: LibraryPaths, conn: sqlite3.Connection):
        self.paths = paths
        self._conn = conn
        self._lock = threading.RLock()
        self._closed = False

    # ---- opening ------------------------------------------------------------------------------

    @classmethod
    def open(cls, root: Path | str | None = None) -> Library:
        """Open (creating or migrating) the library at ``root`` (default: the app's library
        folder under ``WAN_DESKTOP_HOME``).

        Cheap: reads no entry rows. It replays the journals of processes that died mid-write,
        deletes their staging leftovers and purges trash older than 30 days. A missing index
        next to existing entries, or a corrupt one (moved aside as
        ``library.db.corrupt-<time>``), is rebuilt from the sidecars. Call from a worker thread.
        """
        if root is None:
            app = app_paths()
            root = library_dir(app, load_settings(app))
        paths = LibraryPaths.at(root)
        ensure_dir(paths.root, 0o700)
        for folder in (paths.entries, paths.trash, paths.staging):
            folder.mkdir(exist_ok=True, mode=DIR_MODE)
        fresh = not paths.db.exists()
        moved = None
        try:
            conn, before = cls._connect(paths)
        except sqlite3.DatabaseError:
            moved = cls._move_corrupt(paths)
            conn, before = cls._connect(paths)
            fresh = True
        lib = cls(paths, conn)
        lib._recover()
        if (fresh or before == 0) and lib._has_entry_folders():
            lib._rebuild_index(corrupt_moved_to=moved)
        lib.purge_expired_trash()
        return lib

    @staticmethod
    def _connect(paths: LibraryPaths) -> tuple[sqlite3.Connection, int]:
        conn = sqlite3.connect(
            paths.db, isolation_level=None, check_same_thread=False, timeout=10.0
        )
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA foreign_keys = ON")
            # WAL + NORMAL: every commit is atomic and consistent; only the last commits may
            # be lost on power failure, and the sidecars bring those back on rebuild.
            conn.execute("PRAGMA synchronous = NORMAL")
            before = migrations.migrate(conn)
        except BaseException:
            conn.close()
            raise
        with contextlib.suppress(OSError):
            os.chmod(paths.db, 0o644)
        return conn, before

    @staticmethod
    def _move_corrupt(paths: LibraryPaths) -> Path:
        stamp = _now().strftime("%Y%m%dT%H%M%SZ")
        target = paths.db.with_name(f"{paths.db.name}.corrupt-{stamp}")
        n = 1
        while target.exists():
            n += 1
            target = paths.db.with_name(f"{paths.db.name}.corrupt-{stamp}-{n}")
        os.replace(paths.db, target)
        for extra in ("-wal", "-shm"):
            side = paths.db.with_name(paths.db.name + extra)
            if side.exists():
                os.replace(side, target.with_name(target.name + extra))
        return target

    def close(self) -> None:
        """Close the index (idempotent). Any thread."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._conn.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def root(self) -> Path:
        """The library folder (absolute)."""
        return self.paths.root

    # ---- low level ----------------------------------------------------------------------------

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._closed:
                raise LibraryError("the library is closed")
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _query(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[tuple]:
        with self._lock:
            if self._closed:
                raise LibraryError("the library is closed")
            return self._conn.execute(sql, params).fetchall()

    def _journal(self, entry_id: str) -> Path:
        path = self.paths.staging / f"{entry_id}-{os.getpid()}{_JOURNAL_SUFFIX}"
        atomic_write_json(path, {"id": entry_id})
        return path

    def _has_entry_folders(self) -> bool:
        return any(self.paths.entries.iterdir()) or any(self.paths.trash.iterdir())

    # ---- recovery -----------------------------------------------------------------------------

    def _recover(self) -> None:
        """Replay the journals and drop the staging leftovers of processes no longer running."""
        try:
            names = os.listdir(self.paths.staging)
        except FileNotFoundError:
            return
        for name in sorted(names, key=lambda n: not n.endswith(_JOURNAL_SUFFIX)):
            stem = name[: -len(_JOURNAL_SUFFIX)] if name.endswith(_JOURNAL_SUFFIX) else name
            entry_id, _, pid_text = stem.partition("-")
            pid_text = pid_text.split("-")[0]
            if pid_text.isdigit() and _pid_alive(int(pid_text)):
                continue  # another process (or thread of ours) is writing it right now
            path = self.paths.staging / name
            if name.endswith(_JOURNAL_SUFFIX):
                if is_valid_id(entry_id):
                    self._reconcile(entry_id)
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
            elif path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()

    def _reconcile(self, entry_id: str) -> None:
        """Make the index row of ``entry_id`` match its folder on disk (which wins): indexed
        where a whole folder is, removed where none is."""
        live = self.paths.root / self.paths.entry_rel(entry_id)
        trashed = self.paths.root / self.paths.trash_rel(entry_id)
        data = None
        folder = None
        for candidate, in_trash in ((live, False), (trashed, True)):
            try:
                data = read_sidecar(candidate)
            except SidecarError:
                continue
            if data["id"] != entry_id or not (candidate / data["files"]["video"]).is_file():
                data = None
                continue
            folder = candidate
            if in_trash and not data.get("trashed_at"):
                data["trashed_at"] = iso_utc(_now())
                write_sidecar(candidate, data)
            elif not in_trash and data.get("trashed_at"):
                data["trashed_at"] = None
                write_sidecar(candidate, data)
            break
        with self._transaction() as conn:
            conn.execute("DELETE FROM entries WHERE id = ?", (entry_id,))
            if data is not None and folder is not None:
                insert_row(conn, row_from_sidecar(data, self.paths.to_rel(folder)))

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
        Raises :class:`LibraryError` (``VideoError`` for an unplayable video).
        """
        entry_id = new.id or new_id()
        if not is_valid_id(entry_id):
            raise LibraryError(f"not a valid entry id: {entry_id!r}")
        if self._query("SELECT 1 FROM entries WHERE id = ?", (entry_id,)):
            raise LibraryError(f"an entry with id {entry_id} already exists")
        if (self.paths.root / self.paths.entry_rel(entry_id)).exists():
            # A planned id whose add reached the disk before a crash (the journal was lost):
            # the folder is whole (it only ever appears whole), so index it and hand it back.
            self._reconcile(entry_id)
            if self._query("SELECT 1 FROM entries WHERE id = ?", (entry_id,)):
                with contextlib.suppress(OSError):
                    Path(new.video_path).unlink()
                return self.get(entry_id)
            raise LibraryError(f"the folder of entry {entry_id} exists but is not an entry")
        info = video.check_playable(new.video_path)
        created = new.created_at or id_datetime(entry_id)
        stage = self._new_stage(entry_id)
        try:
            files: dict[str, str | None] = {"video": VIDEO_NAME, "image": None, "audio": None}
            image_info = audio_info = None
            if new.image is not None:
                files["image"] = _stored_name(new.image, "input")
                atomic_write_bytes(stage / files["image"], new.image.data)
                image_info = _media_info(new.image, files["image"])
            if new.audio is not None:
                files["audio"] = _stored_name(new.audio, "audio")
                atomic_write_bytes(stage / files["audio"], new.audio.data)
                audio_info = _media_info(new.audio, files["audio"])
            files["poster"] = POSTER_NAME
            files["last_frame"] = LAST_FRAME_NAME
            data = self._new_sidecar(new, entry_id, created, files, info, image_info, audio_info)
            self._stage_media(stage, new.video_path, data)
            self._commit_stage(stage, data, trashed=False)
        except BaseException:
            shutil.rmtree(stage, ignore_errors=True)
            raise
        with contextlib.suppress(OSError):
            Path(new.video_path).unlink()
        return self.get(entry_id)

    def _new_stage(self, entry_id: str) -> Path:
        stage = self.paths.staging / f"{entry_id}-{os.getpid()}-{threading.get_ident()}"
        stage.mkdir(mode=DIR_MODE, parents=True)
        return stage

    def _new_sidecar(
        self,
        new: NewEntry,
        entry_id: str,
        created: datetime,
        files: dict[str, str | None],
        info: video.VideoInfo,
        image_info: dict[str, Any] | None,
        audio_info: dict[str, Any] | None,
    ) -> dict[str, Any]:
        image_name = new.image.file_name if new.image is not None else None
        audio_name = new.audio.file_name if new.audio is not None else None
        request = new.request.to_dict()
        request["image"] = _clean_reference(request.get("image"), files["image"], image_name)
        request["audio"] = _clean_reference(request.get("audio"), files["audio"], audio_name)
        arguments = dict(new.arguments)
        if "image_url" in arguments:
            arguments["image_url"] = _clean_reference(
                arguments["image_url"], files["image"], image_name
            )
        if "audio_url" in arguments:
            arguments["audio_url"] = _clean_reference(
                arguments["audio_url"], files["audio"], audio_name
            )
        response = new.response or {}
        seed = response.get("seed", new.request.seed)
        actual_prompt = response.get("actual_prompt") or ""
        video_facts = info.to_dict()
        video_facts.pop("size_bytes", None)
        return {
            "schema": SIDECAR_SCHEMA,
            "id": entry_id,
            "created_at": iso_utc(created),
            "app_version": __version__,
            "parent_id": new.parent_id,
            "request": request,
            "arguments": arguments,
            "response": response,
            "seed": seed if isinstance(seed, int) and not isinstance(seed, bool) else None,
            "actual_prompt": actual_prompt,
            "request_id": new.request_id,
            "endpoint": new.endpoint,
            "timings": dict(new.timings),
            "cost_usd": new.cost_usd,
            "remote": dict(new.remote),
            "files": files,
            "video": video_facts,
            "image": image_info,
            "audio": audio_info,
            "favourite": False,
            "tags": [],
            "notes": "",
            "title": "",
            "trashed_at": None,
        }

    def _stage_media(self, stage: Path, source_video: Path, data: dict[str, Any]) -> None:
        """Into ``stage``: the video with our comment, the poster and the last frame; then the
        final file's hash and size go into ``data``."""
        target = stage / data["files"]["video"]
        mp4meta.write_comment(source_video, target, comment_text(data))
        _save_image(stage / POSTER_NAME, video.poster(target), "JPEG", quality=85)
        _save_image(stage / LAST_FRAME_NAME, video.last_frame(target), "PNG", optimize=False)
        data["video_sha256"] = _sha256_file(target)
        data["size_bytes"] = target.stat().st_size

    def _commit_stage(self, stage: Path, data: dict[str, Any], *, trashed: bool) -> None:
        """Sidecar last, journal, one rename into place, one transaction."""
        entry_id = data["id"]
        write_sidecar(stage, data)
        rel = self.paths.trash_rel(entry_id) if trashed else self.paths.entry_rel(entry_id)
        final = self.paths.root / rel
        ensure_dir(final.parent, DIR_MODE)
        journal = self._journal(entry_id)
        try:
            if final.exists():
                raise LibraryError(f"the folder of entry {entry_id} already exists")
            os.rename(stage, final)
            fsync_dir(final.parent)
            with self._transaction() as conn:
                insert_row(conn, row_from_sidecar(data, rel))
        except BaseException:
            # Whatever happened, the folder on disk decides what the index holds.
            if final.exists() and not stage.exists():
                with contextlib.suppress(Exception):
                    self._reconcile(entry_id)
            raise
        finally:
            with contextlib.suppress(FileNotFoundError):
                journal.unlink()

    # ---- reading ------------------------------------------------------------------------------

    def get(self, entry_id: str) -> Entry:
        """The whole entry ``entry_id`` (live or trashed); raises
        :class:`EntryNotFoundError`. Fast (one indexed row). Any thread."""
        rows = self._query(
            "SELECT folder, trashed_at, data, favourite, tags, notes, title FROM entries "
            "WHERE id = ?",
            (entry_id,),
        )
        if not rows:
            raise EntryNotFoundError(f"no entry with id {entry_id!r} in the library")
        folder_rel, trashed_at, data_text, favourite, tags, notes, title = rows[0]
        return self._entry(
            folder_rel, trashed_at, json.loads(data_text), favourite, tags, notes, title
        )

    def _entry(
        self,
        folder_rel: str,
        trashed_at: str | None,
        data: dict[str, Any],
        favourite: int,
        tags_text: str,
        notes: str,
        title: str,
    ) -> Entry:
        folder = self.paths.to_abs(folder_rel)
        files = data.get("files") or {}

        def file(key: str) -> Path | None:
            name = files.get(key)
            return folder / check_file_name(name) if name else None

        request_data = data.get("request")
        request = GenerationRequest.from_dict(request_data) if request_data else None
        facts = data.get("video") or {}
        row = row_from_sidecar(data, folder_rel)
        return Entry(
            id=data["id"],
            created_at=data.get("created_at") or "",
            folder=folder,
            video_path=folder / check_file_name(files["video"]),
            image_path=file("image"),
            audio_path=file("audio"),
            poster_path=file("poster"),
            last_frame_path=file("last_frame"),
            sidecar_path=folder / SIDECAR_NAME,
            request=request,
            arguments=data.get("arguments") or {},
            response=data.get("response") or {},
            seed=row["seed"],
            actual_prompt=row["actual_prompt"],
            request_id=row["request_id"],
            endpoint=row["endpoint"],
            timings=data.get("timings") or {},
            cost_usd=row["cost_usd"],
            remote=data.get("remote") or {},
            parent_id=row["parent_id"],
            app_version=str(data.get("app_version") or ""),
            width=row["width"],
            height=row["height"],
            duration_s=row["duration_s"],
            has_audio=bool(facts.get("has_audio")),
            resolution=row["resolution"],
            video_sha256=row["video_sha256"],
            size_bytes=row["size_bytes"],
            favourite=bool(favourite),
            tags=tuple(json.loads(tags_text)),
            notes=notes,
            title=title,
            trashed_at=trashed_at,
            data=data,
        )

    def _summaries(self, rows: list[tuple]) -> list[EntrySummary]:
        # The hot path of every list page: plain strings and tuples here (pathlib and frozen
        # dataclasses cost more than the query itself). Rows only hold folders we made and
        # names the sidecar check passed; string checks keep a tampered row from pointing
        # outside, and get() resolves links before anything is opened.
        root = str(self.paths.root)
        sep = os.sep
        out = []
        make = EntrySummary
        for (eid, created, prompt, title, seed, duration, resolution, width, height, fav,
             audio, folder, poster) in rows:  # fmt: skip
            poster_file = None
            if poster:
                if (
                    folder.startswith("/")
                    or ".." in folder
                    or "\\" in folder
                    or ":" in folder
                    or "/" in poster
                    or "\\" in poster
                    or poster in (".", "..")
                ):
                    raise PathEscapeError(f"path leads outside the library: {folder!r}")
                poster_file = (
                    f"{root}/{folder}/{poster}"
                    if sep == "/"
                    else (sep.join((root, *folder.split("/"), poster)))
                )
            out.append(
                make(
                    eid,
                    created,
                    prompt,
                    title,
                    seed,
                    duration,
                    resolution,
                    width,
                    height,
                    bool(fav),
                    bool(audio),
                    poster_file,
                )
            )
        return out

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
        where, params = filters_sql(filters or Filters())
        sql = (
            f"SELECT {_SUMMARY_COLUMNS} FROM entries e WHERE {where} "
            f"ORDER BY {order_sql(sort)} LIMIT ? OFFSET ?"
        )
        return self._summaries(self._query(sql, [*params, int(limit), max(0, int(offset))]))

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
        ignored). Any text is safe (quotes and FTS operators are taken literally); text with
        no searchable word lists everything (``relevance`` then means newest)."""
        query = fts_query(text)
        if query is None:
            return self.list(
                filters,
                sort="newest" if sort == "relevance" else sort,
                limit=limit,
                offset=offset,
            )
        where, params = filters_sql(filters or Filters())
        sql = (
            f"SELECT {_SUMMARY_COLUMNS} FROM entries_fts JOIN entries e ON e.seq = "
            f"entries_fts.rowid WHERE entries_fts MATCH ? AND {where} "
            f"ORDER BY {order_sql(sort, searching=True)} LIMIT ? OFFSET ?"
        )
        return self._summaries(self._query(sql, [query, *params, int(limit), max(0, int(offset))]))

    def count(self, text: str | None = None, filters: Filters | None = None) -> int:
        """How many entries :meth:`search` (with ``text``) or :meth:`list` would page through."""
        where, params = filters_sql(filters or Filters())
        query = fts_query(text) if text else None
        if query is None:
            return int(self._query(f"SELECT count(*) FROM entries e WHERE {where}", params)[0][0])
        sql = (
            "SELECT count(*) FROM entries_fts JOIN entries e ON e.seq = entries_fts.rowid "
            f"WHERE entries_fts MATCH ? AND {where}"
        )
        return int(self._query(sql, [query, *params])[0][0])

    def all_tags(self) -> list[tuple[str, int]]:
        """Every tag in use by live entries with its count, most used first."""
        rows = self._query(
            "SELECT t.tag, count(*) FROM entry_tags t JOIN entries e ON e.id = t.entry_id "
            "WHERE e.trashed_at IS NULL GROUP BY t.tag ORDER BY count(*) DESC, t.tag"
        )
        return [(tag, int(n)) for tag, n in rows]

    def stats(self) -> dict[str, int]:
        """For diagnostics: live and trashed entries, and the bytes the folder uses (walks
        the folder: slow for big libraries; worker thread)."""
        live, trashed = self._query(
            "SELECT count(*) FILTER (WHERE trashed_at IS NULL), "
            "count(*) FILTER (WHERE trashed_at IS NOT NULL) FROM entries"
        )[0]
        total = 0
        for dirpath, _dirs, names in os.walk(self.paths.root):
            for name in names:
                with contextlib.suppress(OSError):
                    total += os.lstat(os.path.join(dirpath, name)).st_size
        return {"entries": int(live), "trashed": int(trashed), "bytes": total}

    # ---- edits --------------------------------------------------------------------------------

    def _edit(self, entry_id: str, changes: dict[str, Any]) -> Entry:
        """Apply user edits to the sidecar (atomically) and the row, in one transaction."""
        with self._transaction() as conn:
            rows = conn.execute(
                "SELECT folder, data FROM entries WHERE id = ?", (entry_id,)
            ).fetchall()
            if not rows:
                raise EntryNotFoundError(f"no entry with id {entry_id!r} in the library")
            folder_rel, data_text = rows[0]
            data = json.loads(data_text)
            data.update(changes)
            write_sidecar(self.paths.to_abs(folder_rel), data)
            row = row_from_sidecar(data, folder_rel)
            conn.execute(
                "UPDATE entries SET favourite = ?, tags = ?, notes = ?, title = ?, data = ? "
                "WHERE id = ?",
                (row["favourite"], row["tags"], row["notes"], row["title"], row["data"], entry_id),
            )
            if "tags" in changes:
                conn.execute("DELETE FROM entry_tags WHERE entry_id = ?", (entry_id,))
                conn.executemany(
                    "INSERT OR IGNORE INTO entry_tags (entry_id, tag) VALUES (?, ?)",
                    [(entry_id, t) for t in json.loads(row["tags"])],
                )
        return self.get(entry_id)

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

    # ---- trash --------------------------------------------------------------------------------

    def _move(self, entry_id: str, *, to_trash: bool) -> Entry:
        entry = self.get(entry_id)
        if (entry.trashed_at is not None) == to_trash:
            state = "in the trash" if to_trash else "not in the trash"
            raise LibraryError(f"entry {entry_id} is already {state}")
        data = dict(entry.data)
        data["trashed_at"] = iso_utc(_now()) if to_trash else None
        rel = self.paths.trash_rel(entry_id) if to_trash else self.paths.entry_rel(entry_id)
        final = self.paths.root / rel
        if final.exists():
            raise LibraryError(f"cannot move entry {entry_id}: {rel} already exists")
        ensure_dir(final.parent, DIR_MODE)
        journal = self._journal(entry_id)
        try:
            write_sidecar(entry.folder, data)
            os.rename(entry.folder, final)
            fsync_dir(final.parent)
            with self._transaction() as conn:
                conn.execute(
                    "UPDATE entries SET folder = ?, trashed_at = ?, data = ? WHERE id = ?",
                    (
                        rel,
                        data["trashed_at"],
                        json.dumps(data, ensure_ascii=False, sort_keys=True),
                        entry_id,
                    ),
                )
        except BaseException:
            with contextlib.suppress(Exception):
                self._reconcile(entry_id)
            raise
        finally:
            with contextlib.suppress(FileNotFoundError):
                journal.unlink()
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
        cutoff = iso_utc(_now() - timedelta(days=older_than_days))
        rows = self._query(
            "SELECT id, folder FROM entries WHERE trashed_at IS NOT NULL AND trashed_at <= ?",
            (cutoff,),
        )
        for entry_id, folder_rel in rows:
            journal = self._journal(entry_id)
            try:
                folder = self.paths.to_abs(folder_rel)
                # Out of sight first (one rename), then forget, then delete the files: a crash
                # at any point leaves no half-deleted entry in the trash.
                doomed = self.paths.staging / f"{entry_id}-{os.getpid()}-purge"
                if folder.exists():
                    os.rename(folder, doomed)
                with self._transaction() as conn:
                    conn.execute("DELETE FROM entries WHERE id = ?", (entry_id,))
                shutil.rmtree(doomed, ignore_errors=True)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    journal.unlink()
        return len(rows)

    def purge_expired_trash(self) -> int:
        """:meth:`empty_trash` for entries in the trash longer than 30 days (run on open)."""
        return self.empty_trash(TRASH_KEEP_DAYS)

    # ---- rebuild and import -------------------------------------------------------------------

    def rebuild(self) -> RebuildReport:
        """Recreate the index from the entry folders: each sidecar, or where a sidecar is gone
        or damaged, the JSON in the video's comment (the sidecar is written back). Ids and
        parameters are kept. A corrupt index is moved aside as ``library.db.corrupt-<time>``
        first. Slow (reads every folder): worker thread."""
        moved = None
        with self._lock:
            try:
                ok = self._conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            except sqlite3.DatabaseError:
                ok = False
            if not ok:
                self._conn.close()
                moved = self._move_corrupt(self.paths)
                self._conn, _ = self._connect(self.paths)
        return self._rebuild_index(corrupt_moved_to=moved)

    def _rebuild_index(self, corrupt_moved_to: Path | None = None) -> RebuildReport:
        from .rebuild import scan_folders

        found, skipped = scan_folders(self.paths, self._sidecar_from_comment)
        from_sidecar = from_comment = 0
        seen: set[str] = set()
        with self._transaction() as conn:
            conn.execute("DELETE FROM entries")
            for folder_rel, data, source in found:
                if data["id"] in seen:
                    skipped.append((folder_rel, f"a second folder for entry {data['id']}"))
                    continue
                seen.add(data["id"])
                insert_row(conn, row_from_sidecar(data, folder_rel))
                if source == "comment":
                    from_comment += 1
                else:
                    from_sidecar += 1
            conn.execute("INSERT INTO entries_fts (entries_fts) VALUES ('optimize')")
        return RebuildReport(from_sidecar, from_comment, tuple(skipped), corrupt_moved_to)

    def _sidecar_from_comment(self, folder: Path, in_trash: bool) -> dict[str, Any]:
        """The sidecar of ``folder`` recovered from its video's comment, written back to disk
        (posters and last frames that are gone are made again). Raises SidecarError."""
        videos = sorted(folder.glob("*.mp4"))
        if not videos:
            raise SidecarError("no sidecar and no video")
        for path in videos:
            try:
                data = parse_comment(mp4meta.read_comment(path))
            except video.VideoError:
                continue
            if data is None or data["id"] != folder.name:
                continue
            data["files"]["video"] = path.name
            for key in ("image", "audio"):
                name = data["files"].get(key)
                if name and not (folder / name).is_file():
                    data["files"][key] = None
            with contextlib.suppress(video.VideoError, OSError):
                if not (folder / POSTER_NAME).is_file():
                    _save_image(folder / POSTER_NAME, video.poster(path), "JPEG", quality=85)
                if not (folder / LAST_FRAME_NAME).is_file():
                    _save_image(folder / LAST_FRAME_NAME, video.last_frame(path), "PNG")
            data["files"]["poster"] = POSTER_NAME if (folder / POSTER_NAME).is_file() else None
            data["files"]["last_frame"] = (
                LAST_FRAME_NAME if (folder / LAST_FRAME_NAME).is_file() else None
            )
            data["video_sha256"] = _sha256_file(path)
            data["size_bytes"] = path.stat().st_size
            data.setdefault("favourite", False)
            data.setdefault("tags", [])
            data.setdefault("notes", "")
            data.setdefault("title", "")
            data["trashed_at"] = iso_utc(_now()) if in_trash else None
            write_sidecar(folder, validate(data))
            return data
        raise SidecarError("no sidecar, and no video carries our metadata")

    def find_by_sha256(self, sha256: str) -> str | None:
        """The id of the entry whose video (or imported original) has this SHA-256, if any."""
        rows = self._query(
            "SELECT id FROM entries WHERE video_sha256 = ? OR source_sha256 = ? LIMIT 1",
            (sha256, sha256),
        )
        return rows[0][0] if rows else None

    def import_video(self, path: Path | str) -> Entry:
        """Copy an MP4 made elsewhere into the library and return its entry.

        The file is checked first (:func:`media.video.check_playable`). Importing the same
        file twice returns the existing entry (matched on SHA-256 of the file as given or as
        stored). When the video carries our metadata (an export, or a video from another
        library) its settings are restored, and so is its id unless this library already
        has an entry with that id (then it gets a new id; ``import.original_id`` keeps the
        old one). A foreign video gets a new id and only what the file itself says.
        The source file is left in place. Slow: worker thread.
        """
        path = Path(path)
        info = video.check_playable(path)
        sha = _sha256_file(path)
        existing = self.find_by_sha256(sha)
        if existing is not None:
            return self.get(existing)
        try:
            carried = parse_comment(mp4meta.read_comment(path))
        except video.VideoError:
            carried = None
        imported = {
            "source_name": path.name,
            "source_sha256": sha,
            "imported_at": iso_utc(_now()),
        }
        video_facts = info.to_dict()
        video_facts.pop("size_bytes", None)
        if carried is not None:
            data = carried
            entry_id = data["id"]
            if self._query("SELECT 1 FROM entries WHERE id = ?", (entry_id,)):
                imported["original_id"] = entry_id
                entry_id = new_id()
            data["id"] = entry_id
            files = {k: None for k in ("image", "audio")}  # the inputs did not travel
        else:
            entry_id = new_id()
            data = {
                "schema": SIDECAR_SCHEMA,
                "id": entry_id,
                "created_at": iso_utc(_now()),
                "app_version": __version__,
                "parent_id": None,
                "request": None,
                "arguments": {},
                "response": {},
                "seed": None,
                "actual_prompt": "",
                "request_id": "",
                "endpoint": "",
                "timings": {},
                "cost_usd": None,
                "remote": {},
                "image": None,
                "audio": None,
            }
            files = {"image": None, "audio": None}
        data.update(
            {
                "files": {
                    "video": VIDEO_NAME,
                    **files,
                    "poster": POSTER_NAME,
                    "last_frame": LAST_FRAME_NAME,
                },
                "video": video_facts,
                "import": imported,
                "favourite": False,
                "tags": [],
                "notes": "",
                "title": "" if carried is not None else path.stem[:200],
                "trashed_at": None,
            }
        )
        stage = self._new_stage(entry_id)
        try:
            self._stage_media(stage, path, data)
            self._commit_stage(stage, data, trashed=False)
        except BaseException:
            shutil.rmtree(stage, ignore_errors=True)
            raise
        return self.get(entry_id)

    # ---- export -------------------------------------------------------------------------------

    def export(
        self,
        entry_id: str,
        dest_folder: Path | str,
        template: str = export_mod.DEFAULT_TEMPLATE,
        with_sidecar: bool = False,
    ) -> Path:
        """Copy the entry's video into ``dest_folder`` named by ``template`` (fields ``{id}``,
        ``{date}`` YYYY-MM-DD and ``{time}`` HHMMSS in UTC, ``{seed}``, ``{prompt:N}``,
        ``{resolution}``, ``{duration}`` seconds, ``{title}``); never overwrites (adds
        `` (2)``...). ``with_sidecar`` also writes the sidecar beside it (same name, ``.json``).
        Returns the video's new path. Raises :class:`~.export.ExportError` for a bad template
        or folder, :class:`EntryNotFoundError`."""
        entry = self.get(entry_id)
        when = (
            datetime.fromisoformat(entry.created_at) if entry.created_at else id_datetime(entry_id)
        )
        fields = {
            "id": entry.id,
            "date": f"{when:%Y-%m-%d}",
            "time": f"{when:%H%M%S}",
            "seed": entry.seed if entry.seed is not None else "noseed",
            "prompt": entry.prompt or entry.title,
            "resolution": entry.resolution,
            "duration": f"{entry.duration_s:g}s",
            "title": entry.title,
        }
        stem = export_mod.render_name(template, fields)
        sources = [(entry.video_path, ".mp4")]
        if with_sidecar:
            sources.append((entry.sidecar_path, ".json"))
        try:
            written = export_mod.copy_no_overwrite(sources, Path(dest_folder), stem)
        except PathEscapeError as exc:
            raise export_mod.ExportError(str(exc)) from exc
        return written[0]

    # ---- for tests and the benchmark ----------------------------------------------------------

    def _bulk_insert(self, sidecars: list[tuple[str, dict[str, Any]]]) -> None:
        """Index ``(folder_rel, sidecar)`` pairs in one transaction through the normal insert
        path, without files (the benchmark's fast fill)."""
        with self._transaction() as conn:
            for folder_rel, data in sidecars:
                insert_row(conn, row_from_sidecar(validate(data), folder_rel))
