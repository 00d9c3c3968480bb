"""The seam editor's preview (``seamPreview``): the two seconds around a join of a sequence,
looped at the sequence's 24 fps with their sound, a line under the picture marking the join
and the playhead; click or Space pauses, the arrows step a frame. Apart from the editor
(:mod:`.seam_editor`), which renders the frames in a worker and hands them over, so the
widget that shows them holds no editing state. GUI thread; :func:`frame_image` any thread."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QRect, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from .formats import frame_position
from .naming import named
from .sequence_clips import OUT_FPS
from .sheet_audio import SheetAudio
from .theme import colors

__all__ = ["PREVIEW_SIZE", "SeamPreview", "frame_image"]

#: The preview's picture box, pixels (the proxies are 360p; this is smaller still).
PREVIEW_SIZE = QSize(320, 180)


def frame_image(frame: Any) -> QImage:
    """A decoded ``Frame`` (packed RGB24) as a ``QImage`` owning its pixels (any thread)."""
    image = QImage(frame.rgb, frame.width, frame.height, 3 * frame.width,
                   QImage.Format.Format_RGB888)  # fmt: skip
    return image.copy()


class SeamPreview(QWidget):
    """``seamPreview``: loops its frames at 24 fps with their sound (:attr:`audio`, the
    rendered file's; the loop's clock leads it); a line under the picture shows where in the
    two seconds the join falls (amber) and where playback is. A click (or Space) pauses and
    plays; paused, the arrows step a frame (silently)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "seamPreview", "Seam preview")
        self.setFixedSize(PREVIEW_SIZE.width(), PREVIEW_SIZE.height() + 10)
        self._frames: list[QImage] = []
        self._seam_s = 0.0
        self._index = 0
        self._message = "The preview appears here."
        self._paused = False
        self._sound_on = True
        self.audio = SheetAudio(self)
        """The loop's sound: plays the rendered preview's file, on the loop's clock."""
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setToolTip("Click to pause or play; paused, the arrow keys step a frame")
        self._timer = QTimer(self)
        self._timer.setInterval(round(1000 / OUT_FPS))
        self._timer.timeout.connect(self._on_timer_timeout)

    def set_frames(self, frames: list[QImage], seam_s: float, sound: Path | None = None) -> None:
        """Loop ``frames``; the join is ``seam_s`` seconds in; ``sound`` is the rendered file
        whose sound plays with them (``None``: silence)."""
        self._frames, self._seam_s = frames, seam_s
        self._index = min(self._index, len(frames) - 1) if self._paused and frames else 0
        self._message = ""
        if frames and self.isVisible() and not self._paused:
            self._timer.start()
        self.audio.follow(sound, self._index / OUT_FPS, self._sounding())
        self.update()

    def set_sound_on(self, on: bool) -> None:
        """Play the loop's sound (the default) or keep it silent."""
        self._sound_on = on
        self._sync_sound(force=on)

    def sound_on(self) -> bool:
        """Whether the loop's sound is wanted."""
        return self._sound_on

    def _sounding(self) -> bool:
        """Whether sound should play now: wanted, frames looping, the preview on screen."""
        return self._sound_on and bool(self._frames) and self._timer.isActive()

    def _sync_sound(self, *, force: bool = False) -> None:
        self.audio.sync(self._index / OUT_FPS, self._sounding(), force=force)

    def set_paused(self, paused: bool) -> None:
        """Pause on the frame shown, or loop again."""
        self._paused = paused
        if paused or not self._frames or not self.isVisible():
            self._timer.stop()
        else:
            self._timer.start()
        self._sync_sound(force=not paused)  # playing again: from the frame shown
        self.update()

    def is_paused(self) -> bool:
        """Whether the loop is paused."""
        return self._paused

    def show_index(self, index: int) -> None:
        """Show frame ``index`` of the loop (wrapping)."""
        if self._frames:
            self._index = index % len(self._frames)
            self._sync_sound()
            self.update()

    def index(self) -> int:
        """The frame of the loop shown."""
        return self._index

    def mousePressEvent(self, event) -> None:  # Qt override
        if event.button() == Qt.MouseButton.LeftButton:
            self.set_paused(not self._paused)
        super().mousePressEvent(event)

    def keyPressEvent(self, event) -> None:  # Qt override
        key = event.key()
        if key == Qt.Key.Key_Space:
            self.set_paused(not self._paused)
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right) and self._paused:
            self.show_index(self._index + (1 if key == Qt.Key.Key_Right else -1))
        else:
            super().keyPressEvent(event)

    def frames(self) -> list[QImage]:
        """The frames looped."""
        return list(self._frames)

    def set_message(self, text: str) -> None:
        """Show ``text`` in place of the pictures (rendering, a problem)."""
        self._message = text
        self._frames = []
        self._timer.stop()
        self.audio.follow(None, 0.0, False)
        self.update()

    def message(self) -> str:
        """The text shown in place of the pictures (empty while frames play)."""
        return self._message

    def showEvent(self, event) -> None:  # Qt override
        super().showEvent(event)
        if self._frames and not self._paused:
            self._timer.start()
            self._sync_sound(force=True)

    def hideEvent(self, event) -> None:  # Qt override
        self._timer.stop()  # nobody watches: no repaint 24 times a second, and no sound
        self._sync_sound()
        super().hideEvent(event)

    def _on_timer_timeout(self) -> None:
        if self._frames:
            self._index = (self._index + 1) % len(self._frames)
            # The loop coming round is a jump for the sound: put it back to the start.
            self._sync_sound(force=self._index == 0)
            self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:  # Qt override
        painter = QPainter(self)
        box = QRect(0, 0, PREVIEW_SIZE.width(), PREVIEW_SIZE.height())
        painter.fillRect(box, QColor(colors().canvas_bg))
        if not self._frames:
            painter.setPen(QColor("#c8c8d0"))
            painter.drawText(box.adjusted(10, 0, -10, 0),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                             self._message)  # fmt: skip
            return
        image = self._frames[self._index]
        size = image.size().scaled(box.size(), Qt.AspectRatioMode.KeepAspectRatio)
        target = QRect(0, 0, size.width(), size.height())
        target.moveCenter(box.center())
        painter.drawImage(target, image)
        line_y = box.bottom() + 6
        count = len(self._frames)
        painter.setPen(QPen(QColor(colors().muted), 2))
        painter.drawLine(0, line_y, box.width(), line_y)
        seam_x = round(box.width() * min(1.0, self._seam_s * OUT_FPS / max(1, count)))
        painter.setPen(QPen(QColor(colors().warning), 3))
        painter.drawLine(seam_x, line_y - 4, seam_x, line_y + 4)
        at_x = round(box.width() * self._index / max(1, count - 1))
        painter.setPen(QPen(QColor(colors().accent), 2))
        painter.drawLine(at_x, line_y - 3, at_x, line_y + 3)
        if self._paused:
            painter.setPen(QColor("#ffffff"))
            corner = box.adjusted(8, 6, -8, -6)
            top_right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop
            at = frame_position(self._index, count, self._index / OUT_FPS)
            painter.drawText(corner, top_right, f"paused · {at}")
