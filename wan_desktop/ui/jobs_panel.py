"""The jobs panel: a list model over ``JobSnapshot``s, a delegate that paints each job, and the
``jobsView`` with its actions (cancel, retry, remove, show log, play).

Model/view in napari's manner: named roles, ``data()`` a flat switch on the role, the view
receives the model. Thumbnails in FeelUOwn's manner: ``data()`` returns the cached ``QImage``
or nothing, each input image is decoded once in the background, and only the rows showing it
are updated when it arrives.
"""

from __future__ import annotations

import enum
import time
from collections import OrderedDict
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QColor, QFont, QFontMetrics, QImage, QPainter, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListView,
    QMenu,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..jobs.model import JobEvent, JobSnapshot, JobState
from .async_bridge import TaskKeeper, run_blocking
from .theme import colors, set_role

__all__ = ["JobRole", "JobsModel", "JobsPanel", "format_duration"]

THUMB_PX = 64
_THUMB_CACHE_MAX = 200
_LOG_LINES_SHOWN = 8


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


def format_duration(seconds: float | None) -> str:
    """``0:07``, ``1:02:03``; empty for ``None``."""
    if seconds is None:
        return ""
    s = max(0, round(seconds))
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _excerpt(text: str, limit: int = 90) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class JobsModel(QAbstractListModel):
    """One row per job, newest first. Fed by :meth:`apply_event` (runner events)."""

    def __init__(self, tasks: TaskKeeper | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self._rows: list[JobSnapshot] = []
        self._received: dict[str, float] = {}  # monotonic time each snapshot arrived (ETA)
        self._expanded: set[str] = set()
        self._thumbs: OrderedDict[str, QImage] = OrderedDict()
        self._thumb_pending: set[str] = set()
        self._tasks = tasks

    # ---- Qt model API ---------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def roleNames(self) -> dict[int, bytes]:  # Qt override
        names = super().roleNames()
        for role in JobRole:
            names[int(role)] = role.name[0].lower().encode() + role.name[1:].encode()
        return names

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        job = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, JobRole.PromptExcerpt):
            return _excerpt(job.request.prompt)
        if role == Qt.ItemDataRole.ToolTipRole:
            return job.request.prompt
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{job.state.label}: {_excerpt(job.request.prompt, 60)}"
        if role == JobRole.Id:
            return job.id
        if role == JobRole.Snapshot:
            return job
        if role == JobRole.State:
            return job.state
        if role == JobRole.QueuePosition:
            return job.queue_position
        if role == JobRole.ElapsedSeconds:
            return self._elapsed(job)
        if role == JobRole.EtaSeconds:
            return self._eta(job)
        if role == JobRole.Progress:
            return job.progress
        if role == JobRole.Logs:
            return list(job.logs)
        if role == JobRole.Error:
            return job.error
        if role == JobRole.Thumbnail:
            return self._thumbnail(job)
        if role == JobRole.Expanded:
            return job.id in self._expanded
        if role == JobRole.StatusLine:
            return self.status_line(job)
        return None

    # ---- feeding --------------------------------------------------------------------------

    def apply_event(self, event: JobEvent) -> None:
        """Insert, update or remove the event's job (called on the GUI/loop thread)."""
        job = event.job
        row = self.row_of(job.id)
        if event.kind == "removed":
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

    def row_of(self, job_id: str) -> int:
        for i, job in enumerate(self._rows):
            if job.id == job_id:
                return i
        return -1

    def job(self, job_id: str) -> JobSnapshot | None:
        row = self.row_of(job_id)
        return self._rows[row] if row >= 0 else None

    def jobs(self) -> list[JobSnapshot]:
        return list(self._rows)

    def set_expanded(self, job_id: str, expanded: bool) -> None:
        (self._expanded.add if expanded else self._expanded.discard)(job_id)
        row = self.row_of(job_id)
        if row >= 0:
            index = self.index(row)
            self.dataChanged.emit(index, index)
            # The row's height changes: let the view re-ask sizeHint.
            self.layoutChanged.emit()

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
        path = job.input_image_path or job.request.image
        if not path or path.startswith(("http://", "https://", "data:")):
            return None
        image = self._thumbs.get(path)
        if image is not None:
            self._thumbs.move_to_end(path)
            return image
        if self._tasks is not None and path not in self._thumb_pending:
            self._thumb_pending.add(path)
            self._tasks.spawn(self._load_thumbnail(path), "Job thumbnail", self)
        return None

    async def _load_thumbnail(self, path: str) -> None:
        try:
            info = await run_blocking(read_image_preview, path)
        finally:
            self._thumb_pending.discard(path)
        if info is None:
            return
        self._thumbs[path] = info
        while len(self._thumbs) > _THUMB_CACHE_MAX:
            self._thumbs.popitem(last=False)
        for row, job in enumerate(self._rows):  # re-find rows by path: the list may have changed
            if (job.input_image_path or job.request.image) == path:
                index = self.index(row)
                self.dataChanged.emit(index, index, [JobRole.Thumbnail])


def read_image_preview(path: str) -> QImage | None:
    """A small preview of an input image. Worker thread only."""
    from PySide6.QtGui import QImageReader

    reader = QImageReader(path)
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid():
        reader.setScaledSize(
            size.scaled(
                QSize(THUMB_PX * 2, THUMB_PX * 2), Qt.AspectRatioMode.KeepAspectRatioByExpanding
            )
        )
    image = reader.read()
    return None if image.isNull() else image


_STATE_COLORS = {
    JobState.DONE: "ok",
    JobState.FAILED: "error",
    JobState.CANCELLED: "muted",
}


class JobDelegate(QStyledItemDelegate):
    """Paints a job: thumbnail, prompt, state line, progress bar, last log line or error."""

    PAD = 8

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        fm = QFontMetrics(option.font)
        height = max(THUMB_PX, fm.height() * 3 + 16) + 2 * self.PAD
        if index.data(JobRole.Expanded):
            logs = index.data(JobRole.Logs) or []
            height += fm.height() * max(1, min(len(logs), _LOG_LINES_SHOWN)) + self.PAD
        return QSize(320, height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        job: JobSnapshot = index.data(JobRole.Snapshot)
        if job is None:
            return
        painter.save()
        palette = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(
                option.rect,
                palette.color(QPalette.ColorRole.Highlight),
            )
        elif index.row() % 2:
            painter.fillRect(option.rect, palette.color(QPalette.ColorRole.AlternateBase))
        text_color = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        c = colors()
        r = option.rect.adjusted(self.PAD, self.PAD, -self.PAD, -self.PAD)
        thumb_rect = QRect(r.left(), r.top(), THUMB_PX, THUMB_PX)
        image: QImage | None = index.data(JobRole.Thumbnail)
        if image is not None:
            src = image.size().scaled(thumb_rect.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(0, 0, src.width(), src.height())
            target.moveCenter(thumb_rect.center())
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(target, image)
        else:
            painter.fillRect(thumb_rect, palette.color(QPalette.ColorRole.Mid))
        x = thumb_rect.right() + self.PAD + 4
        width = r.right() - x
        fm = QFontMetrics(option.font)
        line_h = fm.height()
        bold = QFont(option.font)
        bold.setWeight(QFont.Weight.DemiBold)
        painter.setFont(bold)
        painter.setPen(text_color)
        prompt = QFontMetrics(bold).elidedText(
            index.data(JobRole.PromptExcerpt) or "", Qt.TextElideMode.ElideRight, width
        )
        painter.drawText(
            QRect(x, r.top(), width, line_h),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            prompt,
        )
        painter.setFont(option.font)
        state_key = _STATE_COLORS.get(job.state)
        state_color = QColor(getattr(c, state_key)) if state_key and not selected else text_color
        if not state_key and not selected:
            state_color = QColor(c.accent)
        painter.setPen(state_color)
        status = fm.elidedText(
            index.data(JobRole.StatusLine) or "", Qt.TextElideMode.ElideRight, width
        )
        painter.drawText(
            QRect(x, r.top() + line_h + 4, width, line_h),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            status,
        )
        third = QRect(x, r.top() + 2 * line_h + 10, width, line_h)
        if job.state is JobState.FAILED and job.error:
            painter.setPen(QColor(c.error) if not selected else text_color)
            painter.drawText(
                third,
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                fm.elidedText(job.error, Qt.TextElideMode.ElideRight, width),
            )
        elif not job.state.is_final:
            bar_rect = QRect(x, third.top() + line_h // 2 - 3, min(width, 260), 6)
            _draw_progress(painter, bar_rect, job.progress, selected, palette)
            last = job.logs[-1] if job.logs else ""
            if last:
                painter.setPen(QColor(c.muted) if not selected else text_color)
                lx = bar_rect.right() + 10
                painter.drawText(
                    QRect(lx, third.top(), r.right() - lx, line_h),
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                    fm.elidedText(last, Qt.TextElideMode.ElideRight, r.right() - lx),
                )
        else:
            note = (
                "Double-click to play"
                if job.state is JobState.DONE
                else (job.logs[-1] if job.logs else "")
            )
            painter.setPen(QColor(c.muted) if not selected else text_color)
            painter.drawText(
                third,
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                fm.elidedText(note, Qt.TextElideMode.ElideRight, width),
            )
        if index.data(JobRole.Expanded):
            logs = (index.data(JobRole.Logs) or [])[-_LOG_LINES_SHOWN:] or ["(no log lines yet)"]
            mono = QFont("Monospace")
            mono.setStyleHint(QFont.StyleHint.TypeWriter)
            mono.setPointSizeF(option.font.pointSizeF() * 0.9)
            painter.setFont(mono)
            painter.setPen(QColor(c.muted) if not selected else text_color)
            y = r.top() + max(THUMB_PX, line_h * 3 + 16) + self.PAD
            mfm = QFontMetrics(mono)
            for line in logs:
                painter.drawText(
                    QRect(r.left(), y, r.width(), line_h),
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                    mfm.elidedText(line, Qt.TextElideMode.ElideRight, r.width()),
                )
                y += line_h
        painter.setPen(palette.color(QPalette.ColorRole.Mid))
        painter.drawLine(option.rect.bottomLeft(), option.rect.bottomRight())
        painter.restore()


def _draw_progress(
    painter: QPainter, rect: QRect, progress: float | None, selected: bool, palette: QPalette
) -> None:
    """A slim rounded bar; ``None`` progress (unknown) shows a segment that slides."""
    c = colors()
    groove = QColor(255, 255, 255, 70) if selected else palette.color(QPalette.ColorRole.Mid)
    fill = QColor("#ffffff") if selected else QColor(c.accent)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(groove)
    painter.drawRoundedRect(rect, 3, 3)
    painter.setBrush(fill)
    if progress is None:
        span = rect.width() // 3
        phase = (time.monotonic() % 2.0) / 2.0
        left = rect.left() + int((rect.width() - span) * phase)
        painter.drawRoundedRect(QRect(left, rect.top(), span, rect.height()), 3, 3)
    else:
        done = int(rect.width() * max(0.0, min(1.0, progress)))
        if done > 0:
            painter.drawRoundedRect(QRect(rect.left(), rect.top(), done, rect.height()), 3, 3)
    painter.restore()


class _JobsView(QListView):
    """The list; says what to do when there is nothing in it yet."""

    EMPTY_TEXT = "No jobs yet. Compose on the left and press Generate (Ctrl+Enter)."

    def paintEvent(self, event) -> None:  # Qt override
        super().paintEvent(event)
        if self.model() is not None and self.model().rowCount() == 0:
            painter = QPainter(self.viewport())
            painter.setPen(QColor(colors().muted))
            painter.drawText(
                self.viewport().rect().adjusted(16, 16, -16, -16),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                self.EMPTY_TEXT,
            )


class JobsPanel(QWidget):
    """The ``jobsView`` list with its action buttons. Emits requests; the window acts on them."""

    cancelRequested = Signal(str)
    retryRequested = Signal(str)
    removeRequested = Signal(str)
    playRequested = Signal(str)

    def __init__(self, model: JobsModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model
        self.view = _JobsView()
        self.view.setObjectName("jobsView")
        self.view.setAccessibleName("Jobs")
        self.view.setModel(model)
        self.view.setItemDelegate(JobDelegate(self.view))
        self.view.setUniformItemSizes(False)
        self.view.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.setSelectionMode(QListView.SelectionMode.SingleSelection)

        title = QLabel("Jobs")
        set_role(title, "heading")
        self.summary = QLabel()
        self.summary.setObjectName("jobsSummary")
        self.summary.setAccessibleName("Jobs summary")
        set_role(self.summary, "muted")

        st = QStyle.StandardPixmap
        self.cancel_button = self._button(
            "jobCancelButton", "Cancel", st.SP_DialogCancelButton, "Cancel the selected job"
        )
        self.retry_button = self._button(
            "jobRetryButton", "Retry", st.SP_BrowserReload, "Run the selected job again"
        )
        self.remove_button = self._button(
            "jobRemoveButton", "Remove", st.SP_TrashIcon, "Remove the selected job from the list"
        )
        self.log_button = self._button(
            "jobLogButton", "Log", st.SP_FileDialogDetailedView, "Show or hide the job's log lines"
        )
        self.log_button.setCheckable(True)
        self.play_button = self._button(
            "jobPlayButton", "Play", st.SP_MediaPlay, "Play the video of the selected job"
        )

        header = QHBoxLayout()
        header.addWidget(title)
        header.addWidget(self.summary, 1)
        for b in (
            self.play_button,
            self.log_button,
            self.cancel_button,
            self.retry_button,
            self.remove_button,
        ):
            header.addWidget(b)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(header)
        layout.addWidget(self.view, 1)

        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._timer.start()
        self.view.selectionModel().currentChanged.connect(self._on_selection_current_changed)
        self.view.doubleClicked.connect(self._on_view_double_clicked)
        self.view.customContextMenuRequested.connect(self._on_view_custom_context_menu_requested)
        model.rowsInserted.connect(self._on_model_rows_changed)
        model.rowsRemoved.connect(self._on_model_rows_changed)
        model.modelReset.connect(self._on_model_rows_changed)
        model.dataChanged.connect(self._on_model_data_changed)
        self.cancel_button.clicked.connect(lambda: self._emit(self.cancelRequested))
        self.retry_button.clicked.connect(lambda: self._emit(self.retryRequested))
        self.remove_button.clicked.connect(lambda: self._emit(self.removeRequested))
        self.play_button.clicked.connect(lambda: self._emit(self.playRequested))
        self.log_button.toggled.connect(self._on_log_button_toggled)
        self._sync()

    def _button(self, name: str, text: str, pixmap: QStyle.StandardPixmap, tip: str) -> QToolButton:
        b = QToolButton()
        b.setObjectName(name)
        b.setAccessibleName(text)
        b.setText(text)
        b.setToolTip(tip)
        b.setIcon(QApplication.style().standardIcon(pixmap))
        b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        b.setAutoRaise(True)
        return b

    def current_job(self) -> JobSnapshot | None:
        index = self.view.currentIndex()
        return index.data(JobRole.Snapshot) if index.isValid() else None

    def select_job(self, job_id: str) -> None:
        row = self.model.row_of(job_id)
        if row >= 0:
            self.view.setCurrentIndex(self.model.index(row))

    def _emit(self, signal) -> None:
        job = self.current_job()
        if job is not None:
            signal.emit(job.id)

    def _sync(self) -> None:
        job = self.current_job()
        self.cancel_button.setEnabled(job is not None and not job.state.is_final)
        self.retry_button.setEnabled(
            job is not None and job.state in (JobState.FAILED, JobState.CANCELLED)
        )
        self.remove_button.setEnabled(job is not None and job.state.is_final)
        self.play_button.setEnabled(job is not None and job.state is JobState.DONE)
        self.log_button.setEnabled(job is not None)
        with_block = self.log_button.blockSignals(True)
        self.log_button.setChecked(
            job is not None and bool(self.model.data(self.view.currentIndex(), JobRole.Expanded))
        )
        self.log_button.blockSignals(with_block)
        jobs = self.model.jobs()
        active = sum(1 for j in jobs if not j.state.is_final)
        done = sum(1 for j in jobs if j.state is JobState.DONE)
        failed = sum(1 for j in jobs if j.state is JobState.FAILED)
        bits = []
        if active:
            bits.append(f"{active} running")
        if done:
            bits.append(f"{done} done")
        if failed:
            bits.append(f"{failed} failed")
        self.summary.setText(" · ".join(bits))
        self.view.viewport().update()

    # ---- slots ----------------------------------------------------------------------------

    def _on_timer_timeout(self) -> None:
        self.model.tick()

    def _on_selection_current_changed(self, *_args: object) -> None:
        self._sync()

    def _on_model_rows_changed(self, *_args: object) -> None:
        self._sync()

    def _on_model_data_changed(self, *_args: object) -> None:
        roles = _args[2] if len(_args) > 2 else []
        if roles and set(roles) <= {JobRole.ElapsedSeconds, JobRole.EtaSeconds, JobRole.Thumbnail}:
            return
        self._sync()

    def _on_view_double_clicked(self, index: QModelIndex) -> None:
        job = index.data(JobRole.Snapshot)
        if job is not None and job.state is JobState.DONE:
            self.playRequested.emit(job.id)
        elif job is not None:
            self.model.set_expanded(job.id, not index.data(JobRole.Expanded))

    def _on_log_button_toggled(self, checked: bool) -> None:
        job = self.current_job()
        if job is not None:
            self.model.set_expanded(job.id, checked)

    def _on_view_custom_context_menu_requested(self, pos) -> None:
        index = self.view.indexAt(pos)
        if not index.isValid():
            return
        self.view.setCurrentIndex(index)
        menu = QMenu(self)
        for button in (
            self.play_button,
            self.log_button,
            self.cancel_button,
            self.retry_button,
            self.remove_button,
        ):
            action = QAction(button.icon(), button.text(), menu)
            action.setEnabled(button.isEnabled())
            action.triggered.connect(button.click)
            menu.addAction(action)
        menu.exec(self.view.viewport().mapToGlobal(pos))
