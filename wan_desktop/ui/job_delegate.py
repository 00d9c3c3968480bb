"""How one job looks in ``jobsView``: thumbnail, prompt (a take's place and label before it,
its group's colour down the left edge), status line, then a progress bar with the last log
line (running), the place in line (waiting), the error, or a note (finished); the log lines
under it when the row is expanded. A job waiting in the local queue has a grip at
its right edge: it can be dragged to another place in line.

Every text is drawn with ``QPainter.drawText``, which never interprets markup: text from the
service (errors, log lines) shows as it is.
"""

from __future__ import annotations

import time
import zlib
from collections import OrderedDict
from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QObject, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from ..jobs.model import JobSnapshot, JobState
from .job_order import RUNNING_STATES
from .jobs_model import THUMB_PX, JobRole
from .theme import colors

__all__ = [
    "GRIP_WIDTH",
    "LOG_LINES_SHOWN",
    "JobDelegate",
    "ThumbnailPixmaps",
    "draw_progress",
    "group_color",
    "scaled_pixmap",
]

LOG_LINES_SHOWN = 8
#: The room the drag grip of a waiting row takes at its right edge.
GRIP_WIDTH = 18
_LEFT_MIDDLE = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_BAR_MAX_WIDTH = 260
#: The width of the bar that marks a take group's rows, px.
_GROUP_BAR = 4
#: Scaled thumbnails kept (a few KB each at 64 px).
_PIXMAPS_KEPT = 200

_STATE_COLORS = {
    JobState.DONE: "ok",
    JobState.FAILED: "error",
    JobState.CANCELLED: "muted",
}


@dataclass(frozen=True, slots=True)
class _Row:
    """What every piece of a row's painting needs: where, in which font and colours."""

    painter: QPainter
    option: QStyleOptionViewItem
    index: QModelIndex
    job: JobSnapshot
    selected: bool
    text_color: QColor
    inner: QRect  # the row less its padding
    text_left: int  # where the text column starts
    line_h: int
    grip: bool  # waiting in the local queue: it can be dragged

    @property
    def text_width(self) -> int:
        return self.inner.right() - self.text_left - (GRIP_WIDTH if self.grip else 0)

    def line_rect(self, top: int) -> QRect:
        return QRect(self.text_left, top, self.text_width, self.line_h)

    def pen(self, color: str | QColor) -> None:
        """Our colour, or the highlighted text colour on a selected row."""
        self.painter.setPen(self.text_color if self.selected else QColor(color))

    def draw_elided(self, rect: QRect, text: str, metrics: QFontMetrics) -> None:
        elided = metrics.elidedText(text, Qt.TextElideMode.ElideRight, rect.width())
        self.painter.drawText(rect, _LEFT_MIDDLE, elided)


class JobDelegate(QStyledItemDelegate):
    """Paints a job: thumbnail, prompt, state line, progress bar, last log line or error."""

    PAD = 8

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._thumbnails = ThumbnailPixmaps()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        fm = QFontMetrics(option.font)
        height = _summary_height(fm.height()) + 2 * self.PAD
        if index.data(JobRole.Expanded):
            logs = index.data(JobRole.Logs) or []
            height += fm.height() * max(1, min(len(logs), LOG_LINES_SHOWN)) + self.PAD
        return QSize(320, height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        job: JobSnapshot = index.data(JobRole.Snapshot)
        if job is None:
            return
        painter.save()
        row = self._row(painter, option, index, job)
        self.paint_background(row)
        self.paint_group(row)
        self.paint_thumbnail(row)
        self.paint_title(row)
        self.paint_status(row)
        self.paint_third_line(row)
        if row.grip:
            self.paint_grip(row)
        if index.data(JobRole.Expanded):
            self.paint_logs(row)
        painter.setPen(option.palette.color(QPalette.ColorRole.Mid))
        painter.drawLine(option.rect.bottomLeft(), option.rect.bottomRight())
        painter.restore()

    def _row(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex, job: JobSnapshot
    ) -> _Row:
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        inner = option.rect.adjusted(self.PAD, self.PAD, -self.PAD, -self.PAD)
        return _Row(
            painter=painter,
            option=option,
            index=index,
            job=job,
            selected=selected,
            text_color=option.palette.color(text_role),
            inner=inner,
            text_left=_thumb_rect(inner).right() + self.PAD + 4,
            line_h=QFontMetrics(option.font).height(),
            grip=job.state is JobState.WAITING,
        )

    # ---- the pieces, top to bottom --------------------------------------------------------

    def paint_background(self, row: _Row) -> None:
        """The selection colour, or every other row a shade darker."""
        palette = row.option.palette
        if row.selected:
            row.painter.fillRect(row.option.rect, palette.color(QPalette.ColorRole.Highlight))
        elif row.index.row() % 2:
            row.painter.fillRect(row.option.rect, palette.color(QPalette.ColorRole.AlternateBase))

    def paint_thumbnail(self, row: _Row) -> None:
        """The job's picture fitted in a square at the left, or a grey square until it loads."""
        thumb_rect = _thumb_rect(row.inner)
        image: QImage | None = row.index.data(JobRole.Thumbnail)
        if image is None:
            row.painter.fillRect(thumb_rect, row.option.palette.color(QPalette.ColorRole.Mid))
            return
        size = image.size().scaled(thumb_rect.size(), Qt.AspectRatioMode.KeepAspectRatio)
        target = QRect(0, 0, size.width(), size.height())
        target.moveCenter(thumb_rect.center())
        pixmap = self._thumbnails.get(row.job.id, image, size, _device_ratio(row.painter))
        row.painter.drawPixmap(target.topLeft(), pixmap)

    def paint_title(self, row: _Row) -> None:
        """The prompt's excerpt, in bold; a take's place and label before it, in its group's
        colour (``take 2 of 3 · prompt B · seed 12``), never elided before the prompt is."""
        bold = QFont(row.option.font)
        bold.setWeight(QFont.Weight.DemiBold)
        metrics = QFontMetrics(bold)
        row.painter.setFont(bold)
        rect = row.line_rect(row.inner.top())
        take = row.index.data(JobRole.Take) or ""
        if take:
            row.pen(group_color(row.index.data(JobRole.GroupId) or ""))
            label = f"{take} ·"
            # A pixel spare: elidedText rounds, and a label exactly as wide may lose a digit.
            width = min(metrics.horizontalAdvance(label) + 2, rect.width())
            row.draw_elided(QRect(rect.left(), rect.top(), width, rect.height()), label, metrics)
            rect = rect.adjusted(width + metrics.horizontalAdvance(" "), 0, 0, 0)
        row.painter.setPen(row.text_color)
        text = row.index.data(JobRole.PromptExcerpt) or ""
        if rect.width() > 0:
            row.draw_elided(rect, text, metrics)
        row.painter.setFont(row.option.font)

    def paint_group(self, row: _Row) -> None:
        """A take's group as a bar in the group's colour down the row's left edge: the takes
        of one click read as one block wherever they stand in the list."""
        group = row.index.data(JobRole.GroupId)
        if group:
            rect = row.option.rect
            row.painter.fillRect(
                QRect(rect.left(), rect.top(), _GROUP_BAR, rect.height()), group_color(group)
            )

    def paint_status(self, row: _Row) -> None:
        """The state line, coloured by the state (the accent while it runs, muted while it
        waits)."""
        state = row.job.state
        role = _STATE_COLORS.get(state, "accent" if state in RUNNING_STATES else "muted")
        row.pen(getattr(colors(), role))
        text = row.index.data(JobRole.StatusLine) or ""
        top = row.inner.top() + row.line_h + 4
        row.draw_elided(row.line_rect(top), text, QFontMetrics(row.option.font))

    def paint_third_line(self, row: _Row) -> None:
        """The error of a failed job, the progress of a running one, the place in line of a
        waiting one (no bar: nothing progresses yet), else the finished job's note."""
        job = row.job
        metrics = QFontMetrics(row.option.font)
        if job.state is JobState.FAILED and job.error:
            row.pen(colors().error)
            row.draw_elided(self._third_rect(row), job.error, metrics)
        elif job.state in RUNNING_STATES:
            self.paint_progress(row)
        elif not job.state.is_final:
            row.pen(row.option.palette.color(QPalette.ColorRole.Text))
            row.draw_elided(self._third_rect(row), row.index.data(JobRole.Place) or "", metrics)
        else:
            row.pen(colors().muted)
            row.draw_elided(self._third_rect(row), row.index.data(JobRole.Note) or "", metrics)

    def paint_progress(self, row: _Row) -> None:
        """The progress bar, and the last log line beside it."""
        third = self._third_rect(row)
        bar = QRect(
            row.text_left, third.top() + row.line_h // 2 - 3, min(row.text_width, _BAR_MAX_WIDTH), 6
        )
        draw_progress(row.painter, bar, row.job.progress, row.selected, row.option.palette)
        last = _last_log(row.job)
        if last:
            row.pen(colors().muted)
            left = bar.right() + 10
            rect = QRect(left, third.top(), row.inner.right() - left, row.line_h)
            row.draw_elided(rect, last, QFontMetrics(row.option.font))

    def paint_grip(self, row: _Row) -> None:
        """Two columns of three dots at the right edge, centred on the summary: this row can
        be dragged."""
        color = row.text_color if row.selected else QColor(colors().muted)
        row.painter.save()
        row.painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        row.painter.setPen(Qt.PenStyle.NoPen)
        row.painter.setBrush(color)
        middle = row.inner.top() + _summary_height(row.line_h) // 2
        left = row.inner.right() - GRIP_WIDTH + 6
        for dx in (0, 6):
            for dy in (-6, 0, 6):
                row.painter.drawEllipse(QRect(left + dx, middle + dy - 1, 3, 3))
        row.painter.restore()

    def paint_logs(self, row: _Row) -> None:
        """The last log lines in a monospace font, across the whole row."""
        logs = (row.index.data(JobRole.Logs) or [])[-LOG_LINES_SHOWN:] or ["(no log lines yet)"]
        mono = QFont("Monospace")
        mono.setStyleHint(QFont.StyleHint.TypeWriter)
        mono.setPointSizeF(row.option.font.pointSizeF() * 0.9)
        row.painter.setFont(mono)
        row.pen(colors().muted)
        metrics = QFontMetrics(mono)
        y = row.inner.top() + _summary_height(row.line_h) + self.PAD
        for line in logs:
            row.draw_elided(
                QRect(row.inner.left(), y, row.inner.width(), row.line_h), line, metrics
            )
            y += row.line_h

    @staticmethod
    def _third_rect(row: _Row) -> QRect:
        return row.line_rect(row.inner.top() + 2 * row.line_h + 10)


class ThumbnailPixmaps:
    """Each job's thumbnail scaled smoothly once for the size and pixel density it is drawn
    at, as a ``QPixmap``: the jobs list repaints its rows several times a second while a job
    runs, and a smooth rescale of the picture on every paint made each repaint cost about
    2 ms. Keyed by job, picture (a new thumbnail replaces the old), size and device pixel
    ratio; the least recently drawn are dropped beyond ``max_count``. GUI thread."""

    def __init__(self, max_count: int = _PIXMAPS_KEPT):
        self.max_count = max_count
        self._pixmaps: OrderedDict[tuple[str, int, int, int, float], QPixmap] = OrderedDict()

    def get(self, job_id: str, image: QImage, size: QSize, ratio: float) -> QPixmap:
        """``image`` scaled to ``size`` (logical pixels) for a screen of ``ratio``."""
        key = (job_id, image.cacheKey(), size.width(), size.height(), ratio)
        pixmap = self._pixmaps.get(key)
        if pixmap is not None:
            self._pixmaps.move_to_end(key)
            return pixmap
        # One picture per job: its older sizes and pictures go.
        for old in [k for k in self._pixmaps if k[0] == job_id]:
            del self._pixmaps[old]
        pixmap = scaled_pixmap(image, size, ratio)
        self._pixmaps[key] = pixmap
        while len(self._pixmaps) > self.max_count:
            self._pixmaps.popitem(last=False)
        return pixmap

    def __len__(self) -> int:
        return len(self._pixmaps)


def scaled_pixmap(image: QImage, size: QSize, ratio: float) -> QPixmap:
    """``image`` scaled smoothly to ``size`` logical pixels on a screen of device pixel ratio
    ``ratio`` (so it stays sharp there), as a pixmap. GUI thread."""
    device = QSize(max(1, round(size.width() * ratio)), max(1, round(size.height() * ratio)))
    scaled = image.scaled(
        device, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation
    )
    pixmap = QPixmap.fromImage(scaled)
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


def group_color(group_id: str) -> QColor:
    """The colour of take group ``group_id``: the same for every row of the group and from
    one run to the next (a hash of the id picks the hue), readable on light and dark."""
    hue = zlib.crc32(group_id.encode()) % 360
    return QColor.fromHsv(hue, 150, 190)


def _device_ratio(painter: QPainter) -> float:
    device = painter.device()
    return device.devicePixelRatioF() if device is not None else 1.0


def _thumb_rect(inner: QRect) -> QRect:
    return QRect(inner.left(), inner.top(), THUMB_PX, THUMB_PX)


def _summary_height(line_h: int) -> int:
    """The height of a row's summary (three lines beside the thumbnail), padding aside."""
    return max(THUMB_PX, line_h * 3 + 16)


def _last_log(job: JobSnapshot) -> str:
    return job.logs[-1] if job.logs else ""


def draw_progress(
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
