"""The compare view's picture area (``compareCanvas``): the two clips side by side, as a wipe
with a draggable divider, as their amplified difference, or one at a time (the A/B toggle).
GUI thread; it only paints the ``QImage``s a :class:`~.compare_feed.ComparePicture` brings.

In the wipe, B is drawn in A's frame (stretched to it should their shapes differ), left of the
divider A, right of it B. Badges name what each part shows; they are painted text, never
markup.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from .compare_feed import ComparePicture
from .theme import colors

__all__ = ["GAP_PX", "MODES", "CompareCanvas"]

#: The views, in the order of their buttons: (key, label).
MODES: tuple[tuple[str, str], ...] = (
    ("side", "Side by side"),
    ("wipe", "Wipe"),
    ("difference", "Difference"),
    ("toggle", "A/B"),
)
#: Space between the two pictures side by side, px.
GAP_PX = 6
#: How close to the divider (px) a press grabs it rather than jumping it there.
_GRAB_PX = 8


def _fit(image_size: QSize, box: QRect) -> QRect:
    """``image_size`` fitted into ``box`` (aspect kept), centred."""
    if image_size.isEmpty() or box.isEmpty():
        return QRect(box.topLeft(), QSize(0, 0))
    size = image_size.scaled(box.size(), Qt.AspectRatioMode.KeepAspectRatio)
    x = box.x() + (box.width() - size.width()) // 2
    y = box.y() + (box.height() - size.height()) // 2
    return QRect(QPoint(x, y), size)


class CompareCanvas(QWidget):
    """Paints the latest :class:`ComparePicture` in the current view.

    ``mode`` is one of :data:`MODES`' keys; ``showing_b`` which clip the A/B view shows;
    ``wipe_fraction`` where the divider is across the picture (0 … 1). ``wipe_moved(fraction)``
    when the divider is dragged. ``device_size_changed(size)``: the size pictures should be
    made at, in device pixels.
    """

    wipe_moved = Signal(float)
    device_size_changed = Signal(QSize)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compareCanvas")
        self.setAccessibleName("Compared pictures")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(QSize(320, 180))
        self.setMouseTracking(True)
        self.mode = "side"
        self.showing_b = False
        self.wipe_fraction = 0.5
        self._picture: ComparePicture | None = None
        self._message = "Opening the clips…"
        self._dragging = False

    # ---- what it shows --------------------------------------------------------------------

    def set_picture(self, picture: ComparePicture | None) -> None:
        """Paint ``picture`` (None: the message)."""
        self._picture = picture
        self.update()

    def picture(self) -> ComparePicture | None:
        """The picture painted now."""
        return self._picture

    def set_message(self, message: str) -> None:
        """What shows while there is no picture (or over it, for a failure)."""
        self._message = message
        self.update()

    def set_mode(self, mode: str) -> None:
        """Show view ``mode`` (a key of :data:`MODES`)."""
        if mode not in dict(MODES):
            raise ValueError(f"mode must be one of {', '.join(k for k, _ in MODES)}: {mode!r}")
        self.mode = mode
        self.setCursor(
            Qt.CursorShape.SplitHCursor if mode == "wipe" else Qt.CursorShape.ArrowCursor
        )
        self.update()

    def set_showing_b(self, showing_b: bool) -> None:
        """In the A/B view, show clip B (True) or A."""
        self.showing_b = showing_b
        self.update()

    def set_wipe_fraction(self, fraction: float) -> None:
        """Put the wipe's divider ``fraction`` of the way across the picture (0 … 1)."""
        self.wipe_fraction = min(1.0, max(0.0, float(fraction)))
        self.update()

    def device_size(self) -> QSize:
        """The whole canvas in device pixels: the largest a picture is painted."""
        ratio = self.devicePixelRatioF()
        return QSize(round(self.width() * ratio), round(self.height() * ratio))

    def slot_device_size(self) -> QSize:
        """Where one picture is painted in this view, in device pixels: half the canvas side
        by side, all of it otherwise (pictures made at this size are painted unscaled)."""
        ratio = self.devicePixelRatioF()
        width = (self.width() - GAP_PX) // 2 if self.mode == "side" else self.width()
        return QSize(round(width * ratio), round(self.height() * ratio))

    # ---- geometry (also for tests) --------------------------------------------------------

    def side_rects(self) -> tuple[QRect, QRect]:
        """Where A and B are painted side by side."""
        half = (self.width() - GAP_PX) // 2
        left = QRect(0, 0, half, self.height())
        right = QRect(self.width() - half, 0, half, self.height())
        picture = self._picture
        if picture is None:
            return left, right
        return _fit(picture.a.size(), left), _fit(picture.b.size(), right)

    def full_rect(self) -> QRect:
        """Where the one picture of the wipe, difference and A/B views is painted."""
        picture = self._picture
        if picture is None:
            return self.rect()
        image = picture.b if self.mode == "toggle" and self.showing_b else picture.a
        return _fit(image.size(), self.rect())

    def divider_x(self) -> int:
        """The wipe divider's x, in widget pixels."""
        rect = self.full_rect()
        return rect.x() + round(rect.width() * self.wipe_fraction)

    # ---- painting -------------------------------------------------------------------------

    def paintEvent(self, _event) -> None:  # Qt override
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(colors().canvas_bg))
        picture = self._picture
        if picture is None:
            self._paint_message(painter, self.rect())
            return
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        if self.mode == "side":
            left, right = self.side_rects()
            painter.drawImage(left, picture.a)
            painter.drawImage(right, picture.b)
            self._badge(painter, left, f"A · frame {picture.a_index}", Qt.AlignmentFlag.AlignLeft)
            self._badge(painter, right, f"B · frame {picture.b_index}", Qt.AlignmentFlag.AlignLeft)
        elif self.mode == "wipe":
            self._paint_wipe(painter, picture)
        elif self.mode == "difference":
            rect = self.full_rect()
            if picture.difference is None:
                self._paint_message(painter, self.rect(), "Working out the difference…")
                return
            painter.drawImage(rect, picture.difference)
            # Mostly black where the clips agree: an outline shows where the picture ends.
            painter.setPen(QPen(QColor(255, 255, 255, 60), 1))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(rect.adjusted(0, 0, -1, -1))
            text = f"|A − B| × {picture.gain} · frames {picture.a_index} / {picture.b_index}"
            self._badge(painter, rect, text, Qt.AlignmentFlag.AlignLeft)
        else:
            rect = self.full_rect()
            image, letter, index = (
                (picture.b, "B", picture.b_index)
                if self.showing_b
                else (picture.a, "A", picture.a_index)
            )
            painter.drawImage(rect, image)
            self._badge(painter, rect, f"{letter} · frame {index}", Qt.AlignmentFlag.AlignLeft,
                        large=True)  # fmt: skip

    def _paint_wipe(self, painter: QPainter, picture: ComparePicture) -> None:
        rect = self.full_rect()
        x = self.divider_x()
        painter.drawImage(rect, picture.a)
        painter.save()
        painter.setClipRect(QRect(x, rect.y(), rect.right() - x + 1, rect.height()))
        painter.drawImage(rect, picture.b)
        painter.restore()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(255, 255, 255, 230), 2))
        painter.drawLine(x, rect.top(), x, rect.bottom())
        handle = QRectF(x - 9, rect.center().y() - 9, 18, 18)
        painter.setBrush(QColor(colors().accent))
        painter.drawEllipse(handle)
        self._badge(painter, rect, f"A · frame {picture.a_index}", Qt.AlignmentFlag.AlignLeft)
        self._badge(painter, rect, f"B · frame {picture.b_index}", Qt.AlignmentFlag.AlignRight)

    def _badge(
        self,
        painter: QPainter,
        rect: QRect,
        text: str,
        align: Qt.AlignmentFlag,
        *,
        large: bool = False,
    ) -> None:
        """``text`` on a dark pill in a top corner of ``rect`` (readable on any picture)."""
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * (1.25 if large else 1.0))
        font.setWeight(QFont.Weight.DemiBold)
        painter.setFont(font)
        metrics = painter.fontMetrics()
        width = metrics.horizontalAdvance(text) + 16
        height = metrics.height() + 6
        x = rect.x() + 8 if align == Qt.AlignmentFlag.AlignLeft else rect.right() - 8 - width
        pill = QRectF(x, rect.y() + 8, width, height)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, 170))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.drawRoundedRect(pill, height / 2, height / 2)
        painter.setPen(QColor(255, 255, 255))
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)

    def _paint_message(self, painter: QPainter, rect: QRect, text: str | None = None) -> None:
        painter.setPen(Qt.GlobalColor.lightGray)
        painter.drawText(
            rect.adjusted(24, 24, -24, -24),
            Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
            text or self._message,
        )

    # ---- the wipe's divider ---------------------------------------------------------------

    def mousePressEvent(self, event) -> None:  # Qt override
        if self.mode != "wipe" or event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        self._dragging = True
        if abs(event.position().x() - self.divider_x()) > _GRAB_PX:
            self._drag_to(event.position().x())  # a press elsewhere jumps the divider there

    def mouseMoveEvent(self, event) -> None:  # Qt override
        if self._dragging:
            self._drag_to(event.position().x())
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:  # Qt override
        self._dragging = False
        super().mouseReleaseEvent(event)

    def _drag_to(self, x: float) -> None:
        rect = self.full_rect()
        if rect.width() <= 0:
            return
        self.set_wipe_fraction((x - rect.x()) / rect.width())
        self.wipe_moved.emit(self.wipe_fraction)

    def resizeEvent(self, event) -> None:  # Qt override
        super().resizeEvent(event)
        self.device_size_changed.emit(self.device_size())
