"""One take in the contact sheet: its current frame, with the take's label, its stars and its
pick or reject badge on top.

The cell is a widget for the pointer, the keys' focus and accessibility; its grid
(:class:`~.sheet_grid.SheetGrid`) paints it, through :meth:`SheetCell.paint`, in one paint event
for every cell with one painter: eight cells playing at 24 fps would otherwise be 192 paint
events a second on the GUI thread, each a painter begun on the window's backing store. The
cell paints nothing itself (it is not opaque), so a change to it repaints its part of the
grid. ``grab()`` of the sheet or the grid shows the pictures.

The label is the take's variant ("seed 1234", "prompt B · seed 1234") or title, drawn with
``drawText`` (plain text: a crafted title cannot render markup). A rejected take is dimmed; the
current one has an accent frame. The cell says its picture area in device pixels
(``device_size_changed``) so frames are decoded at that size and painting copies them. GUI
thread.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPoint, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPainterPath, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget

from .theme import colors

__all__ = ["FLAG_TEXT", "SheetCell", "stars_text"]

#: The badge for each flag value of the library ("" draws none).
FLAG_TEXT = {"picked": "PICK", "rejected": "REJECT"}
#: Badge colours: on video, whatever the scheme (white text reads on both).
_BADGE_COLOUR = {"picked": "#2e7d32", "rejected": "#c62828"}
_FRAME_PX = 3  # the current cell's accent frame
_PAD = 8


@dataclass(frozen=True, slots=True)
class _Layout:
    """A cell's geometry for one picture size: the ``tile`` the picture fills, the strips of
    the cell around it (``margins``, often a pixel wide: the grid's cells and the pictures
    round differently), whether the picture is ``scaled`` to fit, where the caption goes
    (``caption_at``) and the accent ``frame``'s four bars."""

    tile: QRect
    margins: tuple[QRect, ...]
    scaled: bool
    caption_at: QPoint
    frame: tuple[QRect, ...]


def _around(outer: QRect, inner: QRect) -> tuple[QRect, ...]:
    """The parts of ``outer`` outside ``inner`` (a rectangle inside it), as up to four strips."""
    strips = (
        QRect(outer.left(), outer.top(), outer.width(), inner.top() - outer.top()),
        QRect(outer.left(), inner.bottom() + 1, outer.width(), outer.bottom() - inner.bottom()),
        QRect(outer.left(), inner.top(), inner.left() - outer.left(), inner.height()),
        QRect(inner.right() + 1, inner.top(), outer.right() - inner.right(), inner.height()),
    )
    return tuple(strip for strip in strips if not strip.isEmpty())


def stars_text(rating: int) -> str:
    """``rating`` (0–5) as five stars, filled ones first ("★★★☆☆"); "" when unrated."""
    rating = max(0, min(5, rating))
    return "" if rating == 0 else "\u2605" * rating + "\u2606" * (5 - rating)


class SheetCell(QWidget):
    """``contactSheetCell``: take ``number`` (0-based) of the sheet.

    ``clicked(number)`` on a press, ``activated(number)`` on a double-click, ``hovered(number)``
    when the pointer comes in and ``left(number)`` when it goes. Its parent paints it
    (:meth:`paint`); it says its device size on a resize and when its grid hears of a new
    pixel ratio (:meth:`device_ratio_changed`).
    """

    clicked = Signal(int)
    activated = Signal(int)
    hovered = Signal(int)
    left = Signal(int)
    device_size_changed = Signal(QSize)

    def __init__(self, number: int, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("contactSheetCell")
        self.number = number
        self.label = label
        self.rating = 0
        self.flag = ""
        self.current = False
        self.frame_index = -1
        """The frame index shown (-1: none yet)."""
        self._image: QImage | None = None
        self._message = "Loading…"
        self._caption_cache: tuple[tuple, QPixmap] | None = None
        self._badge_cache: tuple[tuple, QPixmap] | None = None
        # Where things go for one picture size, cell size and pixel ratio (see _layout).
        self._layout_cache: tuple[tuple, _Layout] | None = None
        self.setMinimumSize(QSize(160, 90))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMouseTracking(True)
        self._update_accessible()

    # ---- state ----------------------------------------------------------------------------

    def set_frame(self, index: int, image: QImage) -> None:
        """Show frame ``index`` (``image``)."""
        self.frame_index = index
        self._image = image
        self.update()

    def image(self) -> QImage | None:
        """The picture on screen, or ``None``."""
        return self._image

    def set_message(self, message: str) -> None:
        """The sentence shown while there is no picture (or instead of it, after a failure)."""
        self._message = message
        self.update()

    def fail(self, message: str) -> None:
        """The take cannot be played: say so in place of its picture."""
        self._image = None
        self.set_message(message)

    def set_marks(self, rating: int, flag: str) -> None:
        """The take's stars (0–5) and flag ("", "picked", "rejected")."""
        self.rating = rating
        self.flag = flag
        self._update_accessible()
        self.update()

    def set_current(self, current: bool) -> None:
        """Whether the keyboard acts on this take (an accent frame)."""
        if current != self.current:
            self.current = current
            self.update()

    def _update_accessible(self) -> None:
        parts = [f"Take {self.number + 1}", self.label]
        if self.rating:
            parts.append(f"{self.rating} star{'s' if self.rating != 1 else ''}")
        if self.flag:
            parts.append(self.flag)
        self.setAccessibleName(", ".join(p for p in parts if p))

    # ---- geometry -------------------------------------------------------------------------

    def device_size(self) -> QSize:
        """The cell's size in device pixels (what a picture needs to look sharp)."""
        ratio = self.devicePixelRatioF()
        return QSize(round(self.width() * ratio), round(self.height() * ratio))

    def resizeEvent(self, event) -> None:  # Qt override
        super().resizeEvent(event)
        self.device_size_changed.emit(self.device_size())

    def device_ratio_changed(self) -> None:
        """The window moved to a screen of another pixel ratio (the grid hears it, so the
        cells need no ``event()`` of their own: each of their events would enter Python)."""
        self._caption_cache = self._badge_cache = self._layout_cache = None
        self.device_size_changed.emit(self.device_size())

    def changeEvent(self, event) -> None:  # Qt override
        if event.type() == QEvent.Type.FontChange:  # the caption and badge are drawn again
            self._caption_cache = self._badge_cache = self._layout_cache = None
        super().changeEvent(event)

    # ---- pointer --------------------------------------------------------------------------

    def mousePressEvent(self, event) -> None:  # Qt override
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.number)
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:  # Qt override
        if event.button() == Qt.MouseButton.LeftButton:
            self.activated.emit(self.number)

    def enterEvent(self, event) -> None:  # Qt override
        self.hovered.emit(self.number)
        super().enterEvent(event)

    def leaveEvent(self, event) -> None:  # Qt override
        self.left.emit(self.number)
        super().leaveEvent(event)

    # ---- painting -------------------------------------------------------------------------

    def paint(self, painter: QPainter) -> None:
        """Paint the cell with ``painter``, in the cell's own coordinates (its grid translates
        to the cell first). The painter's state is the caller's to save and restore."""
        layout = self._layout()
        tile = layout.tile
        image = self._image
        if layout.margins:  # the window's colour around the picture, not under it as well
            window = self.palette().window()
            for strip in layout.margins:
                painter.fillRect(strip, window)
        if image is None or image.isNull() or image.hasAlphaChannel():
            painter.fillRect(tile, QColor(colors().canvas_bg))
        if image is None or image.isNull():
            painter.setPen(QColor("#b8b8c4"))
            painter.drawText(
                tile.adjusted(_PAD, _PAD, -_PAD, -_PAD),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                self._message,
            )
        else:
            # Larger than the proxy (two takes on a big screen) or a picture of the old size
            # while a resize is decoded: smoothed, not blocky. The usual case is a copy.
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, layout.scaled)
            painter.drawImage(tile, image)
        if self.flag == "rejected":
            painter.fillRect(tile, QColor(0, 0, 0, 130))
        # The caption and the badge change far less often than the frames: drawn once into
        # pixmaps (text layout is the costly part of a paint), then copied with each frame.
        painter.drawPixmap(layout.caption_at, self._caption(tile.width()))
        if self.flag in FLAG_TEXT:
            painter.drawPixmap(tile.left() + _PAD, tile.top() + _PAD, self._badge())
        if self.current:
            c = colors()
            colour = QColor(c.accent if self.flag != "rejected" else c.muted)
            for rect in layout.frame:
                painter.fillRect(rect, colour)

    def tile_rect(self) -> QRect:
        """Where the take is drawn: its picture fitted and centred (16:9 until one comes). A
        picture made for this size (within the 2 px even sides may lose) keeps its own size,
        so painting copies it instead of scaling it."""
        return self._layout().tile

    def _layout(self) -> _Layout:
        """Where the picture, caption and frame go: worked out once per picture size, cell
        size, pixel ratio and font, not in each of the 24 paints a second."""
        image = self._image
        picture = QSize() if image is None or image.isNull() else image.size()
        ratio = self.devicePixelRatioF()
        key = (picture.width(), picture.height(), self.width(), self.height(), ratio)
        if self._layout_cache is not None and self._layout_cache[0] == key:
            return self._layout_cache[1]
        if picture.isEmpty():
            size = QSize(16, 9).scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        else:
            fitted = picture.scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
            own = QSize(round(picture.width() / ratio), round(picture.height() / ratio))
            dw, dh = fitted.width() - own.width(), fitted.height() - own.height()
            size = own if 0 <= dw <= 2 and 0 <= dh <= 2 else fitted
        top_left = QPoint((self.width() - size.width()) // 2, (self.height() - size.height()) // 2)
        tile = QRect(top_left, size)
        x, y, w, h, f = tile.x(), tile.y(), tile.width(), tile.height(), _FRAME_PX
        frame = (QRect(x, y, w, f), QRect(x, y + h - f, w, f), QRect(x, y, f, h),
                 QRect(x + w - f, y, f, h))  # fmt: skip
        layout = _Layout(
            tile=tile,
            margins=_around(self.rect(), tile),
            scaled=not picture.isEmpty() and picture.width() != round(w * ratio),
            caption_at=QPoint(x, tile.bottom() + 1 - self._caption_height()),
            frame=frame,
        )
        self._layout_cache = (key, layout)
        return layout

    def _caption_height(self) -> int:
        """The caption band's height in logical pixels (the font's line and a margin)."""
        return QFontMetrics(self.font()).height() + 2 * 5

    def _pixmap(self, size: QSize) -> QPixmap:
        """A transparent pixmap of ``size`` logical pixels, sharp at the cell's pixel ratio."""
        ratio = self.devicePixelRatioF()
        pixmap = QPixmap(round(size.width() * ratio), round(size.height() * ratio))
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        return pixmap

    def _caption(self, width: int) -> QPixmap:
        """The band at the tile's bottom, ``width`` wide: the number and label at the left,
        the stars at the right."""
        key = (width, self.devicePixelRatioF(), self.label, self.rating)
        if self._caption_cache is not None and self._caption_cache[0] == key:
            return self._caption_cache[1]
        font = QFont(self.font())
        metrics = QFontMetrics(font)
        band = QRect(0, 0, width, self._caption_height())
        pixmap = self._pixmap(band.size())
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(band, QColor(0, 0, 0, 150))
        text_rect = band.adjusted(_PAD, 0, -_PAD, 0)
        stars = stars_text(self.rating)
        stars_w = 0
        if stars:
            star_font = QFont(font)
            star_font.setPointSizeF(font.pointSizeF() * 1.1)
            painter.setFont(star_font)
            painter.setPen(QColor("#ffc94d"))
            stars_w = QFontMetrics(star_font).horizontalAdvance(stars) + _PAD
            right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
            painter.drawText(text_rect, right, stars)
        painter.setFont(font)
        painter.setPen(QColor("#f2f2f6"))
        label = f"{self.number + 1}  {self.label}".rstrip()
        room = max(0, text_rect.width() - stars_w)
        elided = metrics.elidedText(label, Qt.TextElideMode.ElideRight, room)
        left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(text_rect.adjusted(0, 0, -stars_w, 0), left, elided)
        painter.end()
        self._caption_cache = (key, pixmap)
        return pixmap

    def _badge(self) -> QPixmap:
        """A pill for the flag: PICK (green) or REJECT (red)."""
        key = (self.flag, self.devicePixelRatioF())
        if self._badge_cache is not None and self._badge_cache[0] == key:
            return self._badge_cache[1]
        text = FLAG_TEXT[self.flag]
        font = QFont(self.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 0.9)
        metrics = QFontMetrics(font)
        rect = QRectF(0, 0, metrics.horizontalAdvance(text) + 16, metrics.height() + 6)
        pixmap = self._pixmap(rect.size().toSize())
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        path = QPainterPath()
        path.addRoundedRect(rect, rect.height() / 2, rect.height() / 2)
        painter.fillPath(path, QColor(_BADGE_COLOUR[self.flag]))
        painter.setFont(font)
        painter.setPen(QColor("#ffffff"))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.end()
        self._badge_cache = (key, pixmap)
        return pixmap
