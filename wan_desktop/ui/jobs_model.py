"""The jobs as a Qt list model: one row per ``JobSnapshot``, newest first, fed by runner events.

Roles, ``data()`` and thumbnails come from :class:`~.role_model.RoleListModel`. A job's
thumbnail is its input image while it runs. Once it is done, its job folder (and the input
image in it) is gone: the picture then comes from the library entry the result was filed as.
"""

from __future__ import annotations

import enum
import functools
import time
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QModelIndex, QObject, QSize, Qt
from PySide6.QtGui import QImage

from ..core.text import excerpt
from ..jobs.model import JobEvent, JobEventKind, JobSnapshot, JobState
from .async_bridge import TaskKeeper
from .formats import format_duration
from .plain_text import tooltip_text
from .role_model import RoleListModel
from .thumbnail_cache import BackgroundImageLoader, ImageCache, read_thumbnail

__all__ = ["THUMB_PX", "JobRole", "JobsModel", "format_duration", "read_image_preview"]

THUMB_PX = 64
_THUMB_CACHE_MAX = 200
_PREVIEW_BOX = QSize(THUMB_PX * 2, THUMB_PX * 2)
_EXCERPT_CHARS = 90
_ACCESSIBLE_EXCERPT_CHARS = 60


class JobRole(enum.IntEnum):
    """Item data roles of :class:`JobsModel`."""

    Id = Qt.ItemDataRole.UserRole + 1
    Snapshot = Qt.ItemDataRole.UserRole + 2
    State = Qt.ItemDataRole.UserRole + 3
    PromptExcerpt = Qt.ItemDataRole.UserRole + 4
    QueuePosition = Qt.ItemDataRole.UserRole + 5
    ElapsedSeconds = Qt.ItemDataRole.UserRole + 6
    EtaSeconds = Qt.ItemDataRole.UserRole + 7
    Progress = Qt.ItemDataRole.UserRole + 8
    Logs = Qt.ItemDataRole.UserRole + 9
    Error = Qt.ItemDataRole.UserRole + 10
    Thumbnail = Qt.ItemDataRole.UserRole + 11
    Expanded = Qt.ItemDataRole.UserRole + 12
    StatusLine = Qt.ItemDataRole.UserRole + 13


class EntryPictures(Protocol):
    """What the model needs of a ``Library``: an entry by id (worker thread)."""

    def get(self, entry_id: str) -> Any: ...


def read_image_preview(path: str) -> QImage:
    """A small preview of the image at ``path`` (it covers twice the thumbnail's square, for
    sharp edges on high-density screens). Worker thread only. Raises ``OSError``."""
    return read_thumbnail(path, _PREVIEW_BOX, Qt.AspectRatioMode.KeepAspectRatioByExpanding)


def entry_preview(library: EntryPictures, entry_id: str) -> QImage:
    """A preview of entry ``entry_id``'s input image (its poster when it kept none).
    Worker thread only. Raises when the entry or its pictures are gone."""
    entry = library.get(entry_id)
    path = entry.image_path or entry.poster_path
    if path is None:
        raise OSError(f"entry {entry_id} has no picture")
    return read_image_preview(str(path))


def _input_image(job: JobSnapshot) -> str | None:
    """The job's local input image (``None`` when it was given as a URL)."""
    path = job.input_image_path or job.request.image
    if not path or path.startswith(("http://", "https://", "data:")):
        return None
    return path


class JobsModel(RoleListModel):
    """One row per job, newest first. Fed by :meth:`apply_event` (runner events). GUI thread.

    Thumbnails are loaded in the background when ``tasks`` is given (the window's keeper;
    a model built without one, and so without an event loop, shows none).
    """

    ROLES = JobRole
    THUMBNAIL_ROLE = JobRole.Thumbnail

    def __init__(self, tasks: TaskKeeper | None = None, parent: QObject | None = None):
        super().__init__(
            ImageCache(max_bytes=16 << 20, max_count=_THUMB_CACHE_MAX),
            BackgroundImageLoader(concurrency=2),
            parent,
        )
        self._rows: list[JobSnapshot] = []
        self._received: dict[str, float] = {}  # monotonic time each snapshot arrived (ETA)
        self._expanded: set[str] = set()
        self._load_thumbnails = tasks is not None
        self._library: EntryPictures | None = None

    def role_table(self) -> dict[int, Callable[[JobSnapshot], Any]]:
        """The flat switch of ``data()``: each role and how a job answers it."""
        prompt = _prompt_excerpt
        return {
            Qt.ItemDataRole.DisplayRole: prompt,
            Qt.ItemDataRole.ToolTipRole: lambda j: tooltip_text(j.request.prompt),
            Qt.ItemDataRole.AccessibleTextRole: lambda j: (
                f"{j.state.label}: {excerpt(j.request.prompt, _ACCESSIBLE_EXCERPT_CHARS)}"
            ),
            JobRole.Id: lambda j: j.id,
            JobRole.Snapshot: lambda j: j,
            JobRole.State: lambda j: j.state,
            JobRole.PromptExcerpt: prompt,
            JobRole.QueuePosition: lambda j: j.queue_position,
            JobRole.ElapsedSeconds: self._elapsed,
            JobRole.EtaSeconds: self._eta,
            JobRole.Progress: lambda j: j.progress,
            JobRole.Logs: lambda j: list(j.logs),
            JobRole.Error: lambda j: j.error,
            JobRole.Thumbnail: self._thumbnail,
            JobRole.Expanded: lambda j: j.id in self._expanded,
            JobRole.StatusLine: self.status_line,
        }

    # ---- feeding --------------------------------------------------------------------------

    def apply_event(self, event: JobEvent) -> None:
        """Insert, update or remove the event's job (called on the GUI/loop thread)."""
        job = event.job
        row = self.row_of(job.id)
        if event.kind == JobEventKind.REMOVED:
            if row >= 0:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[row]
                self.endRemoveRows()
                self._expanded.discard(job.id)
            return
        self._received[job.id] = time.monotonic()
        if row < 0:
            self.beginInsertRows(QModelIndex(), 0, 0)
            self._rows.insert(0, job)
            self.endInsertRows()
            return
        self._rows[row] = job
        index = self.index(row)
        self.dataChanged.emit(index, index)

    def set_jobs(self, jobs: list[JobSnapshot]) -> None:
        """Replace every row (newest first)."""
        self.beginResetModel()
        self._rows = sorted(jobs, key=lambda j: j.created_at, reverse=True)
        now = time.monotonic()
        self._received = {j.id: now for j in jobs}
        self.endResetModel()

    def set_library(self, library: EntryPictures | None) -> None:
        """Where finished jobs' pictures come from (a ``Library``; ``None``: nowhere, they
        keep their input image while it exists). Rows already shown ask again."""
        self._library = library
        for job in self._rows:
            if job.state is JobState.DONE:
                self.changed_row(job.id, [JobRole.Thumbnail])

    def row_of(self, item_id: str) -> int:
        """The row of job ``item_id``, or -1."""
        for i, job in enumerate(self._rows):
            if job.id == item_id:
                return i
        return -1

    def job(self, job_id: str) -> JobSnapshot | None:
        """The latest snapshot of ``job_id``, or ``None``."""
        row = self.row_of(job_id)
        return self._rows[row] if row >= 0 else None

    def jobs(self) -> list[JobSnapshot]:
        """Every job shown, newest first."""
        return list(self._rows)

    def set_expanded(self, job_id: str, expanded: bool) -> None:
        """Show (or hide) ``job_id``'s log lines under its row."""
        row = self.row_of(job_id)
        if row < 0:
            (self._expanded.add if expanded else self._expanded.discard)(job_id)
            return
        # The row's height changes: the view must lay its rows out again and re-ask sizeHint.
        self.layoutAboutToBeChanged.emit()
        (self._expanded.add if expanded else self._expanded.discard)(job_id)
        self.layoutChanged.emit()
        self.changed_row(job_id, [JobRole.Expanded])

    def tick(self) -> None:
        """Times move on: repaint rows of jobs that are not finished."""
        for row, job in enumerate(self._rows):
            if not job.state.is_final:
                index = self.index(row)
                self.dataChanged.emit(index, index, [JobRole.ElapsedSeconds, JobRole.EtaSeconds])

    # ---- derived values -------------------------------------------------------------------

    def _elapsed(self, job: JobSnapshot) -> float:
        if job.state.is_final or job.id not in self._received:
            return job.elapsed_s
        return job.elapsed_s + (time.monotonic() - self._received[job.id])

    def _eta(self, job: JobSnapshot) -> float | None:
        if job.eta_s is None or job.state.is_final:
            return None
        return max(
            0.0, job.eta_s - (time.monotonic() - self._received.get(job.id, time.monotonic()))
        )

    def status_line(self, job: JobSnapshot) -> str:
        """``Queued · #3 in the service's queue · 0:12 elapsed · about 0:40 left``."""
        parts = [job.state.label]
        if job.state is JobState.QUEUED and job.queue_position is not None:
            parts.append(f"#{job.queue_position + 1} in the service's queue")
        if job.state is JobState.WAITING:
            parts.append("waiting for a free slot")
        elapsed = self._elapsed(job)
        if elapsed >= 0.5 or job.state.is_final:
            parts.append(
                f"{format_duration(elapsed)} elapsed"
                if not job.state.is_final
                else f"took {format_duration(elapsed)}"
            )
        eta = self._eta(job)
        if eta is not None:
            parts.append(f"about {format_duration(eta)} left")
        if job.backend == "offline":
            parts.append("offline engine")
        return " · ".join(parts)

    def _thumbnail(self, job: JobSnapshot) -> QImage | None:
        if not self._load_thumbnails:
            return None
        path = _input_image(job)
        if job.state is JobState.DONE and job.entry_id and self._library is not None:
            decode = functools.partial(entry_preview, self._library, job.entry_id)
            image = self.thumbnail(f"entry:{job.entry_id}", job.id, decode)
            # Until the entry's picture lands, the input image seen while it ran stays.
            return image if image is not None or path is None else self.cache.get(path)
        if path is None:
            return None
        return self.thumbnail(path, job.id, functools.partial(read_image_preview, path))


def _prompt_excerpt(job: JobSnapshot) -> str:
    return excerpt(job.request.prompt, _EXCERPT_CHARS)
