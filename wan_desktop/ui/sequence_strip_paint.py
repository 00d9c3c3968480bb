"""Painting the sequence strip (GUI thread): each cell's poster repeated like frames on film,
its number and title below, its length on a tab in the corner; the seams' diamonds (amber
with a crossfade, its frames written above); the insertion mark of a drag or a drop. Only the
cells on screen are painted, so a long sequence costs what is visible."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPainterPath, QPaintEvent, QPalette, QPen

from .formats import format_duration
from .sequence_strip_layout import CAPTION, CELL_H, GAP, PAD, SCROLL_H, TOP, StripCell
from .theme import colors

if TYPE_CHECKING:
    from .sequence_strip import SequenceStrip

    _StripBase = SequenceStrip
else:
    _StripBase = object  # a plain class, placed before QWidget in the strip's bases

__all__ = ["StripPaintMixin", "length_text"]

_RADIUS = 5.0


def length_text(seconds: float) -> str:
    """A cell's length as the strip writes it: "4.2 s", or "1:05" from a minute on."""
    return f"{seconds:.1f} s" if seconds < 60 else format_duration(seconds)


class StripPaintMixin(_StripBase):
    """The strip's ``paintEvent`` and the pieces it draws."""

    def paintEvent(self, _event: QPaintEvent) -> None:  # Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        painter.fillRect(self.rect(), palette.color(QPalette.ColorRole.Base))
        if not self._cells:
            painter.setPen(QColor(colors().muted))
            painter.drawText(self.rect().adjusted(12, 0, -12, -SCROLL_H),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                             self._empty_text)  # fmt: skip
            return
        offset = self.scroll.value()
        painter.translate(-offset, 0)
        visible = QRect(offset, 0, self.width(), self.height())
        for index, (cell, rect) in enumerate(zip(self._cells, self._rects, strict=True)):
            if rect.right() + GAP < visible.left() or rect.left() - GAP > visible.right():
                continue
            self._paint_cell(painter, cell, rect, index)
            if index:
                self._paint_seam(painter, index)
        if self._insert_at is not None:
            self._paint_insert(painter, self._insert_at)

    def _paint_cell(self, painter: QPainter, cell: StripCell, rect: QRect, index: int) -> None:
        palette = self.palette()
        selected = self._selected == ("clip", index)
        dragged = self._drag_from == index
        painter.save()
        painter.setClipRect(rect.adjusted(1, 1, -1, -1))  # a rectangle: cheap to clip to
        painter.fillRect(rect, QColor(colors().canvas_bg))
        poster = self._poster(cell.poster) if cell.poster and not cell.missing else None
        if poster is not None and not poster.isNull():
            # The poster repeated along the cell, like frames on film: longer reads longer.
            width = max(1, round(poster.width() / poster.devicePixelRatio()))
            x = rect.left()
            while x < rect.right():
                painter.drawImage(x, rect.top(), poster)
                x += width + 2
        if cell.missing:
            painter.fillRect(rect, QColor(colors().error).darker(160))
            painter.setPen(QColor("#ffffff"))
            fits = QFontMetrics(self.font()).horizontalAdvance("missing") + 6 <= rect.width()
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, "missing" if fits else "?")
        if dragged:
            painter.fillRect(rect, QColor(0, 0, 0, 140))
        painter.restore()
        pen = (
            QPen(QColor(colors().accent), 3)
            if selected
            else QPen(palette.color(QPalette.ColorRole.Mid), 1)
        )
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(QRectF(rect).adjusted(0.5, 0.5, -0.5, -0.5), _RADIUS, _RADIUS)
        metrics = QFontMetrics(self.font())
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        caption = QRect(rect.left() + 2, rect.bottom() + 3, rect.width() - 4, CAPTION - 4)
        number = str(index + 1)
        elided = metrics.elidedText(f"{number}  {cell.title}", Qt.TextElideMode.ElideRight,
                                    caption.width())  # fmt: skip
        if len(elided) < len(number) + 4:  # no room for a word of the title: the number
            elided = number if metrics.horizontalAdvance(number) <= caption.width() else ""
        left_middle = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(caption, left_middle, elided)
        # The length on a dark tab in the picture's corner: the row above the cells is the
        # seams' (their crossfades), and text over a poster needs its own background.
        text = length_text(cell.seconds)
        tab_w = metrics.horizontalAdvance(text) + 8
        if tab_w + 6 <= rect.width():
            tab = QRect(rect.right() - tab_w - 2, rect.bottom() - metrics.height() - 3,
                        tab_w, metrics.height() + 1)  # fmt: skip
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(0, 0, 0, 150))
            painter.drawRoundedRect(QRectF(tab), 3.0, 3.0)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QColor("#f2f2f5"))
            painter.drawText(tab, Qt.AlignmentFlag.AlignCenter, text)

    def _paint_seam(self, painter: QPainter, index: int) -> None:
        cell = self._cells[index]
        rect = self.seam_rect(index)
        selected = self._selected == ("seam", index)
        edited = cell.crossfade or cell.tail_frames or cell.head_frames > 1
        colour = QColor(colors().warning if (cell.crossfade or selected) else colors().muted)
        if selected:
            painter.fillRect(
                rect.adjusted(1, 0, -1, 0), QColor(colour.red(), colour.green(), colour.blue(), 50)
            )
        centre = QPointF(rect.center().x() + 0.5, TOP + CELL_H / 2)
        size = 6.0 if (selected or edited) else 4.5
        diamond = QPainterPath()
        diamond.moveTo(centre.x(), centre.y() - size)
        diamond.lineTo(centre.x() + size, centre.y())
        diamond.lineTo(centre.x(), centre.y() + size)
        diamond.lineTo(centre.x() - size, centre.y())
        diamond.closeSubpath()
        painter.setPen(QPen(colour, 1.5))
        painter.drawLine(QPointF(centre.x(), TOP + 2), QPointF(centre.x(), centre.y() - size))
        painter.drawLine(
            QPointF(centre.x(), centre.y() + size), QPointF(centre.x(), TOP + CELL_H - 2)
        )
        painter.setBrush(colour if (cell.crossfade or selected) else Qt.BrushStyle.NoBrush)
        painter.drawPath(diamond)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if cell.crossfade:
            painter.setPen(QColor(colors().warning))
            label = QRect(rect.left() - 20, 2, rect.width() + 40, TOP - 6)
            painter.drawText(label, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                             f"✕{cell.crossfade}")  # fmt: skip

    def _paint_insert(self, painter: QPainter, at: int) -> None:
        if not self._rects:
            x = PAD
        elif at >= len(self._rects):
            x = self._rects[-1].right() + GAP // 2
        else:
            x = self._rects[at].left() - GAP // 2
        painter.setPen(QPen(QColor(colors().accent), 3))
        painter.drawLine(x, TOP - 8, x, TOP + CELL_H + 8)
