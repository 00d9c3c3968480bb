"""The jobs as a Qt list model: one row per ``JobSnapshot``, fed by runner events.

Active jobs stay at the top: running ones, then the waiting ones in queue order, then the
finished ones, newest first (:mod:`.job_order`). A waiting job knows its place in line.

Roles, ``data()`` and thumbnails come from :class:`~.role_model.RoleListModel`. A job's
thumbnail is its input image, made from a picture of it already decoded where there is one
(:meth:`JobsModel.adopt_picture`: the drop zone's preview): a 33-megapixel input decoded again
just for a 64-pixel thumbnail held the interpreter lock for a quarter of a second. The same
thumbnail stays once the job is done. A finished job seen first after a restart takes the
poster of the library entry its result was filed as (a small JPEG of the clip's first frame,
which is the input image), since its job folder is gone by then.
The model also knows which of those entries are in the trash or gone (read from the library
when it is set, told by :meth:`JobsModel.mark_trashed` afterwards): their rows no longer offer
to play.
"""

from __future__ import annotations

import enum
import functools
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QModelIndex, QObject, QSize, Qt
from PySide6.QtGui import QImage

from ..core.text import excerpt
from ..jobs.model import JobEvent, JobEventKind, JobSnapshot, JobState
from .async_bridge import TaskKeeper, run_blocking
from .formats import format_duration
from .job_order import place_text, sort_key
from .plain_text import tooltip_text
from .role_model import RoleListModel
from .thumbnail_cache import BackgroundImageLoader, ImageCache, read_thumbnail

__all__ = [
    "THUMB_PX",
    "JobRole",
    "JobsModel",
    "entry_preview",
    "format_duration",
    "picture_preview",
    "read_image_preview",
]

THUMB_PX = 64
_THUMB_CACHE_MAX = 200
_PREVIEW_BOX = QSize(THUMB_PX * 2, THUMB_PX * 2)
#: Pictures lent by :meth:`JobsModel.adopt_picture` kept for jobs still to come (each about
#: 2–4 MB: the drop zone's preview is at most 1024 pixels a side).
_ADOPTED_MAX = 4
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
    #: ``3rd in line``, the service's queue position, or empty (see ``job_order.place_text``).
    Place = Qt.ItemDataRole.UserRole + 14
    #: The line under a finished job: how to play it, why it cannot be, or its last log line.
    Note = Qt.ItemDataRole.UserRole + 15
    #: Done, and its clip is in the library and not in the trash.
    Playable = Qt.ItemDataRole.UserRole + 16
    #: A take of a group: ``take 2 of 3 · prompt B · seed 12`` (``""`` for a job alone).
    Take = Qt.ItemDataRole.UserRole + 17
    #: A take's group id (``None`` for a job alone): rows of one group share a mark.
    GroupId = Qt.ItemDataRole.UserRole + 18


_TRASHED_NOTE = "The clip is in the trash"
_GONE_NOTE = "The clip is no longer in the library"


class EntryPictures(Protocol):
    """What the model needs of a ``Library``: an entry by id (worker thread)."""

    def get(self, entry_id: str) -> Any: ...


def read_image_preview(path: str) -> QImage:
    """A small preview of the image at ``path`` (it covers twice the thumbnail's square, for
    sharp edges on high-density screens). Worker thread only. Raises ``OSError``."""
    return read_thumbnail(path, _PREVIEW_BOX, Qt.AspectRatioMode.KeepAspectRatioByExpanding)


def picture_preview(picture: QImage) -> QImage:
    """The preview :func:`read_image_preview` would make, from a picture already decoded (it
    covers twice the thumbnail's square). Any thread; the loader runs it in a worker."""
    if picture.width() > _PREVIEW_BOX.width() and picture.height() > _PREVIEW_BOX.height():
        picture = picture.scaled(
            _PREVIEW_BOX,
            Qt.AspectRatioMode.KeepAspectRatioByExpanding,
            Qt.TransformationMode.SmoothTransformation,
        )
    return picture.convertToFormat(QImage.Format.Format_RGB32)


def entry_preview(library: EntryPictures, entry_id: str) -> QImage:
    """A preview of entry ``entry_id``: its poster (a small JPEG of the clip's first frame,
    which image-to-video makes from the input image), or the input image itself when it has
    no poster. Worker thread only. Raises when the entry or its pictures are gone."""
    entry = library.get(entry_id)
    path = entry.poster_path or entry.image_path
    if path is None:
        raise OSError(f"entry {entry_id} has no picture")
    return read_image_preview(str(path))


def entry_states(library: EntryPictures, entry_ids: list[str]) -> tuple[set[str], set[str]]:
    """``(trashed, gone)``: which of ``entry_ids`` are in the library's trash, and which it no
    longer has at all. Worker thread only."""
    trashed: set[str] = set()
    gone: set[str] = set()
    for entry_id in entry_ids:
        try:
            entry = library.get(entry_id)
        except Exception:  # any failure to find the entry reads as "not there"
            gone.add(entry_id)
            continue
        if getattr(entry, "trashed_at", None):
            trashed.add(entry_id)
    return trashed, gone


def _source_key(job: JobSnapshot) -> str:
    """The key of a job's input picture: the image the user gave, the same for the whole job
    (its copy in the job folder appears later and is gone once the job is done)."""
    return f"input:{job.request.image}"


def _input_image(job: JobSnapshot) -> str | None:
    """The job's local input image (``None`` when it was given as a URL)."""
    path = job.input_image_path or job.request.image
    if not path or path.startswith(("http://", "https://", "data:")):
        return None
    return path


class JobsModel(RoleListModel):
    """One row per job, active ones at the top. Fed by :meth:`apply_event` (runner events).
    GUI thread.

    Thumbnails are loaded, and the library asked which entries are in the trash, in the
    background when ``tasks`` is given (the window's keeper; a model built without one, and
    so without an event loop, does neither).
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
        self._tasks = tasks
        self._load_thumbnails = tasks is not None
        self._library: EntryPictures | None = None
        self._adopted: OrderedDict[str, QImage] = OrderedDict()  # source image → its picture
        # Queue order: the runner's order at set_jobs, then the order jobs were added in.
        self._sequence: dict[str, int] = {}
        self._places: dict[str, int] = {}  # 1-based place among jobs waiting for a slot
        self._trashed: set[str] = set()  # entry ids
        self._gone: set[str] = set()  # entry ids the library no longer has

    def role_table(self) -> dict[int, Callable[[JobSnapshot], Any]]:
        """The flat switch of ``data()``: each role and how a job answers it."""
        prompt = _prompt_excerpt
        return {
            Qt.ItemDataRole.DisplayRole: prompt,
            Qt.ItemDataRole.ToolTipRole: lambda j: tooltip_text(j.request.prompt),
            Qt.ItemDataRole.AccessibleTextRole: self._accessible_text,
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
            JobRole.Place: lambda j: place_text(j, self._places.get(j.id)),
            JobRole.Note: self._note,
            JobRole.Playable: self.is_playable,
            JobRole.Take: self.take_text,
            JobRole.GroupId: lambda j: j.group_id,
        }

    # ---- feeding --------------------------------------------------------------------------

    def apply_event(self, event: JobEvent) -> None:
        """Insert, update or remove the event's job, keeping the rows in order (called on the
        GUI/loop thread)."""
        job = event.job
        row = self.row_of(job.id)
        if event.kind == JobEventKind.REMOVED:
            if row >= 0:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[row]
                self.endRemoveRows()
                self._expanded.discard(job.id)
                self._sequence.pop(job.id, None)
                self._recount_places()
            return
        self._received[job.id] = time.monotonic()
        if job.id not in self._sequence:
            self._sequence[job.id] = max(self._sequence.values(), default=-1) + 1
        if row < 0:
            target = self._target_row(job)
            self.beginInsertRows(QModelIndex(), target, target)
            self._rows.insert(target, job)
            self.endInsertRows()
        else:
            self._rows[row] = job
            index = self.index(row)
            self.dataChanged.emit(index, index)
            self._move_into_place(row)
        self._recount_places()

    def set_jobs(self, jobs: list[JobSnapshot]) -> None:
        """Replace every row. ``jobs`` in queue order, as ``JobRunner.jobs()`` gives them."""
        self.beginResetModel()
        self._sequence = {j.id: i for i, j in enumerate(jobs)}
        self._rows = sorted(jobs, key=self._key)
        now = time.monotonic()
        self._received = {j.id: now for j in jobs}
        self._recount_places(notify=False)
        self.endResetModel()
        self._check_entries()

    def set_queue_order(self, job_ids: list[str]) -> None:
        """The runner's queue order changed (a waiting job was moved): ``job_ids`` in the new
        order, as ``JobRunner.jobs()`` gives them. The rows follow; selection and other
        persistent indexes stay on their jobs."""
        self._sequence = {job_id: i for i, job_id in enumerate(job_ids)}
        order = sorted(self._rows, key=self._key)
        if [j.id for j in order] == [j.id for j in self._rows]:
            return
        self.layoutAboutToBeChanged.emit()
        old_rows = {job.id: row for row, job in enumerate(self._rows)}
        self._rows = order
        before = [self.index(old_rows[job.id]) for job in order]
        after = [self.index(row) for row in range(len(order))]
        self.changePersistentIndexList(before, after)
        self.layoutChanged.emit()
        self._recount_places()

    def set_library(self, library: EntryPictures | None) -> None:
        """Where finished jobs' pictures come from (a ``Library``; ``None``: nowhere, they
        keep their input image while it exists). Rows already shown ask again, and the
        library is asked (in the background) which of their clips are in the trash."""
        self._library = library
        for job in self._rows:
            if job.state is JobState.DONE:
                self.changed_row(job.id, [JobRole.Thumbnail])
        self._check_entries()

    def adopt_picture(self, source: str, picture: QImage) -> None:
        """``picture`` is the image file ``source`` already decoded (the drop zone's preview):
        jobs sent from ``source`` make their thumbnail from it, never decoding the file again.
        A thumbnail already made for ``source`` is made again (the file may have changed).
        GUI thread."""
        key = f"input:{source}"
        self._adopted[key] = picture
        self._adopted.move_to_end(key)
        while len(self._adopted) > _ADOPTED_MAX:
            self._adopted.popitem(last=False)
        self._missing.discard(key)  # a failed read of the file is no reason to skip this
        if key in self.cache:
            self.cache.discard(key)
            for job in self._rows:
                if _source_key(job) == key:
                    self.changed_row(job.id, [JobRole.Thumbnail])

    def mark_trashed(self, entry_ids: list[str] | set[str], trashed: bool = True) -> None:
        """Library entries ``entry_ids`` went to the trash (or, with ``trashed=False``, came
        back): their jobs' rows stop (or start again) offering to play. GUI thread."""
        ids = set(entry_ids)
        if trashed:
            self._trashed |= ids
        else:
            self._trashed -= ids
            self._gone -= ids
        for job in self._rows:
            if job.entry_id in ids:
                self.changed_row(job.id, [JobRole.Note, JobRole.Playable])

    def is_playable(self, job: JobSnapshot) -> bool:
        """Done, with a clip that is in the library and not in the trash."""
        return (
            job.state is JobState.DONE
            and job.entry_id is not None
            and job.entry_id not in self._trashed
            and job.entry_id not in self._gone
        )

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
        """Every job shown, in the order shown (active ones first)."""
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

    # ---- order ----------------------------------------------------------------------------

    def _key(self, job: JobSnapshot) -> tuple[int, float]:
        return sort_key(job, self._sequence.get(job.id, len(self._sequence)))

    def _target_row(self, job: JobSnapshot, skip: int = -1) -> int:
        """Where ``job`` belongs among the other rows (``skip``: its own row, left out)."""
        key = self._key(job)
        target = 0
        for row, other in enumerate(self._rows):
            if row != skip and self._key(other) <= key:
                target += 1
        return target

    def _move_into_place(self, row: int) -> None:
        """Move the row whose job changed to where its new state puts it (selection and
        other persistent indexes follow it)."""
        job = self._rows[row]
        target = self._target_row(job, skip=row)
        if target == row:
            return
        # Qt counts the destination before the move: one further when moving down.
        self.beginMoveRows(QModelIndex(), row, row, QModelIndex(), target + (target > row))
        del self._rows[row]
        self._rows.insert(target, job)
        self.endMoveRows()

    def _recount_places(self, *, notify: bool = True) -> None:
        """Number the jobs waiting for a slot in queue order; repaint those whose place
        changed."""
        waiting = [j.id for j in self._rows if j.state is JobState.WAITING]
        places = {job_id: i + 1 for i, job_id in enumerate(waiting)}
        changed = [
            i for i in places.keys() | self._places.keys() if places.get(i) != self._places.get(i)
        ]
        self._places = places
        if notify:
            for job_id in changed:
                self.changed_row(job_id, [JobRole.Place])

    def _check_entries(self) -> None:
        """Ask the library, in the background, which finished jobs' clips are in the trash."""
        library = self._library
        ids = [j.entry_id for j in self._rows if j.state is JobState.DONE and j.entry_id]
        if self._tasks is None or library is None or not ids:
            return
        self._tasks.spawn(self._read_entry_states(library, ids), "Read the clips' state", self)

    async def _read_entry_states(self, library: EntryPictures, ids: list[str]) -> None:
        trashed, gone = await run_blocking(entry_states, library, ids)
        if library is not self._library:  # another library came meanwhile
            return
        self._gone |= gone
        self.mark_trashed(trashed)
        for job in self._rows:
            if job.entry_id in gone:
                self.changed_row(job.id, [JobRole.Note, JobRole.Playable])

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
        """``Running · 0:12 elapsed · about 0:40 left`` (where a waiting job stands in line
        is its :attr:`JobRole.Place`)."""
        parts = [job.state.label]
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

    def take_text(self, job: JobSnapshot) -> str:
        """``take 2 of 3 · prompt B · seed 12``: where a take stands among its group's jobs
        in the list (in the order they were queued) and its label; ``""`` for a job that is
        not a take."""
        if job.group_id is None:
            return ""
        group = sorted(
            (j for j in self._rows if j.group_id == job.group_id),
            key=lambda j: (j.created_at, self._sequence.get(j.id, 0)),
        )
        place = next((n for n, j in enumerate(group, 1) if j.id == job.id), 1)
        head = f"take {place} of {len(group)}"
        return f"{head} · {job.variant}" if job.variant else head

    def _accessible_text(self, job: JobSnapshot) -> str:
        """``Waiting, 2nd in line: A heron lifts…`` (what the row shows, in one line)."""
        where = ""
        if job.state in (JobState.WAITING, JobState.QUEUED):
            where = place_text(job, self._places.get(job.id))
        elif job.state.is_final and job.entry_id in self._trashed | self._gone:
            where = self._note(job)
        head = f"{job.state.label}, {where[:1].lower()}{where[1:]}" if where else job.state.label
        take = self.take_text(job)
        if take:
            head = f"{head}, {take}"
        return f"{head}: {excerpt(job.request.prompt, _ACCESSIBLE_EXCERPT_CHARS)}"

    def _note(self, job: JobSnapshot) -> str:
        if job.state is JobState.DONE and job.entry_id in self._gone:
            return _GONE_NOTE
        if job.state is JobState.DONE and job.entry_id in self._trashed:
            return _TRASHED_NOTE
        if job.state is JobState.DONE:
            return "Double-click to play"
        return job.logs[-1] if job.logs else ""

    def _thumbnail(self, job: JobSnapshot) -> QImage | None:
        if not self._load_thumbnails:
            return None
        key = _source_key(job)
        if job.state is JobState.DONE and job.entry_id and self._library is not None:
            # The input seen while it ran is the picture the entry keeps: nothing to decode.
            image = self.cache.get(key)
            if image is not None:
                return image
            decode = functools.partial(entry_preview, self._library, job.entry_id)
            return self.thumbnail(f"entry:{job.entry_id}", job.id, decode)
        picture = self._adopted.get(key)
        if picture is not None:
            return self.thumbnail(key, job.id, functools.partial(picture_preview, picture))
        path = _input_image(job)
        if path is None:
            return None
        # No picture lent (a job resumed after a restart, or queued by a script): the file.
        return self.thumbnail(key, job.id, functools.partial(read_image_preview, path))


def _prompt_excerpt(job: JobSnapshot) -> str:
    return excerpt(job.request.prompt, _EXCERPT_CHARS)
