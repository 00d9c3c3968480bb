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
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QFontMetrics,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
    QWheelEvent,
)
from PySide6.QtWidgets import QApplication, QMenu, QScrollBar, QSizePolicy, QWidget

from ..library.ids import is_valid_id
from .formats import format_duration
from .plain_text import tooltip_text
from .theme import colors
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

#: Pixels per second of video before the strip fits itself to its width.
DEFAULT_PX_PER_SECOND = 28
#: The zooms the strip picks from when it fits the sequence to its width, pixels a second:
#: a long sequence scrolls rather than shrink its clips to slivers.
FIT_RANGE = (14.0, 72.0)
#: The decoded posters kept: at most this many bytes and this many posters (a poster is the
#: cell's height, 64 px, times its device pixel ratio: about 30 KB at ratio 1, 120 KB at 2),
#: well above what a strip shows at once, so painting never pushes out a poster it shows.
POSTER_CACHE_BYTES = 24 << 20
POSTER_CACHE_COUNT = 400
_MIN_CELL = 18  # a clip of a few frames stays clickable
_PAD = 10  # left and right of the first and last cell
_GAP = 14  # the seam between two cells
_TOP = 22  # above the cells: the crossfades
_CELL_H = 64
_CAPTION = 20  # below the cells: the titles
_SCROLL_H = 12
_RADIUS = 5.0
_EDGE_PX = 28  # a drag this close to an edge scrolls the strip
_EDGE_STEP = 16  # pixels scrolled per pointer move there


@dataclass(frozen=True, slots=True)
class StripCell:
    """One clip as the strip draws it: ``seconds`` of it used, its ``title``, the ``poster``
    image's path (``None``: none), and the seam before it: ``head_frames`` of the clip
    dropped at its start, ``crossfade`` frames with the clip before, ``tail_frames`` of the
    clip before cut off at its end. ``missing``: the entry is gone from the library."""

    entry_id: str
    seconds: float
    title: str
    poster: str | None = None
    head_frames: int = 0
    tail_frames: int = 0
    crossfade: int = 0
    missing: bool = False


def entry_ids_in_drop(mime, source) -> list[str]:
    """The library clips a drop carries: the library grid's selection when it is the source
    (it has ``selected_ids``), else the entry folders of dropped library files."""
    selected = getattr(source, "selected_ids", None)
    if callable(selected):
        return list(selected())
    ids = []
    for url in mime.urls() if mime is not None and mime.hasUrls() else []:
        if url.isLocalFile():
            folder = Path(url.toLocalFile()).parent.name
            if is_valid_id(folder) and folder not in ids:
                ids.append(folder)
    return ids


class SequenceStrip(QWidget):
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
        self.setFixedHeight(_TOP + _CELL_H + _CAPTION + _SCROLL_H + 4)
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
        left = self._rects[index - 1].right() + 1
        return QRect(left, _TOP - 6, _GAP, _CELL_H + 12)

    def timeline_width(self) -> int:
        """The width of all cells and seams, pixels."""
        return (self._rects[-1].right() + 1 + _PAD) if self._rects else 0

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
        if rect.left() < view_left + _PAD:
            self.scroll.setValue(rect.left() - _PAD)
        elif rect.right() > view_left + view_width - _PAD:
            self.scroll.setValue(rect.right() - view_width + _PAD)

    # ---- geometry -----------------------------------------------------------------------------

    def _fit_zoom(self) -> None:
        seconds = sum(cell.seconds for cell in self._cells)
        if not self._fit or seconds <= 0:
            return
        room = self.width() - 2 * _PAD - _GAP * (len(self._cells) - 1)
        low, high = FIT_RANGE
        self.px_per_second = max(low, min(high, room / seconds))

    def _lay_out(self) -> None:
        self._fit_zoom()
        x = _PAD
        rects = []
        for cell in self._cells:
            width = max(_MIN_CELL, round(cell.seconds * self.px_per_second))
            rects.append(QRect(x, _TOP, width, _CELL_H))
            x += width + _GAP
        self._rects = rects
        self._sync_scroll()

    def _sync_scroll(self) -> None:
        extra = max(0, self.timeline_width() - self.width())
        self.scroll.setRange(0, extra)
        self.scroll.setPageStep(max(1, self.width()))
        self.scroll.setSingleStep(round(self.px_per_second))
        self.scroll.setVisible(extra > 0)
        self.scroll.setGeometry(0, self.height() - _SCROLL_H, self.width(), _SCROLL_H)

    def resizeEvent(self, event) -> None:  # Qt override
        super().resizeEvent(event)
        self._lay_out()

    def sizeHint(self) -> QSize:  # Qt override
        return QSize(min(900, max(320, self.timeline_width())), self.height())

    def _hit(self, pos: QPoint) -> tuple[str, int] | None:
        x = pos.x() + self.scroll.value()
        point = QPoint(x, pos.y())
        for index in range(1, len(self._rects)):
            if self.seam_rect(index).contains(point):
                return ("seam", index)
        for index, rect in enumerate(self._rects):
            if (
                rect.left() <= x <= rect.right()
                and _TOP - 6 <= pos.y() <= _TOP + _CELL_H + _CAPTION
            ):
                return ("clip", index)
        return None

    def _insert_index(self, pos: QPoint) -> int:
        x = pos.x() + self.scroll.value()
        for index, rect in enumerate(self._rects):
            if x < rect.center().x():
                return index
        return len(self._rects)

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

    # ---- painting -----------------------------------------------------------------------------

    def paintEvent(self, _event: QPaintEvent) -> None:  # Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        painter.fillRect(self.rect(), palette.color(QPalette.ColorRole.Base))
        if not self._cells:
            painter.setPen(QColor(colors().muted))
            painter.drawText(self.rect().adjusted(12, 0, -12, -_SCROLL_H),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                             self._empty_text)  # fmt: skip
            return
        offset = self.scroll.value()
        painter.translate(-offset, 0)
        visible = QRect(offset, 0, self.width(), self.height())
        for index, (cell, rect) in enumerate(zip(self._cells, self._rects, strict=True)):
            if rect.right() + _GAP < visible.left() or rect.left() - _GAP > visible.right():
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
        caption = QRect(rect.left() + 2, rect.bottom() + 3, rect.width() - 4, _CAPTION - 4)
        number = str(index + 1)
        elided = metrics.elidedText(f"{number}  {cell.title}", Qt.TextElideMode.ElideRight,
                                    caption.width())  # fmt: skip
        if len(elided) < len(number) + 4:  # no room for a word of the title: the number
            elided = number if metrics.horizontalAdvance(number) <= caption.width() else ""
        left_middle = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(caption, left_middle, elided)
        # The length on a dark tab in the picture's corner: the row above the cells is the
        # seams' (their crossfades), and text over a poster needs its own background.
        text = _length_text(cell.seconds)
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
        centre = QPointF(rect.center().x() + 0.5, _TOP + _CELL_H / 2)
        size = 6.0 if (selected or edited) else 4.5
        diamond = QPainterPath()
        diamond.moveTo(centre.x(), centre.y() - size)
        diamond.lineTo(centre.x() + size, centre.y())
        diamond.lineTo(centre.x(), centre.y() + size)
        diamond.lineTo(centre.x() - size, centre.y())
        diamond.closeSubpath()
        painter.setPen(QPen(colour, 1.5))
        painter.drawLine(QPointF(centre.x(), _TOP + 2), QPointF(centre.x(), centre.y() - size))
        painter.drawLine(
            QPointF(centre.x(), centre.y() + size), QPointF(centre.x(), _TOP + _CELL_H - 2)
        )
        painter.setBrush(colour if (cell.crossfade or selected) else Qt.BrushStyle.NoBrush)
        painter.drawPath(diamond)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if cell.crossfade:
            painter.setPen(QColor(colors().warning))
            label = QRect(rect.left() - 20, 2, rect.width() + 40, _TOP - 6)
            painter.drawText(label, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                             f"✕{cell.crossfade}")  # fmt: skip

    def _paint_insert(self, painter: QPainter, at: int) -> None:
        if not self._rects:
            x = _PAD
        elif at >= len(self._rects):
            x = self._rects[-1].right() + _GAP // 2
        else:
            x = self._rects[at].left() - _GAP // 2
        painter.setPen(QPen(QColor(colors().accent), 3))
        painter.drawLine(x, _TOP - 8, x, _TOP + _CELL_H + 8)

    def _describe(self) -> None:
        total = sum(c.seconds for c in self._cells)
        count = len(self._cells)
        self.setAccessibleDescription(
            f"{count} clip{'s' if count != 1 else ''}, {format_duration(total)} before crossfades"
            if count
            else self._empty_text
        )

    # ---- mouse --------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:  # Qt override
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        hit = self._hit(event.position().toPoint())
        if event.button() != Qt.MouseButton.LeftButton:
            if hit is not None:
                self._select(hit)
            return
        if hit is None:
            self.clear_selection()
            return
        self._select(hit)
        if hit[0] == "clip":
            self._press = (event.position().toPoint(), hit[1])

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # Qt override
        pos = event.position().toPoint()
        if self._press is None:
            hit = self._hit(pos)
            self.setToolTip(self._tip(hit))
            return
        start, index = self._press
        if self._drag_from is None:
            if (pos - start).manhattanLength() < QApplication.startDragDistance():
                return
            self._drag_from = index
        # Near an edge the strip scrolls, so a clip can be dragged past what is on screen.
        if pos.x() < _EDGE_PX:
            self.scroll.setValue(self.scroll.value() - _EDGE_STEP)
        elif pos.x() > self.width() - _EDGE_PX:
            self.scroll.setValue(self.scroll.value() + _EDGE_STEP)
        self._insert_at = self._insert_index(pos)
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # Qt override
        source, at = self._drag_from, self._insert_at
        self._press = None
        self._drag_from = self._insert_at = None
        self.update()
        if source is None or at is None:
            return
        target = at - 1 if at > source else at
        if target != source:
            self.moveRequested.emit(source, target)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # Qt override
        hit = self._hit(event.position().toPoint())
        if hit is not None and hit[0] == "clip":
            self.playClipRequested.emit(self._cells[hit[1]].entry_id)

    def wheelEvent(self, event: QWheelEvent) -> None:  # Qt override
        delta = event.angleDelta()
        step = delta.x() or delta.y()
        self.scroll.setValue(self.scroll.value() - step)
        event.accept()

    def _tip(self, hit: tuple[str, int] | None) -> str:
        if hit is None:
            return ""
        cell = self._cells[hit[1]]
        if hit[0] == "clip":
            return tooltip_text(f"{cell.title}\n{_length_text(cell.seconds)} used")
        parts = [f"Seam {hit[1]}: click to edit"]
        if cell.head_frames:
            parts.append(f"clip {hit[1] + 1} starts at frame {cell.head_frames}")
        if cell.tail_frames:
            parts.append(f"clip {hit[1]} loses its last {cell.tail_frames} frames")
        if cell.crossfade:
            parts.append(f"{cell.crossfade}-frame crossfade")
        return tooltip_text("\n".join(parts))

    # ---- keys and menu ------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:  # Qt override
        key, mods = event.key(), event.modifiers()
        selected = self._selected
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and selected and selected[0] == "clip":
            self.removeRequested.emit(selected[1])
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right) and self._cells:
            step = -1 if key == Qt.Key.Key_Left else 1
            if mods & Qt.KeyboardModifier.ControlModifier and selected and selected[0] == "clip":
                target = selected[1] + step
                if 0 <= target < len(self._cells):
                    self.moveRequested.emit(selected[1], target)
            else:
                self._step(step)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and selected and selected[0] == "clip":
            self.playClipRequested.emit(self._cells[selected[1]].entry_id)
        elif key == Qt.Key.Key_Escape and self._drag_from is not None:
            self._press = None
            self._drag_from = self._insert_at = None
            self.update()
        else:
            super().keyPressEvent(event)

    def _step(self, step: int) -> None:
        """Left and Right walk clip, seam, clip, seam … along the strip."""
        stops = [("clip", 0)]
        for index in range(1, len(self._cells)):
            stops += [("seam", index), ("clip", index)]
        here = stops.index(self._selected) if self._selected in stops else -1
        target = stops[max(0, min(len(stops) - 1, here + step))] if here >= 0 else stops[0]
        self._select(target)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # Qt override
        hit = self._hit(event.pos())
        if hit is None:
            return
        menu = QMenu(self)
        menu.setObjectName("sequenceStripMenu")
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        index = hit[1]
        if hit[0] == "clip":
            entry_id = self._cells[index].entry_id
            menu.addAction("Play this clip", lambda: self.playClipRequested.emit(entry_id))
            menu.addSeparator()
            left = menu.addAction("Move left", lambda: self.moveRequested.emit(index, index - 1))
            left.setEnabled(index > 0)
            right = menu.addAction("Move right", lambda: self.moveRequested.emit(index, index + 1))
            right.setEnabled(index < len(self._cells) - 1)
            menu.addSeparator()
            menu.addAction("Remove from sequence\tDel", lambda: self.removeRequested.emit(index))
        else:
            menu.addAction("Edit this seam", lambda: self.seamSelected.emit(index))
        menu.popup(event.globalPos())

    # ---- drops from the library ---------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # Qt override
        if entry_ids_in_drop(event.mimeData(), event.source()):
            event.acceptProposedAction()
            self._insert_at = self._insert_index(event.position().toPoint())
            self.update()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # Qt override
        self._insert_at = self._insert_index(event.position().toPoint())
        event.acceptProposedAction()
        self.update()

    def dragLeaveEvent(self, _event) -> None:  # Qt override
        self._insert_at = None
        self.update()

    def dropEvent(self, event: QDropEvent) -> None:  # Qt override
        ids = entry_ids_in_drop(event.mimeData(), event.source())
        at = self._insert_index(event.position().toPoint())
        self._insert_at = None
        self.update()
        if ids:
            event.acceptProposedAction()
            self.idsDropped.emit(ids, at)


def _poster_tile(path: str, ratio: float) -> QImage:
    """The poster at the cell's height in device pixels (worker thread)."""
    height = round(_CELL_H * ratio)
    image = read_thumbnail(path, QSize(height * 4, height))
    if image.height() != height:
        image = image.scaledToHeight(height, Qt.TransformationMode.SmoothTransformation)
    return image


def _length_text(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds < 60 else format_duration(seconds)
