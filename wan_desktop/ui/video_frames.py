"""Video frames made into pictures off the GUI thread, at the size they are shown.

``QVideoFrame.toImage`` of a 1080p frame costs 6.5–14 ms of CPU and holds the interpreter
lock all along (PySide does not release it there); on the GUI thread that was most of the
player's cost, and painting then scaled the full picture down again. :class:`FrameConverter`
does it in a worker thread of its own instead, shrinking first:

- a YUV 4:2:0 frame (what H.264 decodes to) is mapped, each plane is shrunk by Pillow (which
  lets go of the lock while it resamples), and only the shrunk frame is converted by Qt, so
  colour space and range stay Qt's: about 4 ms of CPU instead of 14, under 2 ms of it with the
  lock held;
- other pixel formats go through ``toImage`` and ``QImage.scaled`` in the worker.

Two single-slot mailboxes, never queues that grow: a frame handed in while the previous one
waits replaces it, and a picture made while the GUI has not taken the previous one replaces
that. A late GUI skips frames and never falls behind.

Qt's own video thread is left alone: a Python slot running there (a direct connection)
deadlocked ``QMediaPlayer.pause()`` here, which waits for that thread while holding the
interpreter lock.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage

__all__ = ["FrameConverter", "fitted_size", "frame_to_image"]

log = logging.getLogger(__name__)


def fitted_size(frame_size: QSize, box: QSize) -> QSize:
    """``frame_size`` fitted into ``box`` (aspect kept, never enlarged), even in both sides so
    4:2:0 chroma planes divide exactly. An empty ``box``: the frame's own size."""
    if box.isEmpty() or frame_size.isEmpty():
        return QSize(frame_size)
    fitted = frame_size.scaled(box, Qt.AspectRatioMode.KeepAspectRatio)
    width = min(fitted.width(), frame_size.width())
    height = min(fitted.height(), frame_size.height())
    return QSize(max(2, width - width % 2), max(2, height - height % 2))


def frame_to_image(frame, box: QSize) -> QImage:
    """The picture of ``frame`` (a ``QVideoFrame``) fitted into ``box`` device pixels.
    Worker thread: see the module docstring for the cost."""
    from PySide6.QtMultimedia import QtVideo, QVideoFrameFormat

    size = fitted_size(frame.size(), box)
    yuv420 = frame.pixelFormat() == QVideoFrameFormat.PixelFormat.Format_YUV420P
    plain = frame.rotation() == QtVideo.Rotation.None_ and not frame.mirrored()
    if yuv420 and plain and size != frame.size():
        image = _shrunk_yuv420(frame, size)
        if image is not None:
            return image
    image = frame.toImage()
    if image.isNull() or image.size() == size:
        return image
    return image.scaled(
        size, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation
    )


def _shrunk_yuv420(frame, size: QSize) -> QImage | None:
    """A YUV420P ``frame`` shrunk plane by plane to ``size``, then converted by Qt."""
    from PIL import Image
    from PySide6.QtMultimedia import QVideoFrame, QVideoFrameFormat

    source_format = frame.surfaceFormat()
    small_format = QVideoFrameFormat(size, QVideoFrameFormat.PixelFormat.Format_YUV420P)
    small_format.setColorSpace(source_format.colorSpace())
    small_format.setColorRange(source_format.colorRange())
    small_format.setColorTransfer(source_format.colorTransfer())
    small = QVideoFrame(small_format)
    if not frame.map(QVideoFrame.MapMode.ReadOnly):
        return None
    try:
        if not small.map(QVideoFrame.MapMode.WriteOnly):
            return None
        try:
            width, height = frame.width(), frame.height()
            for plane in range(3):
                div = 1 if plane == 0 else 2
                source = (-(-width // div), -(-height // div))
                target = (size.width() // div, size.height() // div)
                picture = Image.frombuffer(
                    "L", source, frame.bits(plane), "raw", "L", frame.bytesPerLine(plane), 1
                )
                _write_plane(small, plane, _shrink(picture, target, Image), Image)
        finally:
            small.unmap()
    finally:
        frame.unmap()
    return small.toImage()


def _shrink(picture, target: tuple[int, int], image_module):
    """``picture`` resampled to ``target``: a whole-number box reduction first (cheap), then
    bilinear for the rest."""
    factor = max(1, min(picture.width // target[0], picture.height // target[1]))
    if factor > 1:
        picture = picture.reduce(factor)
    if picture.size != target:
        picture = picture.resize(target, image_module.Resampling.BILINEAR)
    return picture


def _write_plane(frame, plane: int, picture, image_module) -> None:
    """Copy the 8-bit ``picture`` into ``plane`` of the mapped ``frame``: one copy, its lines
    padded to the frame's line length by Pillow first (a Python loop over rows would hold
    the interpreter lock for milliseconds)."""
    width, height = picture.size
    stride = frame.bytesPerLine(plane)
    if stride != width:
        padded = image_module.new("L", (stride, height))
        padded.paste(picture, (0, 0))
        picture = padded
    data = picture.tobytes()
    frame.bits(plane)[: len(data)] = data


class FrameConverter:
    """Converts the newest handed-in frame in a worker thread; the GUI takes the newest picture.

    ``on_ready`` is called in the worker thread when a picture is waiting and none was before:
    make it emit a signal whose receiver lives on the GUI thread (a queued call), which then
    calls :meth:`take`. All other methods are for the GUI thread.
    """

    def __init__(self, on_ready: Callable[[], None]):
        self._on_ready = on_ready
        self._lock = threading.Condition()
        self._frame = None
        self._box = QSize()
        self._image: QImage | None = None
        self._generation = 0
        self._closed = False
        self._thread: threading.Thread | None = None
        self.frames_dropped = 0
        """Frames replaced before they were converted (the worker was busy)."""

    def submit(self, frame, box: QSize) -> None:
        """Convert ``frame`` fitted into ``box`` device pixels, replacing any frame waiting."""
        with self._lock:
            if self._closed:
                return
            if self._frame is not None:
                self.frames_dropped += 1
            self._frame = frame
            self._box = QSize(box)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="video-frames", daemon=True)
                self._thread.start()
            self._lock.notify()

    def take(self) -> QImage | None:
        """The newest picture not taken yet, or ``None``."""
        with self._lock:
            image, self._image = self._image, None
        return image

    def clear(self) -> None:
        """Forget the waiting frame and picture; a conversion under way is thrown away."""
        with self._lock:
            self._generation += 1
            self._frame = None
            self._image = None

    def close(self) -> None:
        """Stop the worker (it finishes the frame in hand; waits at most 1 s)."""
        with self._lock:
            self._closed = True
            self._frame = None
            self._lock.notify()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=1.0)

    def _run(self) -> None:
        while True:
            with self._lock:
                while self._frame is None and not self._closed:
                    self._lock.wait()
                if self._closed:
                    return
                frame, box, generation = self._frame, self._box, self._generation
                self._frame = None
            try:
                image = frame_to_image(frame, box)
            except Exception:  # a bad frame must not end playback for the rest of the clip
                log.exception("converting a video frame")
                continue
            del frame  # let the decoder have its buffer back before the GUI paints
            with self._lock:
                if self._closed or generation != self._generation or image.isNull():
                    continue
                waiting = self._image is not None
                self._image = image
            if not waiting:
                try:
                    self._on_ready()
                except RuntimeError:  # the receiver is gone: the player was closed
                    return
