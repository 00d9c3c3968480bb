"""Hover-scrub on the grid, driven by mouse events: the card shows the frame under the pointer
(checked against a PyAV decode of the original clip at that frame), painted; leaving the card
shows the poster again."""

from __future__ import annotations

import av
import pytest
from library_ui_helpers import add_entry, shown_pane
from PIL import Image, ImageChops, ImageStat
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QImage, QMouseEvent
from PySide6.QtWidgets import QApplication

from wan_desktop.library.scrub import frame_index
from wan_desktop.media import proxy
from wan_desktop.media.video import probe
from wan_desktop.ui.library_delegate import thumb_rect
from wan_desktop.ui.library_model import LibraryRole

pytestmark = pytest.mark.timeout(90)


@pytest.fixture
def pane(qtbot, tasks, lib, tmp_path):
    entry = add_entry(lib, tmp_path / "in", hue=0.3, seconds=2.0, size=(480, 270))
    proxy.ensure_proxy(entry.video_path)
    with shown_pane(qtbot, tasks, lib, timeout_ms=30000) as p:
        p.entry = entry
        yield p


def _move(view, x: int, y: int) -> None:
    point = QPointF(x, y)
    event = QMouseEvent(QEvent.Type.MouseMove, point, view.viewport().mapToGlobal(point),
                        Qt.MouseButton.NoButton, Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier)  # fmt: skip
    QApplication.sendEvent(view.viewport(), event)


def _original_frame(path, index: int, size) -> Image.Image:
    with av.open(str(path)) as container:
        for n, frame in enumerate(container.decode(video=0)):
            if n == index:
                return frame.to_image().resize(size, Image.Resampling.BOX)
    raise AssertionError(f"no frame {index}")


def _pil(image: QImage) -> Image.Image:
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    data = bytes(rgb.constBits())[: rgb.bytesPerLine() * rgb.height()]
    return Image.frombytes("RGB", (rgb.width(), rgb.height()), data, "raw", "RGB",
                           rgb.bytesPerLine())  # fmt: skip


def test_the_pointer_scrubs_the_card_and_leaving_shows_the_poster(qtbot, pane):
    model, view, entry = pane.model, pane.view, pane.entry
    index = model.index(0)
    qtbot.waitUntil(lambda: index.data(LibraryRole.ThumbnailLoaded), timeout=30000)
    poster = index.data(LibraryRole.Thumbnail)
    frames = probe(entry.video_path).frame_count  # 24: 2 s at 12 fps
    rect = thumb_rect(view.visualRect(index))
    for fraction in (0.8, 0.1):
        x = rect.left() + round(fraction * (rect.width() - 1))
        _move(view, x, rect.center().y())
        wanted = frame_index((x - rect.left()) / (rect.width() - 1), frames)
        # Painted: the delegate asked for this very frame while painting the card.
        qtbot.waitUntil(lambda wanted=wanted: model.scrub.painted == (entry.id, wanted),
                        timeout=30000)  # fmt: skip
        shown = _pil(index.data(LibraryRole.Thumbnail))

        def off(n: int, shown=shown) -> float:
            expected = _original_frame(entry.video_path, n, shown.size)
            return sum(ImageStat.Stat(ImageChops.difference(shown, expected)).mean)

        # The original's frame under the pointer, not its neighbours, is what shows.
        others = [n for n in (wanted - 3, wanted + 3) if 0 <= n < frames]
        assert off(wanted) < 12 and all(off(wanted) < off(n) for n in others), wanted
        assert index.data(LibraryRole.ScrubPosition) == pytest.approx(fraction, abs=0.02)
    QApplication.sendEvent(view.viewport(), QEvent(QEvent.Type.Leave))
    assert index.data(LibraryRole.ScrubPosition) is None
    assert index.data(LibraryRole.Thumbnail) == poster


def test_moving_below_the_picture_stops_scrubbing(qtbot, pane):
    model, view = pane.model, pane.view
    index = model.index(0)
    rect = thumb_rect(view.visualRect(index))
    _move(view, rect.center().x(), rect.center().y())
    qtbot.waitUntil(lambda: model.scrub.image(pane.entry.id) is not None, timeout=30000)
    _move(view, rect.center().x(), rect.bottom() + 12)  # over the card's title
    assert model.scrub_id() is None
    assert index.data(LibraryRole.ScrubPosition) is None
