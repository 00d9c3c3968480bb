"""Video frames made into pictures off the GUI thread: the size they are fitted to, the colours
of the shrunk YUV path against Qt's own conversion, and the single-slot mailboxes."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QImage

from wan_desktop.ui import video_frames
from wan_desktop.ui.video_frames import FrameConverter, fitted_size, frame_to_image

pytestmark = pytest.mark.timeout(60)


def test_fitted_size_keeps_aspect_never_enlarges_and_is_even():
    assert fitted_size(QSize(1920, 1080), QSize(640, 400)) == QSize(640, 360)
    assert fitted_size(QSize(320, 180), QSize(1000, 1000)) == QSize(320, 180)
    assert fitted_size(QSize(1920, 1080), QSize(641, 1000)) == QSize(640, 360)
    assert fitted_size(QSize(1920, 1080), QSize()) == QSize(1920, 1080)


def _yuv_frame(width: int, height: int):
    """A YUV420P frame: dark grey on the left half, a saturated blue-ish right half."""
    from PySide6.QtMultimedia import QVideoFrame, QVideoFrameFormat

    frame = QVideoFrame(
        QVideoFrameFormat(QSize(width, height), QVideoFrameFormat.PixelFormat.Format_YUV420P)
    )
    assert frame.map(QVideoFrame.MapMode.WriteOnly)
    for plane, (left, right) in enumerate([(40, 120), (128, 200), (128, 90)]):
        div = 1 if plane == 0 else 2
        stride, rows, cols = frame.bytesPerLine(plane), height // div, width // div
        row = bytes([left]) * (cols // 2) + bytes([right]) * (cols - cols // 2)
        row += bytes(stride - cols)
        frame.bits(plane)[: stride * rows] = row * rows
    frame.unmap()
    return frame


def _distance(a: QColor, b: QColor) -> int:
    return max(abs(a.red() - b.red()), abs(a.green() - b.green()), abs(a.blue() - b.blue()))


@pytest.mark.parametrize(
    ("box", "size"),
    [
        (QSize(480, 400), QSize(480, 270)),
        # Lines shorter than the frame's padded line length (the plane is copied padded).
        (QSize(414, 400), QSize(414, 232)),
    ],
)
def test_a_shrunk_yuv_frame_has_qt_s_colours_at_the_fitted_size(qapp, box, size):
    picture = frame_to_image(_yuv_frame(1920, 1080), box)
    reference = _yuv_frame(1920, 1080).toImage()
    assert picture.size() == size
    for share in (0.125, 0.875):  # well inside the left and the right half
        for y_share in (0.1, 0.5, 0.9):
            got = picture.pixelColor(int(size.width() * share), int(size.height() * y_share))
            want = reference.pixelColor(int(1920 * share), int(1080 * y_share))
            assert _distance(got, want) <= 3, (share, y_share, got.getRgb(), want.getRgb())


def test_a_frame_as_small_as_the_box_is_converted_whole(qapp):
    picture = frame_to_image(_yuv_frame(320, 180), QSize(640, 360))
    assert picture.size() == QSize(320, 180)


def test_the_mailboxes_keep_only_the_newest(monkeypatch):
    started = threading.Event()
    release = threading.Event()
    converted: list[int] = []

    def slow(frame, box):
        started.set()
        release.wait(5)
        converted.append(frame)
        return QImage(frame, 1, QImage.Format.Format_RGB32)

    monkeypatch.setattr(video_frames, "frame_to_image", slow)
    ready = threading.Event()
    converter = FrameConverter(ready.set)
    try:
        converter.submit(1, QSize())
        assert started.wait(5)  # the worker holds frame 1
        for n in (2, 3, 4):  # each replaces the one waiting
            converter.submit(n, QSize())
        assert converter.frames_dropped == 2
        release.set()
        assert ready.wait(5)
        deadline = time.monotonic() + 5
        while converted != [1, 4] and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.05)
        assert converted == [1, 4]
        assert converter.take().width() == 4  # the picture of 1 was replaced by 4's
        assert converter.take() is None
        converter.submit(5, QSize())
        converter.clear()
        time.sleep(0.1)
        assert converter.take() is None
    finally:
        release.set()
        converter.close()


def test_the_canvas_says_its_device_size_and_paints_a_picture_made_for_it(qtbot):
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    from wan_desktop.ui.video_canvas import VideoCanvas

    canvas = VideoCanvas()
    qtbot.addWidget(canvas)
    sizes: list[QSize] = []
    canvas.device_size_changed.connect(sizes.append)
    canvas.resize(400, 300)
    canvas.show()
    qtbot.waitExposed(canvas)
    ratio = canvas.devicePixelRatioF()
    assert sizes and sizes[-1] == QSize(round(400 * ratio), round(300 * ratio))
    QApplication.sendEvent(canvas, QEvent(QEvent.Type.DevicePixelRatioChange))
    assert len(sizes) >= 2
    picture = QImage(sizes[-1].width(), sizes[-1].height() - 2, QImage.Format.Format_RGB32)
    picture.fill(QColor(200, 40, 40))
    canvas.set_image(picture)
    shot = canvas.grab().toImage()
    assert shot.pixelColor(shot.width() // 2, shot.height() // 2) == QColor(200, 40, 40)
