"""The contact sheet's grid: takes as tiles the shape of their video, as large as the space
allows, the block of them centred.

A ``QGridLayout`` shares out the space by cell, whatever the picture's shape, and a 16:9 take
in a 4:3 cell is a picture between two black bars. This grid tries every column count, keeps
the one with the largest tiles at the video's aspect, and places the tiles itself.

It also paints them: a tile with a ``paint(painter)`` method is drawn by the grid's own paint
event, all of them with one painter (see :mod:`.sheet_cell`), and hears from the grid when the
screen's pixel ratio changes. GUI thread.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QRect, QSize
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

__all__ = ["SheetGrid", "best_columns"]


def best_columns(count: int, width: int, height: int, aspect: float, spacing: int) -> int:
    """The column count that gives ``count`` tiles of ``aspect`` (width ÷ height) the largest
    size in ``width`` × ``height`` pixels with ``spacing`` between them (fewest columns on a
    tie: rows read more easily than long lines)."""
    best, best_w = 1, -1.0
    for columns in range(1, max(1, count) + 1):
        rows = math.ceil(count / columns)
        tile_w = min((width - (columns - 1) * spacing) / columns,
                     (height - (rows - 1) * spacing) / rows * aspect)  # fmt: skip
        if tile_w > best_w + 0.5:
            best, best_w = columns, tile_w
    return best


class SheetGrid(QWidget):
    """Holds the tiles given to :meth:`set_tiles`, in order, row by row, and paints those
    that can paint themselves into a painter (``paint(painter)``, in their own coordinates;
    ``device_ratio_changed()`` when the pixel ratio changes)."""

    def __init__(self, spacing: int = 8, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("contactSheetGrid")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._spacing = spacing
        self._aspect = 16 / 9
        self._tiles: list[QWidget] = []
        self._columns = 1

    def set_tiles(self, tiles: list[QWidget]) -> None:
        """Show ``tiles`` (children of this grid), in this order; others are the caller's."""
        self._tiles = list(tiles)
        for tile in self._tiles:
            if tile.parent() is not self:
                tile.setParent(self)
            tile.show()
        self._place()

    def set_aspect(self, aspect: float) -> None:
        """The takes' shape, width ÷ height (16:9 until a take says)."""
        if aspect > 0 and abs(aspect - self._aspect) > 1e-3:
            self._aspect = aspect
            self._place()

    def columns(self) -> int:
        """Columns in use now."""
        return self._columns

    def sizeHint(self) -> QSize:  # Qt override
        return QSize(960, 540)

    def minimumSizeHint(self) -> QSize:  # Qt override
        return QSize(320, 180)

    def resizeEvent(self, event) -> None:  # Qt override
        super().resizeEvent(event)
        self._place()

    def event(self, event) -> bool:  # Qt override
        if event.type() == QEvent.Type.DevicePixelRatioChange:
            for tile in self._tiles:
                notify = getattr(tile, "device_ratio_changed", None)
                if notify is not None:
                    notify()
        return super().event(event)

    def paintEvent(self, event) -> None:  # Qt override
        # One painter for every tile that changed (their updates come here as one region).
        region = event.region()
        painter = QPainter(self)
        for tile in self._tiles:
            paint = getattr(tile, "paint", None)
            if paint is None or not tile.isVisible():
                continue
            geometry = tile.geometry()
            if not region.intersects(geometry):
                continue
            painter.save()
            painter.translate(geometry.topLeft())
            painter.setClipRect(tile.rect())
            paint(painter)
            painter.restore()
        painter.end()  # now, not when a reference to this paint goes (a profiler's sample)

    def _place(self) -> None:
        count = len(self._tiles)
        if not count:
            return
        s, width, height = self._spacing, self.width(), self.height()
        columns = best_columns(count, width, height, self._aspect, s)
        rows = math.ceil(count / columns)
        tile_w = min((width - (columns - 1) * s) / columns,
                     (height - (rows - 1) * s) / rows * self._aspect)  # fmt: skip
        tile_w, tile_h = max(1, int(tile_w)), max(1, int(tile_w / self._aspect))
        block_w = columns * tile_w + (columns - 1) * s
        block_h = rows * tile_h + (rows - 1) * s
        left, top = (width - block_w) // 2, (height - block_h) // 2
        self._columns = columns
        for n, tile in enumerate(self._tiles):
            row, column = divmod(n, columns)
            x = left + column * (tile_w + s)
            y = top + row * (tile_h + s)
            tile.setGeometry(QRect(x, y, tile_w, tile_h))
