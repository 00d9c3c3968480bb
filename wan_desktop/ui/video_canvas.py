"""The picture of the player: the latest frame, painted by the widget itself.

A ``QVideoWidget`` comes out empty in ``QWidget.grab()`` (offscreen and under Xvfb); a widget
that paints the ``QImage`` of each frame is captured, so screenshots and tests see the video.
The canvas says its size in device pixels (``device_size_changed``) so frames can be made at
that size off the GUI thread; a picture of that size is then copied, not scaled, when painted.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

from .theme import colors

__all__ = ["VideoCanvas"]


class VideoCanvas(QWidget):
    """Paints the latest frame, fitted and centred, on a dark background; ``grab()`` sees it.
    GUI thread."""

    #: The area pictures are shown in, in device pixels: emitted when it changes.
    device_size_changed = Signal(QSize)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("videoCanvas")
        self.setAccessibleName("Video")
        self._image: QImage | None = None
        self._message = "Your video will play here"
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(QSize(240, 135))

    def set_image(self, image: QImage | None) -> None:
        """Paint ``image`` (``None``: the message instead)."""
        self._image = image
        self.update()

    def image(self) -> QImage | None:
        """The picture painted now, or ``None``."""
        return self._image

    def device_size(self) -> QSize:
        """The canvas's size in device pixels (what a picture needs to look sharp)."""
        ratio = self.devicePixelRatioF()
        return QSize(round(self.width() * ratio), round(self.height() * ratio))

    def resizeEvent(self, event) -> None:  # Qt override
        super().resizeEvent(event)
        self.device_size_changed.emit(self.device_size())

    def event(self, event) -> bool:  # Qt override
        # Moved to a screen of another scale: the same logical size needs other pixels.
        if event.type() == QEvent.Type.DevicePixelRatioChange:
            self.device_size_changed.emit(self.device_size())
        return super().event(event)

    def set_message(self, message: str) -> None:
        """The text shown when there is no picture."""
        self._message = message
        self.update()

    def paintEvent(self, _event) -> None:  # Qt override
        painter = QPainter(self)
        painter.fillRect(self.rect(), Qt.GlobalColor.black if self._image else _bg())
        if self._image is not None and not self._image.isNull():
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            target = self._target_size(self._image)
            rect = QRect(
                (self.width() - target.width()) // 2,
                (self.height() - target.height()) // 2,
                target.width(),
                target.height(),
            )
            painter.drawImage(rect, self._image)
            return
        painter.setPen(Qt.GlobalColor.lightGray)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.1)
        painter.setFont(font)
        painter.drawText(
            self.rect().adjusted(24, 24, -24, -24),
            Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
            self._message,
        )

    def _target_size(self, image: QImage) -> QSize:
        """Where ``image`` goes, in logical pixels: fitted to the canvas, except that a picture
        already made for this size (within the 2 px its even sides may lose) keeps its own,
        so painting copies it instead of resampling it."""
        ratio = self.devicePixelRatioF()
        fitted = image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        own = QSize(round(image.width() / ratio), round(image.height() / ratio))
        close = 0 <= fitted.width() - own.width() <= 2 and 0 <= fitted.height() - own.height() <= 2
        return own if close else fitted


def _bg() -> QColor:
    return QColor(colors().canvas_bg)
