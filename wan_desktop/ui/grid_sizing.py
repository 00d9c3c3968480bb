"""How big the library grid's cards are (GUI thread): the least thumbnail width the slider
sets, cards widened to fill each row (:func:`fill_width`), their height from the delegate,
whether the grid needs a scrollbar, and posters decoded as wide as the cards show them.

A mixin of :class:`LibraryView`: it calls :meth:`GridSizingMixin._init_sizing` in its
``__init__`` and :meth:`GridSizingMixin._relayout` whenever its geometry changes.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QStyleOptionViewItem

from .grid_layout import GridLayout, fill_width
from .library_delegate import CARD_SIZE, PAD, LibraryDelegate
from .library_model import THUMB_SIZE, LibraryModel

if TYPE_CHECKING:
    from .library_view import LibraryView

    _ViewBase = LibraryView
else:
    _ViewBase = object  # a plain class, placed before QAbstractItemView in the view's bases

__all__ = ["MAX_POSTER_SCALE", "MAX_THUMBNAIL", "MIN_THUMBNAIL", "POSTER_SLACK", "GridSizingMixin"]

#: The thumbnail-size slider's range: the least width of a card's picture, in px.
MIN_THUMBNAIL = 140
MAX_THUMBNAIL = 360
MAX_POSTER_SCALE = 4  # posters are decoded at most this many times THUMB_SIZE
#: How much a poster may be enlarged before a larger one is decoded: 15 % is not seen, and a
#: grid a few pixels wider than the usual cards keeps decoding (and caching) the usual size.
POSTER_SLACK = 1.15


class GridSizingMixin(_ViewBase):
    """The cards' size and the grid (``_grid``) for the view's width."""

    def _init_sizing(self) -> None:
        self._thumbnail_width = THUMB_SIZE.width()
        self._needs_bar = False

    def thumbnail_width(self) -> int:
        """The least width of a card's picture, px (cards widen from it to fill a row)."""
        return self._thumbnail_width

    def set_thumbnail_width(self, width: int) -> None:
        """Set the least picture width (kept within ``MIN_THUMBNAIL`` .. ``MAX_THUMBNAIL``)
        and re-flow the grid, keeping the current card in view."""
        width = min(MAX_THUMBNAIL, max(MIN_THUMBNAIL, int(width)))
        if width == self._thumbnail_width:
            return
        self._thumbnail_width = width
        self.updateGeometries()
        if self.currentIndex().isValid():
            self.scrollTo(self.currentIndex())
        self.viewport().update()

    def _cell_size(self, width: int) -> QSize:
        """Every card's size for cards ``width`` px wide (uniform, so asked once per layout):
        the delegate's, or its size hint for a delegate that does not size by width."""
        delegate = self.itemDelegate()
        if isinstance(delegate, LibraryDelegate):
            return delegate.card_size(width, self.font())
        if delegate is None or self.model() is None:
            return QSize(CARD_SIZE)
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        size = delegate.sizeHint(option, self._index(0))
        return size if size.isValid() and not size.isEmpty() else QSize(CARD_SIZE)

    def _grid_for(self, width: int) -> GridLayout:
        """The grid of cards filling ``width`` px."""
        least = self._thumbnail_width + 2 * PAD
        _columns, cell_width = fill_width(least, self._spacing, width)
        size = self._cell_size(cell_width)
        return GridLayout(size.width(), size.height(), self._spacing, width, self._centred)

    def _relayout(self) -> None:
        """Recompute the grid for the viewport's width: O(1), whatever the row count.

        Cards widen with the width, so they also grow taller: laid out for the width the
        viewport has with or without the scrollbar, a grid that just fits could show the
        scrollbar, lose it, and show it again. Whether it needs one is decided for the whole
        area instead, the same either way, and the grid is then laid out for the width left.
        """
        full = self.maximumViewportSize()
        bar = self.verticalScrollBar().sizeHint().width()
        count = self._row_count()
        narrow, wide = self._grid_for(full.width() - bar), self._grid_for(full.width())
        self._needs_bar = (
            max(narrow.content_height(count), wide.content_height(count)) > full.height()
        )
        width = min(
            self.viewport().width(), full.width() - bar if self._needs_bar else full.width()
        )
        self._grid = narrow if width == narrow.width else self._grid_for(width)
        self._match_poster_size()

    def _match_poster_size(self) -> None:
        """Have posters decoded at least as wide as the cards show them (a whole multiple
        of the usual size, so resizing does not decode them again and again)."""
        model = self.model()
        if not isinstance(model, LibraryModel):
            return
        shown = self._grid.cell_width - 2 * PAD
        scale = min(
            MAX_POSTER_SCALE, max(1, math.ceil(shown / (THUMB_SIZE.width() * POSTER_SLACK)))
        )
        if scale != model.thumb_scale:
            model.thumb_scale = scale
            self.viewport().update()
