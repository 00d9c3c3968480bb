"""Hovering the library grid (GUI thread): the card under the pointer is drawn hovered, and
moving across its picture scrubs through its clip (left edge the first frame, right edge the
last). The frames come from the model (``LibraryModel.set_scrub``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QPoint
from PySide6.QtGui import QCursor, QMouseEvent

from .library_delegate import thumb_rect
from .library_model import LibraryRole

if TYPE_CHECKING:
    from .library_view import LibraryView

    _ViewBase = LibraryView
else:
    _ViewBase = object  # a plain class, placed before QAbstractItemView in the view's bases

__all__ = ["HoverScrubMixin"]


class HoverScrubMixin(_ViewBase):
    """The hovered row (``_hover_row``, -1: none) and scrubbing for the library's grid. The
    view calls :meth:`_init_hover` in its ``__init__`` and :meth:`_refresh_hover` when its
    rows change under the pointer."""

    def _init_hover(self) -> None:
        self._hover_row = -1

    def _set_hover_row(self, row: int) -> None:
        """The card under the pointer (-1: none); repaints the old and the new one."""
        if row == self._hover_row:
            return
        model = self.library_model()
        for old_or_new in (self._hover_row, row):
            if old_or_new >= 0:  # past the last row: no index, an empty rect, no repaint
                self.viewport().update(self.visualRect(model.index(old_or_new, 0)))
        self._hover_row = row

    def _refresh_hover(self) -> None:
        """Hover the card under the pointer after the cards moved under it."""
        if self.viewport().underMouse():
            pos = self.viewport().mapFromGlobal(QCursor.pos())
            self._set_hover_row(self.indexAt(pos).row())

    def scrub_at(self, x: int, y: int) -> None:
        """Scrub the card under viewport point (x, y): its left edge is the first frame, its
        right edge the last."""
        index = self.indexAt(QPoint(x, y))
        model = self.library_model()
        if not index.isValid():
            model.set_scrub(None)
            return
        rect = thumb_rect(self.visualRect(index))
        if not rect.contains(x, y):
            model.set_scrub(None)
            return
        fraction = (x - rect.left()) / max(1, rect.width() - 1)
        model.set_scrub(index.data(LibraryRole.Id), fraction)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # Qt override
        pos = event.position().toPoint()
        self._set_hover_row(self.indexAt(pos).row())
        if not event.buttons():
            self.scrub_at(pos.x(), pos.y())
        super().mouseMoveEvent(event)  # then the rubber band, then Qt

    def viewportEvent(self, event: QEvent) -> bool:  # Qt override
        if event.type() == QEvent.Type.Leave:  # onto a scrollbar or out of the view
            self._set_hover_row(-1)
            self.library_model().set_scrub(None)
        return super().viewportEvent(event)

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # Qt override
        super().scrollContentsBy(dx, dy)
        self._refresh_hover()  # another card is under the pointer now
