"""The sequence strip (``sequenceStrip``): a horizontal timeline of a sequence's clips.

Each clip is a cell as wide as the part of the clip the sequence uses (``px_per_second``),
filled with its poster repeated like frames on film, its title below and its length above;
between two cells a seam: a diamond to click, amber when the join has a crossfade, with the
frames dropped or faded written beside it. Everything is painted by this one widget (no
child per clip), so fifty clips cost fifty rectangles; posters are decoded in the executor by
a :class:`~.thumbnail_cache.BackgroundImageLoader` when first needed and the cells paint a
placeholder until then. The decoded posters are kept in an
:class:`~.thumbnail_cache.ImageCache` bounded by :data:`POSTER_CACHE_BYTES` and
:data:`POSTER_CACHE_COUNT` (a long sequence browsed for hours does not grow without end); one
pushed out is decoded again when its cell is painted.

The strip shows and reports; it changes nothing itself. It emits what the user asks for:
``clipSelected``/``seamSelected`` (a click, the arrows), ``moveRequested(from, to)`` (a cell
dragged along the strip, or Ctrl+Left/Right), ``removeRequested`` (Delete, the context menu),
``idsDropped(ids, at)`` (library cards dropped on it) and ``playClipRequested``. GUI thread.

The strip holds its contents, selection, scrolling and posters; its parts live beside it: the
layout maths (:mod:`.sequence_strip_layout`), the painting (:mod:`.sequence_strip_paint`) and
the mouse, keys, menu and drops (:mod:`.sequence_strip_input`).
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QScrollBar, QSizePolicy, QWidget

from .formats import format_duration
from .sequence_strip_input import StripInputMixin, entry_ids_in_drop
from .sequence_strip_layout import (
    CAPTION,
    CELL_H,
    DEFAULT_PX_PER_SECOND,
    FIT_RANGE,
    PAD,
    SCROLL_H,
    TOP,
    StripCell,
    cell_rects,
    fit_zoom,
    hit_test,
    insert_index,
    seam_rect,
    timeline_width,
)
from .sequence_strip_paint import StripPaintMixin
from .thumbnail_cache import BackgroundImageLoader, ImageCache, read_thumbnail

__all__ = [
    "DEFAULT_PX_PER_SECOND",
    "FIT_RANGE",
    "POSTER_CACHE_BYTES",
    "POSTER_CACHE_COUNT",
    "SequenceStrip",
    "StripCell",
    "entry_ids_in_drop",
]

#: The decoded posters kept: at most this many bytes and this many posters (a poster is the
#: cell's height, 64 px, times its device pixel ratio: about 30 KB at ratio 1, 120 KB at 2),
#: well above what a strip shows at once, so painting never pushes out a poster it shows.
POSTER_CACHE_BYTES = 24 << 20
POSTER_CACHE_COUNT = 400


class SequenceStrip(StripInputMixin, StripPaintMixin, QWidget):
    """``sequenceStrip``: the cells of :meth:`set_cells`, one selection (a clip or a seam),
    drag to reorder, drop library cards to add. See the module's docstring for the signals."""

    clipSelected = Signal(int)
    seamSelected = Signal(int)  # the index of the clip after the seam
    selectionCleared = Signal()
    moveRequested = Signal(int, int)  # from index, to index (in the list after the move)
    removeRequested = Signal(int)
    idsDropped = Signal(list, int)  # entry ids, insert before this index
    playClipRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sequenceStrip")
        self.setAccessibleName("Sequence strip")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAcceptDrops(True)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(TOP + CELL_H + CAPTION + SCROLL_H + 4)
        self.px_per_second = float(DEFAULT_PX_PER_SECOND)
        self._fit = True
        self._cells: list[StripCell] = []
        self._rects: list[QRect] = []
        self._selected: tuple[str, int] | None = None
        self._press: tuple[QPoint, int] | None = None
        self._drag_from: int | None = None
        self._insert_at: int | None = None
        self._posters = ImageCache(POSTER_CACHE_BYTES, POSTER_CACHE_COUNT)
        self._loader = BackgroundImageLoader(concurrency=2, max_waiting=200, parent=self)
        self._loader.loaded.connect(self._on_loader_loaded)
        self._loader.failed.connect(self._on_loader_failed)
        self._failed: set[str] = set()
        self._empty_text = "Drop clips from the library here, or use Add to sequence."
        self.scroll = QScrollBar(Qt.Orientation.Horizontal, self)
        self.scroll.setObjectName("sequenceStripScroll")
        self.scroll.valueChanged.connect(self.update)
        self.scroll.hide()

    # ---- contents -----------------------------------------------------------------------------

    def set_cells(self, cells: list[StripCell]) -> None:
        """Show ``cells`` (the selection is kept while its index still exists)."""
        self._cells = list(cells)
        # Every poster is asked for now, the last cell's first: the loader starts with the
        # newest request, so the cells on the left (on screen) are decoded first.
        for cell in reversed(self._cells):
            if cell.poster and not cell.missing:
                self._poster(cell.poster)
        if self._selected is not None:
            kind, index = self._selected
            if index >= len(cells) or (kind == "seam" and index < 1):
                self._selected = None
        self._lay_out()
        self._describe()
        self.update()

    def cells(self) -> list[StripCell]:
        """The cells shown."""
        return list(self._cells)

    def set_empty_text(self, text: str) -> None:
        """What the strip says when it has no clips."""
        self._empty_text = text
        self.update()

    def set_px_per_second(self, px: float | None) -> None:
        """The zoom: pixels per second of video; ``None`` fits the whole sequence to the
        strip's width (the default), within :data:`FIT_RANGE`, scrolling beyond."""
        self._fit = px is None
        if px is not None:
            self.px_per_second = max(2.0, float(px))
        self._lay_out()
        self.update()

    def cell_rects(self) -> list[QRect]:
        """Each cell's rectangle in timeline coordinates (before scrolling)."""
        return list(self._rects)

    def seam_rect(self, index: int) -> QRect:
        """The clickable seam before cell ``index`` (1..), timeline coordinates."""
        return seam_rect(self._rects, index)

    def timeline_width(self) -> int:
        """The width of all cells and seams, pixels."""
        return timeline_width(self._rects)

    def posters_pending(self) -> int:
        """Posters asked for and not yet decoded."""
        wanted = {c.poster for c in self._cells if c.poster}
        return sum(1 for path in wanted if path not in self._posters and path not in self._failed)

    def poster_cache(self) -> ImageCache:
        """The decoded posters (``QImage``s at the cell's height in device pixels)."""
        return self._posters

    # ---- selection ----------------------------------------------------------------------------

    def selection(self) -> tuple[str, int] | None:
        """``("clip", i)``, ``("seam", i)`` (the seam before clip ``i``) or ``None``."""
        return self._selected

    def select_clip(self, index: int) -> None:
        """Select clip ``index`` and say so (``clipSelected``)."""
        if 0 <= index < len(self._cells):
            self._select(("clip", index))

    def select_seam(self, index: int) -> None:
        """Select the seam before clip ``index`` (1..) and say so (``seamSelected``)."""
        if 1 <= index < len(self._cells):
            self._select(("seam", index))

    def clear_selection(self) -> None:
        """Select nothing."""
        if self._selected is not None:
            self._selected = None
            self.update()
            self.selectionCleared.emit()

    def _select(self, which: tuple[str, int]) -> None:
        changed = which != self._selected
        self._selected = which
        self._reveal(which)
        self.update()
        if changed:
            (self.clipSelected if which[0] == "clip" else self.seamSelected).emit(which[1])

    def _reveal(self, which: tuple[str, int]) -> None:
        rect = self._rects[which[1]] if which[0] == "clip" else self.seam_rect(which[1])
        view_left, view_width = self.scroll.value(), self.width()
        if rect.left() < view_left + PAD:
            self.scroll.setValue(rect.left() - PAD)
        elif rect.right() > view_left + view_width - PAD:
            self.scroll.setValue(rect.right() - view_width + PAD)

    # ---- geometry -----------------------------------------------------------------------------

    def _lay_out(self) -> None:
        if self._fit:
            fitted = fit_zoom(self._cells, self.width())
            if fitted is not None:
                self.px_per_second = fitted
        self._rects = cell_rects(self._cells, self.px_per_second)
        self._sync_scroll()

    def _sync_scroll(self) -> None:
        extra = max(0, self.timeline_width() - self.width())
        self.scroll.setRange(0, extra)
        self.scroll.setPageStep(max(1, self.width()))
        self.scroll.setSingleStep(round(self.px_per_second))
        self.scroll.setVisible(extra > 0)
        self.scroll.setGeometry(0, self.height() - SCROLL_H, self.width(), SCROLL_H)

    def resizeEvent(self, event) -> None:  # Qt override
        super().resizeEvent(event)
        self._lay_out()

    def sizeHint(self) -> QSize:  # Qt override
        return QSize(min(900, max(320, self.timeline_width())), self.height())

    def _hit(self, pos: QPoint) -> tuple[str, int] | None:
        return hit_test(self._rects, pos.x() + self.scroll.value(), pos.y())

    def _insert_index(self, pos: QPoint) -> int:
        return insert_index(self._rects, pos.x() + self.scroll.value())

    # ---- posters ------------------------------------------------------------------------------

    def _poster(self, path: str) -> QImage | None:
        image = self._posters.get(path)
        if image is None and path not in self._failed and not self._loader.is_pending(path):
            ratio = self.devicePixelRatioF()
            self._loader.request(path, lambda p=path, r=ratio: _poster_tile(p, r))
        return image

    def _on_loader_loaded(self, key: str, image: QImage) -> None:
        # Decoded at the cell's height in device pixels: painting it is a plain copy. Kept as
        # a QImage (the cache counts its bytes; on the raster engine a pixmap is one anyway).
        image.setDevicePixelRatio(self.devicePixelRatioF())
        self._posters.put(key, image)
        self.update()

    def _on_loader_failed(self, key: str, _message: str) -> None:
        self._failed.add(key)
        self.update()

    # ---- accessibility ------------------------------------------------------------------------

    def _describe(self) -> None:
        total = sum(c.seconds for c in self._cells)
        count = len(self._cells)
        self.setAccessibleDescription(
            f"{count} clip{'s' if count != 1 else ''}, {format_duration(total)} before crossfades"
            if count
            else self._empty_text
        )


def _poster_tile(path: str, ratio: float) -> QImage:
    """The poster at the cell's height in device pixels (worker thread)."""
    height = round(CELL_H * ratio)
    image = read_thumbnail(path, QSize(height * 4, height))
    if image.height() != height:
        image = image.scaledToHeight(height, Qt.TransformationMode.SmoothTransformation)
    return image
