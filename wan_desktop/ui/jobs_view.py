"""``jobsView``: the jobs list, where the jobs still waiting in the local queue can be dragged
into another order (or moved with Alt+Up / Alt+Down).

Only waiting rows start a drag, and a drop only lands between waiting rows: the line drawn
while dragging shows where the job will go. The view never reorders anything itself: it
asks with ``moveRequested(job_id, index)`` (``index`` among the *other* waiting jobs, as
``JobRunner.move`` takes it), and the rows move when the runner says the queue changed.
GUI thread.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QMimeData, QPoint, QRect, Qt, Signal
from PySide6.QtGui import QColor, QDrag, QKeyEvent, QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import QAbstractItemView, QApplication, QListView, QWidget

from ..jobs.model import JobSnapshot, JobState
from .jobs_model import JobRole
from .theme import colors

__all__ = ["JOB_MIME", "JobsView", "drop_index"]

#: The drag payload: the job id, as UTF-8. Only this view reads it.
JOB_MIME = "application/x-wan-desktop-job"


def drop_index(slot: int, origin: int) -> int:
    """Where a job dragged from place ``origin`` (0-based among the waiting jobs) lands when
    dropped at ``slot`` (the gap before waiting row ``slot``; the count of them: the end),
    counted among the other waiting jobs: what ``JobRunner.move`` takes."""
    return slot - 1 if slot > origin else slot


class JobsView(QListView):
    """The list of jobs; says what to do when there is nothing in it yet. Emits
    ``moveRequested(job_id, index)`` when a waiting job is dropped (or moved by keys)
    somewhere else in line, ``editKeyPressed(job_id)`` on Enter on a waiting job."""

    EMPTY_TEXT = "No jobs yet. Compose on the left and press Generate (Ctrl+Enter)."

    moveRequested = Signal(str, int)
    #: Enter on a waiting job: edit it.
    editKeyPressed = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("jobsView")
        self.setAccessibleName("Jobs")
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)
        self.setDropIndicatorShown(False)  # ours is drawn between waiting rows only
        self._press: tuple[QPoint, str] | None = None
        self._dragging: str | None = None  # the job being dragged out of this view
        self._drop_slot: int | None = None

    # ---- the waiting rows ------------------------------------------------------------------

    def _job(self, row: int) -> JobSnapshot | None:
        return self.model().index(row, 0).data(JobRole.Snapshot)

    def waiting_rows(self) -> list[int]:
        """The rows of the jobs waiting for a slot, top to bottom (they are shown in queue
        order, one after the other)."""
        model = self.model()
        if model is None:
            return []
        return [
            row
            for row in range(model.rowCount())
            if (job := self._job(row)) is not None and job.state is JobState.WAITING
        ]

    def _waiting_ids(self) -> list[str]:
        return [job.id for row in self.waiting_rows() if (job := self._job(row)) is not None]

    def slot_at(self, pos: QPoint) -> int | None:
        """The gap among the waiting rows nearest to ``pos`` (viewport coordinates): 0 before
        the first, the number of waiting rows after the last; ``None`` when none wait."""
        rows = self.waiting_rows()
        if not rows:
            return None
        for slot, row in enumerate(rows):
            rect = self.visualRect(self.model().index(row, 0))
            if pos.y() < rect.center().y():
                return slot
        return len(rows)

    def _slot_y(self, slot: int) -> int:
        rows = self.waiting_rows()
        if slot < len(rows):
            return self.visualRect(self.model().index(rows[slot], 0)).top()
        return self.visualRect(self.model().index(rows[-1], 0)).bottom() + 1

    # ---- starting a drag -------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:  # Qt override
        super().mousePressEvent(event)
        self._press = None
        if event.button() is Qt.MouseButton.LeftButton:
            job = self.indexAt(event.position().toPoint()).data(JobRole.Snapshot)
            if job is not None and job.state is JobState.WAITING:
                self._press = (event.position().toPoint(), job.id)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # Qt override
        if self._press is not None and event.buttons() & Qt.MouseButton.LeftButton:
            start, job_id = self._press
            moved = (event.position().toPoint() - start).manhattanLength()
            if moved >= QApplication.startDragDistance():
                self._press = None
                self.start_drag(job_id)
                return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # Qt override
        self._press = None
        super().mouseReleaseEvent(event)

    def start_drag(self, job_id: str) -> None:
        """Drag the waiting job ``job_id`` (its row's picture under the pointer)."""
        row = self.model().row_of(job_id)
        if row < 0:
            return
        mime = QMimeData()
        mime.setData(JOB_MIME, QByteArray(job_id.encode()))
        drag = QDrag(self)
        drag.setMimeData(mime)
        rect = self.visualRect(self.model().index(row, 0))
        drag.setPixmap(self.viewport().grab(rect))
        drag.setHotSpot(QPoint(24, rect.height() // 2))
        self._dragging = job_id
        try:
            drag.exec(Qt.DropAction.MoveAction)
        finally:
            self._dragging = None
            self._set_slot(None)

    # ---- dropping --------------------------------------------------------------------------

    def _dragged_id(self, mime: QMimeData | None) -> str | None:
        """The waiting job a drag carries, or ``None`` (another kind of drag, or a job that
        is no longer waiting)."""
        if mime is None or not mime.hasFormat(JOB_MIME):
            return None
        job_id = bytes(mime.data(JOB_MIME).data()).decode("utf-8", "replace")
        return job_id if job_id in self._waiting_ids() else None

    def dragEnterEvent(self, event) -> None:  # Qt override
        if self._dragged_id(event.mimeData()) is None:
            event.ignore()
            return
        event.acceptProposedAction()
        # The model takes no drops itself, so Qt would not enter this state: it is what lets
        # the view scroll when the pointer nears its top or bottom edge.
        self.setState(QAbstractItemView.State.DraggingState)
        self._set_slot(self.slot_at(event.position().toPoint()))

    def dragMoveEvent(self, event) -> None:  # Qt override
        super().dragMoveEvent(event)  # scrolls near the edges; refuses (the model takes none)
        if self._dragged_id(event.mimeData()) is None:
            event.ignore()
            self._set_slot(None)
            return
        event.acceptProposedAction()
        self._set_slot(self.slot_at(event.position().toPoint()))

    def dragLeaveEvent(self, event) -> None:  # Qt override
        self._end_drag_state()
        event.accept()

    def dropEvent(self, event) -> None:  # Qt override
        job_id = self._dragged_id(event.mimeData())
        slot = self.slot_at(event.position().toPoint())
        self._end_drag_state()
        if job_id is None or slot is None:
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.MoveAction)
        event.accept()
        origin = self._waiting_ids().index(job_id)
        index = drop_index(slot, origin)
        if index != origin:
            self.moveRequested.emit(job_id, index)

    def _end_drag_state(self) -> None:
        self.stopAutoScroll()
        self.setState(QAbstractItemView.State.NoState)
        self._set_slot(None)

    def drop_slot(self) -> int | None:
        """Where the line is drawn while a job is dragged over the view (``None``: none)."""
        return self._drop_slot

    def _set_slot(self, slot: int | None) -> None:
        if slot != self._drop_slot:
            self._drop_slot = slot
            self.viewport().update()

    # ---- keys ------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:  # Qt override
        key = Qt.Key(event.key())
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers() & ~(
            Qt.KeyboardModifier.KeypadModifier
        ):
            job = self.currentIndex().data(JobRole.Snapshot)
            if job is not None and job.state is JobState.WAITING:
                self.editKeyPressed.emit(job.id)
                event.accept()
                return
        step = {Qt.Key.Key_Up: -1, Qt.Key.Key_Down: 1}.get(Qt.Key(event.key()))
        if step is not None and event.modifiers() == Qt.KeyboardModifier.AltModifier:
            job = self.currentIndex().data(JobRole.Snapshot)
            ids = self._waiting_ids()
            if job is not None and job.id in ids:
                target = ids.index(job.id) + step
                if 0 <= target < len(ids):
                    self.moveRequested.emit(job.id, target)
                event.accept()
                return
        super().keyPressEvent(event)

    # ---- painting --------------------------------------------------------------------------

    def paintEvent(self, event) -> None:  # Qt override
        super().paintEvent(event)
        model = self.model()
        if model is not None and model.rowCount() == 0:
            painter = QPainter(self.viewport())
            painter.setPen(QColor(colors().muted))
            painter.drawText(
                self.viewport().rect().adjusted(16, 16, -16, -16),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                self.EMPTY_TEXT,
            )
        elif self._drop_slot is not None and self.waiting_rows():
            self._paint_drop_line(self._slot_y(self._drop_slot))

    def _paint_drop_line(self, y: int) -> None:
        """A bar in the accent colour where the dragged job will go, with a dot at its start
        (as a text cursor between rows)."""
        painter = QPainter(self.viewport())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        accent = QColor(colors().accent)
        painter.setPen(QPen(accent, 3))
        width = self.viewport().width()
        painter.drawLine(10, y, width - 6, y)
        painter.setBrush(accent)
        painter.drawEllipse(QRect(2, y - 4, 8, 8))
        painter.end()
