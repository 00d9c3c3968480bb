"""A rubber band for an item view whose items have gaps between them (GUI thread).

Qt's own drag-select only runs while the pointer is over an item, and it autoscrolls only
there; a press in a gap would select nothing. This behaviour tracks a band from a press in a
gap, selects what it covers through the view's ``setSelection``, paints it with the style's
rubber band, and scrolls when it reaches the top or bottom margin.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QMouseEvent, QPainter, QRegion
from PySide6.QtWidgets import QAbstractItemView, QRubberBand, QStyle, QStyleOptionRubberBand

__all__ = ["RubberBandMixin"]

# The mixin is written against the view it is mixed into; at run time it is a plain class
# placed before QAbstractItemView in the bases.
_ViewBase = QAbstractItemView if TYPE_CHECKING else object


class RubberBandMixin(_ViewBase):
    """The band, in content coordinates so it stays put while the view scrolls. The view calls
    :meth:`_init_band` in its ``__init__``, :meth:`_end_band` when it resets, and paints
    :meth:`_paint_band` over its items."""

    def _init_band(self) -> None:
        self._band_origin: QPoint | None = None  # content coordinates of a rubber band's start
        self._band = QRect()  # the rubber band, content coordinates
        self._band_autoscroll = False

    def _scroll_offset(self) -> QPoint:
        return QPoint(self.horizontalOffset(), self.verticalOffset())

    def mousePressEvent(self, event: QMouseEvent) -> None:  # Qt override
        self._end_band()
        pos = event.position().toPoint()
        if event.button() == Qt.MouseButton.LeftButton and not self.indexAt(pos).isValid():
            self._band_origin = pos + self._scroll_offset()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # Qt override
        pos = event.position().toPoint()
        banding = self._band_origin is not None and event.buttons() & Qt.MouseButton.LeftButton
        if banding:
            # Before Qt's own handling: it makes the card under the pointer current and would
            # scroll to it, unless autoscrolling already runs.
            self._autoscroll_near_edge(pos)
        super().mouseMoveEvent(event)
        if banding:
            self._drag_band(pos, event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # Qt override
        self._end_band()
        super().mouseReleaseEvent(event)

    def _drag_band(self, pos: QPoint, event: QMouseEvent) -> None:
        """Select what the band from the press to ``pos`` covers and show the band."""
        self.setState(QAbstractItemView.State.DragSelectingState)  # a release keeps the band's pick
        offset = self._scroll_offset()
        band = QRect(self._band_origin, pos + offset).normalized()
        old = self._band
        self._band = band
        viewport_band = QRect(self._band_origin - offset, pos)
        self.setSelection(viewport_band, self.selectionCommand(self.indexAt(pos), event))
        dirty = QRegion(old.translated(-offset).adjusted(-1, -1, 1, 1))
        dirty += band.translated(-offset).adjusted(-1, -1, 1, 1)
        self.viewport().update(dirty)

    def _autoscroll_near_edge(self, pos: QPoint) -> None:
        """Start Qt's autoscroll when the band reaches the top or bottom margin."""
        margin = self.autoScrollMargin()
        near = pos.y() < margin or pos.y() > self.viewport().height() - margin
        if near and not self._band_autoscroll and self.hasAutoScroll():
            self.startAutoScroll()
        self._band_autoscroll = near

    def _end_band(self) -> None:
        if self._band_autoscroll:
            self.stopAutoScroll()  # Qt would keep scrolling after the release
        if not self._band.isNull():
            offset = self._scroll_offset()
            self.viewport().update(self._band.translated(-offset).adjusted(-1, -1, 1, 1))
        self._band_origin = None
        self._band = QRect()
        self._band_autoscroll = False

    def _paint_band(self, painter: QPainter) -> None:
        if self._band.isNull():
            return
        option = QStyleOptionRubberBand()
        option.initFrom(self)
        option.shape = QRubberBand.Shape.Rectangle
        option.opaque = False
        visible = self._band.translated(-self._scroll_offset())
        option.rect = visible.intersected(self.viewport().rect())
        painter.save()
        self.style().drawControl(QStyle.ControlElement.CE_RubberBand, option, painter)
        painter.restore()
