"""The read side of the library: one entry, pages of entries, search, counts and tags.

Every read is one indexed query (the sidecar is in the row's ``data``), so no file is opened
here. Any thread; a page or a :meth:`Queries.get` is fast enough for the GUI thread, but
prefer a worker.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

from ..core.request import GenerationRequest
from .errors import EntryNotFoundError, PathEscapeError
from .index import Index
from .models import Entry, EntrySummary, Filters
from .paths import LibraryPaths, check_file_name
from .rows import row_from_sidecar
from .search import filters_sql, order_sql, search_sql
from .sidecar import SIDECAR_NAME

__all__ = ["DEFAULT_PAGE_SIZE", "SUMMARY_COLUMNS", "Queries"]

DEFAULT_PAGE_SIZE = 50
SUMMARY_COLUMNS = (
    "e.id, e.created_at, e.prompt, e.title, e.seed, e.duration_s, e.resolution, e.width, "
    "e.height, e.favourite, e.has_audio, e.folder, e.poster_file, e.group_id, e.variant, "
    "e.rating, e.flag, e.take"
)


class Queries:
    """Reads over one library's index (``paths`` turns its stored paths into real ones)."""

    def __init__(self, index: Index, paths: LibraryPaths):
        self._index = index
        self.paths = paths

    def _query(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[tuple]:
        return self._index.query(sql, params)

    def exists(self, entry_id: str) -> bool:
        """Whether the index has a row (live or trashed) for ``entry_id``."""
        return bool(self._query("SELECT 1 FROM entries WHERE id = ?", (entry_id,)))

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
        request_data = data.get("request")
        request = GenerationRequest.from_dict(request_data) if request_data else None
        facts = data.get("video") or {}
        row = row_from_sidecar(data, folder_rel)
        entry_id = data["id"]
        created_at = data.get("created_at") or ""
        return Entry(
            id=entry_id,
            created_at=created_at,
            folder=folder,
            **_entry_paths(folder, data.get("files") or {}),
            request=request,
            arguments=data.get("arguments") or {},
            response=data.get("response") or {},
            timings=data.get("timings") or {},
            remote=data.get("remote") or {},
            app_version=str(data.get("app_version") or ""),
            has_audio=bool(facts.get("has_audio")),
            **_row_fields(row),
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
             audio, folder, poster, group_id, variant, rating, flag, take) in rows:  # fmt: skip
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
                    group_id,
                    variant,
                    rating,
                    flag,
                    take,
                )
            )
        return out

    def list(
        self, filters: Filters | None, sort: str, limit: int, offset: int
    ) -> list[EntrySummary]:
        """One page of entries, as ``Library.list`` documents it (it holds the defaults)."""
        where, params = filters_sql(filters or Filters())
        return self._page(f"entries e WHERE {where}", order_sql(sort), params, limit, offset)

    def search(
        self, text: str, filters: Filters | None, sort: str, limit: int, offset: int
    ) -> list[EntrySummary]:
        """One page of the entries that match ``text``, as ``Library.search`` documents it (it
        holds the defaults)."""
        found = search_sql(text, filters or Filters())
        if found is None or not found.ranked:
            sort = "newest" if sort == "relevance" else sort
        if found is None:
            return self.list(filters, sort, limit, offset)
        order = order_sql(sort, searching=found.ranked)
        return self._page(found.source, order, found.params, limit, offset)

    def _page(
        self, source: str, order: str, params: list[Any], limit: int, offset: int
    ) -> list[EntrySummary]:
        """Summaries of the rows of ``source`` (a ``FROM`` body) in ``order``: ``limit`` rows
        from row ``offset``."""
        sql = f"SELECT {SUMMARY_COLUMNS} FROM {source} ORDER BY {order} LIMIT ? OFFSET ?"
        return self._summaries(self._query(sql, [*params, int(limit), max(0, int(offset))]))

    def count(self, text: str | None = None, filters: Filters | None = None) -> int:
        """How many entries :meth:`search` (with ``text``) or :meth:`list` would page through."""
        found = search_sql(text, filters or Filters()) if text else None
        if found is None:
            where, params = filters_sql(filters or Filters())
            return int(self._query(f"SELECT count(*) FROM entries e WHERE {where}", params)[0][0])
        return int(self._query(f"SELECT count(*) FROM {found.source}", found.params)[0][0])

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

    def find_by_sha256(self, sha256: str) -> str | None:
        """The id of the entry whose video (or imported original) has this SHA-256, if any."""
        rows = self._query(
            "SELECT id FROM entries WHERE video_sha256 = ? OR source_sha256 = ? LIMIT 1",
            (sha256, sha256),
        )
        return rows[0][0] if rows else None


def _entry_paths(folder: Path, files: dict[str, Any]) -> dict[str, Path | None]:
    """The entry's file paths under ``folder`` (each name checked; the video is required)."""

    def file(key: str) -> Path | None:
        name = files.get(key)
        return folder / check_file_name(name) if name else None

    return {
        "video_path": folder / check_file_name(files["video"]),
        "image_path": file("image"),
        "audio_path": file("audio"),
        "poster_path": file("poster"),
        "last_frame_path": file("last_frame"),
        "sidecar_path": folder / SIDECAR_NAME,
    }


_ROW_FIELDS = (
    "seed",
    "actual_prompt",
    "request_id",
    "endpoint",
    "cost_usd",
    "parent_id",
    "width",
    "height",
    "duration_s",
    "resolution",
    "video_sha256",
    "size_bytes",
    "group_id",
    "variant",
    "rating",
    "flag",
    "take",
)


def _row_fields(row: dict[str, Any]) -> dict[str, Any]:
    """The :class:`Entry` fields taken as they are from the sidecar's index row."""
    return {name: row[name] for name in _ROW_FIELDS}
