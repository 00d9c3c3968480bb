"""The library as a Qt list model: pages of ``EntrySummary`` rows, fetched as the view scrolls.

Roles, ``data()`` and thumbnails come from :class:`~.role_model.RoleListModel` (napari's
named roles, FeelUOwn's thumbnails once per key); the model knows nothing of the view. Every
library call runs in the executor; results come back with the query generation they were
asked for, and a result for an older query (the user typed again) is dropped. A row without
its poster yet shows a placeholder.
"""

from __future__ import annotations

import enum
import functools
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import QColor, QImage, QLinearGradient, QPainter

from ..core.text import excerpt
from ..library import EntrySummary, Filters
from ..library.search import search_word_problems
from .async_bridge import TaskKeeper, run_blocking
from .formats import format_duration, local_time
from .plain_text import tooltip_text
from .proxy_jobs import ProxyJobs
from .role_model import RoleListModel
from .scrub_frames import ScrubFrames
from .thumbnail_cache import BackgroundImageLoader, ImageCache, read_thumbnail

__all__ = [
    "PAGE_SIZE",
    "THUMB_SIZE",
    "LibraryModel",
    "LibraryQuery",
    "LibraryRole",
    "format_count",
    "format_duration",
    "local_time",
    "mime_for_paths",
    "replace_summary",
    "summary_of_entry",
]

PAGE_SIZE = 100
THUMB_SIZE = QSize(200, 112)  # logical px; decoded at the screen's pixel ratio
_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
_NO_FILTERS = Filters()


class LibraryRole(enum.IntEnum):
    """The model's item roles (beyond Qt's display, tooltip and accessible text)."""

    Id = Qt.ItemDataRole.UserRole + 1
    Summary = enum.auto()  # the EntrySummary
    Title = enum.auto()  # the title, else the prompt's first line
    Prompt = enum.auto()
    CreatedAt = enum.auto()  # ISO 8601 UTC string
    Seed = enum.auto()
    DurationSeconds = enum.auto()
    Resolution = enum.auto()  # "1080p"
    PixelSize = enum.auto()  # QSize(width, height)
    Favourite = enum.auto()
    HasAudio = enum.auto()
    Thumbnail = enum.auto()  # QImage: the poster, a scrub frame, or the placeholder
    ThumbnailLoaded = enum.auto()  # False while the placeholder shows
    ThumbnailMissing = enum.auto()  # True when there is no poster to show (never will be)
    ScrubPosition = enum.auto()  # 0..1 while the pointer scrubs this row, else None
    PosterPath = enum.auto()
    Rating = enum.auto()  # 0..5 stars (0: not rated)
    Flag = enum.auto()  # "", "picked" or "rejected"
    GroupId = enum.auto()  # the take group, or None
    Variant = enum.auto()  # the take's label in its group ("seed 1234"), or ""


@dataclass(frozen=True, slots=True)
class LibraryQuery:
    """What the view shows: search ``text`` (empty: everything), ``filters`` and ``sort``."""

    text: str = ""
    filters: Filters = _NO_FILTERS
    sort: str = "newest"

    @property
    def is_plain(self) -> bool:
        """Newest first, nothing searched or filtered: a new result belongs at the top."""
        return not self.text.strip() and self.filters == Filters() and self.sort == "newest"


def format_count(n: int, trashed: bool = False) -> str:
    """``1,234 clips`` / ``1 clip`` / ``3 in the trash``."""
    if trashed:
        return f"{n:,} in the trash"
    return f"{n:,} clip" if n == 1 else f"{n:,} clips"


def summary_of_entry(entry: Any) -> EntrySummary:
    """The list row of a whole ``Entry`` (its take fields too, when it has them)."""
    return EntrySummary(
        entry.id,
        entry.created_at,
        entry.prompt,
        entry.title,
        entry.seed,
        entry.duration_s,
        entry.resolution,
        entry.width,
        entry.height,
        entry.favourite,
        entry.has_audio,
        str(entry.poster_path) if entry.poster_path else None,
        getattr(entry, "group_id", None),
        getattr(entry, "variant", ""),
        getattr(entry, "rating", 0),
        getattr(entry, "flag", ""),
        getattr(entry, "take", 0),
    )


def _matches(summary: EntrySummary, filters: Filters) -> bool:
    """Whether a live row passes ``filters`` (the ones a new result can be checked against
    without the database)."""
    if filters.trashed or filters.tag or filters.created_from or filters.created_to:
        return False
    if filters.silent is not None:  # in the recorded request, not in the row: ask the index
        return False
    if filters.favourite is not None and summary.favourite != filters.favourite:
        return False
    if filters.resolution and summary.resolution != filters.resolution:
        return False
    if filters.min_rating is not None and summary.rating < filters.min_rating:
        return False
    if filters.flag is not None and summary.flag != filters.flag:
        return False
    if filters.group_id is not None and summary.group_id != filters.group_id:
        return False
    if filters.min_duration_s is not None and summary.duration_s < filters.min_duration_s:
        return False
    if filters.max_duration_s is not None and summary.duration_s > filters.max_duration_s:
        return False
    return filters.has_audio is None or summary.has_audio == filters.has_audio


@functools.cache
def _placeholder(width: int, height: int) -> QImage:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    gradient = QLinearGradient(0, 0, width, height)
    gradient.setColorAt(0, QColor("#d9d9e3"))
    gradient.setColorAt(1, QColor("#c4c4d2"))
    painter.fillRect(image.rect(), gradient)
    painter.end()
    return image


def _page(library: Any, query: LibraryQuery, offset: int, with_count: bool):
    """One page (and the total) of ``query``: worker thread. A search word out of range
    (``rating:9``) finds nothing here; the empty grid says which word and why."""
    if search_word_problems(query.text):
        return [], 0
    if query.text.strip():
        rows = library.search(
            query.text, query.filters, sort=query.sort, limit=PAGE_SIZE, offset=offset
        )
    else:
        rows = library.list(query.filters, sort=query.sort, limit=PAGE_SIZE, offset=offset)
    total = library.count(query.text or None, query.filters) if with_count else None
    return rows, total


class LibraryModel(RoleListModel):
    """Rows of the library for ``libraryView``.

    ``countChanged(total)`` after each query; ``queryApplied(generation)`` when a query's first
    page is in (the bench measures to it); ``pageLoaded(rows)`` after each further page.
    """

    countChanged = Signal(int)
    queryApplied = Signal(int)
    pageLoaded = Signal(int)
    busyChanged = Signal(bool)

    ROLES = LibraryRole
    THUMBNAIL_ROLE = LibraryRole.Thumbnail

    def __init__(self, tasks: TaskKeeper, parent: QObject | None = None):
        super().__init__(
            ImageCache(max_bytes=64 << 20, max_count=2000),
            BackgroundImageLoader(concurrency=2),
            parent,
        )
        self.tasks = tasks
        self.library: Any = None
        self.query = LibraryQuery()
        self.generation = 0
        self.device_pixel_ratio = 1.0
        self.thumb_scale = 1  # posters decoded this many times THUMB_SIZE (wide grid cards)
        self._rows: list[EntrySummary] = []
        self._row_of: dict[str, int] = {}
        self._total = 0
        self._fetching = False
        self._busy = False
        # Proxies are made in the background for the cards painted; hovering a card scrubs
        # its proxy, one frame decoded on demand at a time.
        self.proxies = ProxyJobs(self)
        self.scrub = ScrubFrames(self.proxies, self)
        self.scrub.changed.connect(self._on_scrub_changed)
        # Both workers stop (and are waited for) before the objects they signal through go.
        self.destroyed.connect(
            functools.partial(_close_workers, self.proxies.queue, self.scrub.worker)
        )
        self.last_query_ms = 0.0
        self._video_paths: dict[str, Path] = {}

    # ---- Qt overrides -------------------------------------------------------------------------

    def canFetchMore(self, parent: _Index = _ROOT) -> bool:  # Qt override
        return (
            not parent.isValid()
            and self.library is not None
            and not self._fetching
            and len(self._rows) < self._total
        )

    def fetchMore(self, parent: _Index = _ROOT) -> None:  # Qt override
        if not self.canFetchMore(parent):
            return
        self._fetching = True
        # Owned by the model: a page still loading when the model goes is cancelled, never
        # applied to a deleted model.
        self.tasks.spawn(
            self._fetch_page(self.generation, len(self._rows)), "Load the library", self
        )

    def mimeTypes(self) -> list[str]:  # Qt override
        return ["text/uri-list", "text/plain"]

    def mimeData(self, indexes) -> QMimeData:  # Qt override
        """The clips as file URLs, for other apps (a drag out of the grid)."""
        paths = []
        for index in indexes:
            s = self.summary(index.row())
            path = self.video_path(s.id) if s is not None else None
            if path is not None and path not in paths:
                paths.append(path)
        return mime_for_paths(paths)

    def supportedDragActions(self) -> Qt.DropAction:  # Qt override
        return Qt.DropAction.CopyAction

    def flags(self, index: _Index) -> Qt.ItemFlag:  # Qt override
        base = super().flags(index)
        return base | Qt.ItemFlag.ItemIsDragEnabled if index.isValid() else base

    def role_table(self) -> dict[int, Any]:
        """The flat switch of ``data()``: each role and how a row's summary answers it."""
        title = _title_of
        return {
            Qt.ItemDataRole.DisplayRole: title,
            Qt.ItemDataRole.ToolTipRole: self._tooltip,
            Qt.ItemDataRole.AccessibleTextRole: _accessible_text,
            LibraryRole.Id: lambda s: s.id,
            LibraryRole.Summary: lambda s: s,
            LibraryRole.Title: title,
            LibraryRole.Prompt: lambda s: s.prompt,
            LibraryRole.CreatedAt: lambda s: s.created_at,
            LibraryRole.Seed: lambda s: s.seed,
            LibraryRole.DurationSeconds: lambda s: s.duration_s,
            LibraryRole.Resolution: lambda s: s.resolution,
            LibraryRole.PixelSize: lambda s: QSize(s.width, s.height),
            LibraryRole.Favourite: lambda s: s.favourite,
            LibraryRole.HasAudio: lambda s: s.has_audio,
            LibraryRole.Thumbnail: self._thumbnail,
            LibraryRole.ThumbnailLoaded: lambda s: (
                s.poster_file is not None and self._poster_key(s.poster_file) in self.cache
            ),
            LibraryRole.ThumbnailMissing: lambda s: (
                s.poster_file is None or self.thumbnail_failed(self._poster_key(s.poster_file))
            ),
            LibraryRole.ScrubPosition: lambda s: self.scrub.position(s.id),
            LibraryRole.PosterPath: lambda s: s.poster_file,
            LibraryRole.Rating: lambda s: s.rating,
            LibraryRole.Flag: lambda s: s.flag,
            LibraryRole.GroupId: lambda s: s.group_id,
            LibraryRole.Variant: lambda s: s.variant,
        }

    # ---- queries ------------------------------------------------------------------------------

    def set_library(self, library: Any) -> None:
        """Show ``library`` (a ``Library``; ``None`` empties the view)."""
        self.library = library
        self.refresh()

    def set_query(self, query: LibraryQuery) -> Any:
        """Show ``query``; returns the task (its first page replaces the rows when it lands,
        unless a newer query started meanwhile)."""
        self.query = query
        return self.refresh()

    def refresh(self) -> Any:
        """Run the current query again from its first page."""
        self.generation += 1
        generation = self.generation
        self._fetching = False
        self.forget_thumbnail_requests()  # posters asked for the old rows are now stale
        if self.library is None:
            self._apply_first_page(generation, [], 0)
            return None
        self._set_busy(True)
        return self.tasks.spawn(
            self._first_page(generation, self.query), "Search the library", self
        )

    async def _first_page(self, generation: int, query: LibraryQuery) -> None:
        start = time.perf_counter()
        rows, total = await run_blocking(_page, self.library, query, 0, True)
        if generation != self.generation:
            return  # a newer query is on its way: this answer is stale
        self.last_query_ms = (time.perf_counter() - start) * 1000
        self._apply_first_page(generation, rows, int(total or 0))

    def _apply_first_page(self, generation: int, rows: list[EntrySummary], total: int) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._row_of = {s.id: i for i, s in enumerate(self._rows)}
        self._total = total
        self.endResetModel()
        self._set_busy(False)
        self.countChanged.emit(total)
        self.queryApplied.emit(generation)

    async def _fetch_page(self, generation: int, offset: int) -> None:
        try:
            rows, _total = await run_blocking(_page, self.library, self.query, offset, False)
        finally:
            if generation == self.generation:
                self._fetching = False
        if generation != self.generation or offset != len(self._rows):
            return
        known = self._row_of
        rows = [s for s in rows if s.id not in known]  # a row added live may repeat
        if not rows:
            self._total = len(self._rows)
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self._rows.extend(rows)
        for i, s in enumerate(rows, first):
            known[s.id] = i
        self.endInsertRows()
        self.pageLoaded.emit(len(rows))

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busyChanged.emit(busy)

    def is_busy(self) -> bool:
        """Whether a query's first page is on its way."""
        return self._busy

    def total(self) -> int:
        """Rows the query has in all (loaded or not)."""
        return self._total

    # ---- rows ---------------------------------------------------------------------------------

    def summary(self, row: int) -> EntrySummary | None:
        """The summary at ``row``, or ``None``."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, item_id: str) -> int:
        """The row of the entry ``item_id`` or -1 (loaded rows only)."""
        return self._row_of.get(item_id, -1)

    def index_of(self, entry_id: str) -> QModelIndex:
        """The index of ``entry_id`` (invalid when it is not loaded)."""
        row = self.row_of(entry_id)
        return self.index(row) if row >= 0 else QModelIndex()

    def ids(self) -> list[str]:
        """The ids of the loaded rows, in order."""
        return [s.id for s in self._rows]

    def add_summary(self, summary: EntrySummary) -> bool:
        """A new entry (a finished job, an import): at the top when the view shows everything
        newest first, else the query runs again. ``True`` when it went in directly."""
        if summary.id in self._row_of:
            self.update_summary(summary)
            return True
        if not (
            self.query.is_plain
            or (
                self.query.sort == "newest"
                and not self.query.text.strip()
                and _matches(summary, self.query.filters)
            )
        ):
            self.refresh()
            return False
        self.beginInsertRows(QModelIndex(), 0, 0)
        self._rows.insert(0, summary)
        self._row_of = {s.id: i for i, s in enumerate(self._rows)}
        self._total += 1
        self.endInsertRows()
        self.countChanged.emit(self._total)
        return True

    def update_summary(self, summary: EntrySummary) -> None:
        """Replace the row of ``summary.id`` (after an edit); repaints that row only."""
        row = self._row_of.get(summary.id)
        if row is None:
            return
        self._rows[row] = summary
        index = self.index(row)
        self.dataChanged.emit(index, index, [])

    def set_favourite_local(self, entry_id: str, favourite: bool) -> None:
        """Show ``entry_id`` as (not) favourite before the library confirms it."""
        self.set_marks_local(entry_id, favourite=favourite)

    def set_marks_local(self, entry_id: str, **marks: Any) -> EntrySummary | None:
        """Show ``entry_id`` with ``marks`` (``favourite``, ``rating``, ``flag``) before the
        library confirms them; returns the row as it was (to put back if saving fails)."""
        row = self._row_of.get(entry_id)
        if row is None:
            return None
        old = self._rows[row]
        self.update_summary(replace_summary(old, **marks))
        return old

    def remove_id(self, entry_id: str) -> None:
        """Drop the row of ``entry_id`` (trashed, restored out of the trash view)."""
        self.scrub.forget(entry_id)
        # The folder is on its way to the trash: no proxy is made in it.
        self.proxies.forget(self.video_path(entry_id), entry_id)
        row = self._row_of.get(entry_id)
        if row is None:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        self._row_of = {s.id: i for i, s in enumerate(self._rows)}
        self._total = max(0, self._total - 1)
        self.endRemoveRows()
        self.countChanged.emit(self._total)

    # ---- thumbnails ---------------------------------------------------------------------------

    def thumb_box(self) -> QSize:
        """The thumbnail size in device pixels (``thumb_scale`` times ``THUMB_SIZE``)."""
        r = max(1.0, float(self.device_pixel_ratio)) * max(1, int(self.thumb_scale))
        return QSize(round(THUMB_SIZE.width() * r), round(THUMB_SIZE.height() * r))

    def placeholder(self) -> QImage:
        """The picture shown until a poster is decoded (or when there is none)."""
        box = self.thumb_box()
        return _placeholder(box.width(), box.height())

    def _thumbnail(self, s: EntrySummary) -> QImage:
        frame = self.scrub.image(s.id)
        if frame is not None:
            return frame
        if not self.query.filters.trashed:  # a live card on screen: its proxy, in time
            self.proxies.want(s.id, self.video_path(s.id))
        key = s.poster_file
        if key is None:
            return self.placeholder()
        decode = functools.partial(read_thumbnail, key, self.thumb_box())
        if self.thumb_scale > 1:  # a larger copy of its own; the small one shows meanwhile
            large = self.thumbnail(self._poster_key(key), s.id, decode)
            return large or self.cache.get(key) or self.placeholder()
        return self.thumbnail(key, s.id, decode) or self.placeholder()

    def _poster_key(self, poster: str) -> str:
        """The cache key of ``poster`` decoded at the current ``thumb_scale``."""
        return poster if self.thumb_scale <= 1 else f"{poster}@{self.thumb_scale}"

    # ---- scrubbing ----------------------------------------------------------------------------

    def set_scrub(self, entry_id: str | None, position: float = 0.0) -> None:
        """Show the frame at ``position`` (0..1 across the card) of ``entry_id``'s clip in its
        thumbnail (``None``: stop, the poster shows again). Frames are decoded from the
        clip's proxy in the background, on demand (:class:`~.scrub_frames.ScrubFrames`)."""
        path = self.video_path(entry_id) if entry_id is not None else None
        if path is None:
            self.scrub.leave()
            return
        self.scrub.hover(entry_id, path, position, self.thumb_box())

    def scrub_id(self) -> str | None:
        """The entry being scrubbed, or ``None``."""
        return self.scrub.hovered_id()

    def _on_scrub_changed(self, entry_id: str) -> None:
        self.changed_row(entry_id, [LibraryRole.Thumbnail, LibraryRole.ScrubPosition])

    # ---- helpers ------------------------------------------------------------------------------

    def _tooltip(self, s: EntrySummary) -> str:
        return tooltip_text(self._tooltip_lines(s))

    def _tooltip_lines(self, s: EntrySummary) -> str:
        parts = [s.title] if s.title else []
        prompt = s.prompt if len(s.prompt) <= 400 else s.prompt[:399] + "…"
        if prompt:
            parts.append(prompt)
        facts = [format_duration(s.duration_s), s.resolution or f"{s.width}×{s.height}"]
        if s.seed is not None:
            facts.append(f"seed {s.seed}")
        facts += _judgement(s)
        if s.variant:
            facts.append(f"take: {s.variant}")
        if s.has_audio:
            facts.append("audio")
        if s.favourite:
            facts.append("favourite")
        parts.append(" · ".join(facts) + " · " + local_time(s.created_at))
        return "\n".join(parts)

    def remember_video(self, entry_id: str, path: Path | str) -> None:
        """Note where an entry's clip is (learnt from a whole ``Entry``)."""
        self._video_paths[entry_id] = Path(path)

    def video_path(self, entry_id: str) -> Path | None:
        """The clip's path without a query (a drag cannot wait): known from a whole entry
        seen before, else the ``video.mp4`` beside the poster (every entry this app made or
        imported keeps it there)."""
        known = self._video_paths.get(entry_id)
        if known is not None:
            return known
        row = self._row_of.get(entry_id)
        if row is None or not self._rows[row].poster_file:
            return None
        return Path(self._rows[row].poster_file).with_name("video.mp4")


def _close_workers(proxy_queue: Any, hover_frames: Any, *_args: object) -> None:
    """The model is going away: end its proxy maker and its hover-frame decoder."""
    proxy_queue.close()
    hover_frames.close()


def mime_for_paths(paths: list[Path]) -> QMimeData:
    """File URLs for other apps (and the paths as text)."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    mime.setText("\n".join(str(p) for p in paths))
    return mime


def replace_summary(summary: EntrySummary, **changes: Any) -> EntrySummary:
    """A copy of ``summary`` with ``changes``."""
    return summary._replace(**changes)


def _title_of(s: EntrySummary) -> str:
    return s.title or excerpt(s.prompt, 120) or "Untitled"


def _judgement(s: EntrySummary) -> list[str]:
    """How the clip was judged, in words: ``["3 stars", "picked"]`` (nothing when it was not)."""
    words = []
    if s.rating:
        words.append("1 star" if s.rating == 1 else f"{s.rating} stars")
    if s.flag:
        words.append(s.flag)
    return words


def _accessible_text(s: EntrySummary) -> str:
    favourite = ", favourite" if s.favourite else ""
    audio = ", with audio" if s.has_audio else ""
    judged = "".join(f", {word}" for word in _judgement(s))
    title = s.title or excerpt(s.prompt, 120)
    return f"{title}, {format_duration(s.duration_s)}, {s.resolution}{favourite}{audio}{judged}"
