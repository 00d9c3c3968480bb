"""One take in the contact sheet: its current frame, painted by the widget itself (so
``grab()`` sees it), with the take's label, its stars and its pick or reject badge on top.

The label is the take's variant ("seed 1234", "prompt B · seed 1234") or title, drawn with
``drawText`` (plain text: a crafted title cannot render markup). A rejected take is dimmed; the
current one has an accent frame. The cell says its picture area in device pixels
(``device_size_changed``) so frames are decoded at that size and painting copies them. GUI
thread.
"""

from __future__ import annotations

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


def stars_text(rating: int) -> str:
    """``rating`` (0–5) as five stars, filled ones first ("★★★☆☆"); "" when unrated."""
    rating = max(0, min(5, rating))
    return "" if rating == 0 else "\u2605" * rating + "\u2606" * (5 - rating)


class SheetCell(QWidget):
    """``contactSheetCell``: take ``number`` (0-based) of the sheet.

    ``clicked(number)`` on a press, ``activated(number)`` on a double-click, ``hovered(number)``
    when the pointer comes in and ``left(number)`` when it goes.
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
        self.setMinimumSize(QSize(160, 90))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
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

    def event(self, event) -> bool:  # Qt override
        if event.type() == QEvent.Type.DevicePixelRatioChange:
            self.device_size_changed.emit(self.device_size())
        return super().event(event)

    def changeEvent(self, event) -> None:  # Qt override
        if event.type() == QEvent.Type.FontChange:  # the caption and badge are drawn again
            self._caption_cache = self._badge_cache = None
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

    def paintEvent(self, _event) -> None:  # Qt override
        c = colors()
        painter = QPainter(self)
        # The take is a tile the shape of its picture; the rest of the cell is the window's.
        # (The grid makes cells that shape, so usually the picture covers all: no fills.)
        tile = self.tile_rect()
        if tile != self.rect():
            painter.fillRect(self.rect(), self.palette().window())
        image = self._image
        if image is None or image.isNull() or image.hasAlphaChannel():
            painter.fillRect(tile, QColor(c.canvas_bg))
        if self._image is not None and not self._image.isNull():
            ratio = self.devicePixelRatioF()
            if self._image.width() != round(tile.width() * ratio):
                # Larger than the proxy (two takes on a big screen) or a picture of the old
                # size while a resize is decoded: smoothed, not blocky. The usual case is a copy.
                painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(tile, self._image)
        else:
            painter.setPen(QColor("#b8b8c4"))
            painter.drawText(
                tile.adjusted(_PAD, _PAD, -_PAD, -_PAD),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                self._message,
            )
        if self.flag == "rejected":
            painter.fillRect(tile, QColor(0, 0, 0, 130))
        # The caption and the badge change far less often than the frames: drawn once into
        # pixmaps (text layout is the costly part of a paint), then copied with each frame.
        caption = self._caption(tile.width())
        band_h = round(caption.deviceIndependentSize().height())
        painter.drawPixmap(tile.left(), tile.bottom() + 1 - band_h, caption)
        if self.flag in FLAG_TEXT:
            painter.drawPixmap(tile.left() + _PAD, tile.top() + _PAD, self._badge())
        if self.current:
            colour = QColor(c.accent if self.flag != "rejected" else c.muted)
            x, y, w, h, f = tile.x(), tile.y(), tile.width(), tile.height(), _FRAME_PX
            for rect in (QRect(x, y, w, f), QRect(x, y + h - f, w, f), QRect(x, y, f, h),
                         QRect(x + w - f, y, f, h)):  # fmt: skip
                painter.fillRect(rect, colour)
        painter.end()  # now, not when a reference to this frame goes (a profiler's sample)

    def tile_rect(self) -> QRect:
        """Where the take is drawn: its picture fitted and centred (16:9 until one comes). A
        picture made for this size (within the 2 px even sides may lose) keeps its own size,
        so painting copies it instead of scaling it."""
        image = self._image
        if image is None or image.isNull():
            size = QSize(16, 9).scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        else:
            ratio = self.devicePixelRatioF()
            fitted = image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
            own = QSize(round(image.width() / ratio), round(image.height() / ratio))
            dw, dh = fitted.width() - own.width(), fitted.height() - own.height()
            size = own if 0 <= dw <= 2 and 0 <= dh <= 2 else fitted
        top_left = QPoint((self.width() - size.width()) // 2, (self.height() - size.height()) // 2)
        return QRect(top_left, size)

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
        band = QRect(0, 0, width, metrics.height() + 2 * 5)
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
