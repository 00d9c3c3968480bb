"""Test media made on the spot: images with Pillow, clips with PyAV."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PIL import Image, ImageDraw
from wan_testkit import write_clip

__all__ = [
    "HOSTILE_MARKUP",
    "drop_urls",
    "load_picture",
    "make_clip",
    "make_image",
    "shown",
    "shown_composer",
    "shown_window",
]

#: Markup a crafted file may carry in any text field; the window must show it literally.
HOSTILE_MARKUP = "<b>HTML</b><a href=x>link</a>"


def make_image(path: Path, size: tuple[int, int], fmt: str = "PNG") -> Path:
    """A gradient with a sun and hills, so screenshots look like a picture."""
    w, h = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(h):
        t = y / max(1, h - 1)
        draw.line([(0, y), (w, y)], fill=(int(70 + 120 * t), int(130 + 60 * t), int(220 - 60 * t)))
    draw.ellipse([w * 0.62, h * 0.12, w * 0.78, h * 0.12 + w * 0.16], fill=(255, 214, 90))
    draw.polygon(
        [(0, h), (0, h * 0.7), (w * 0.35, h * 0.55), (w * 0.7, h * 0.75), (w, h * 0.62), (w, h)],
        fill=(46, 125, 70),
    )
    draw.polygon(
        [(0, h), (w * 0.2, h * 0.82), (w * 0.6, h * 0.9), (w, h * 0.8), (w, h)], fill=(30, 90, 50)
    )
    image.save(path, fmt)
    return path


def make_clip(
    path: Path, *, seconds: float = 2.0, size: tuple[int, int] = (320, 180), fps: int = 24
) -> Path:
    """A short H.264 clip: a yellow square moving over a changing background."""
    w, h = size

    def paint(i: int, frames: int) -> Image.Image:
        image = Image.new("RGB", size, (40 + i * 3 % 200, 60, 120))
        x = int((w - 40) * i / max(1, frames - 1))
        ImageDraw.Draw(image).rectangle([x, h // 2 - 20, x + 40, h // 2 + 20], fill=(255, 220, 0))
        return image

    return write_clip(path, paint, frames=round(seconds * fps), fps=fps)


def drop_urls(widget, urls):
    """Send a real drag-enter + drop of ``urls`` (paths or URL strings) onto ``widget``."""
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent
    from PySide6.QtWidgets import QApplication

    mime = QMimeData()
    qurls = [QUrl(u) if "://" in str(u) else QUrl.fromLocalFile(str(u)) for u in urls]
    mime.setUrls(qurls)
    pos = widget.rect().center()
    enter = QDragEnterEvent(
        pos,
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        QPointF(pos),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, drop)
    return drop


def shown(text: str, text_format=None) -> str:
    """What a person sees of ``text`` in a label or a tooltip with ``text_format`` (Qt's
    ``AutoText`` when ``None``: rich when it looks like markup)."""
    from PySide6.QtGui import Qt, QTextDocument  # QtGui's Qt adds mightBeRichText

    text_format = Qt.TextFormat.AutoText if text_format is None else text_format
    rich = text_format == Qt.TextFormat.RichText or (
        text_format == Qt.TextFormat.AutoText and Qt.mightBeRichText(text)
    )
    if not rich:
        return text
    doc = QTextDocument()
    doc.setHtml(text)
    return doc.toPlainText()


def load_picture(qtbot, composer, image) -> None:
    """Drop ``image`` on the composer's drop zone and wait until it has loaded."""
    drop_urls(composer.drop_zone, [image])
    qtbot.waitUntil(lambda: not composer.drop_zone.is_loading(), timeout=10000)


def shown_composer(qtbot, tasks, paths, *, size=(460, 900), image: Path | None = None):
    """A ``Composer`` with the engine ready, resized to ``size`` and shown; with ``image``
    dropped on its drop zone and loaded when one is given."""
    from wan_desktop.ui.composer import Composer

    widget = Composer(tasks, paths.cache)
    widget.set_ready(None)
    qtbot.addWidget(widget)
    widget.resize(*size)
    widget.show()
    if image is not None:
        load_picture(qtbot, widget, image)
    return widget


@contextmanager
def shown_window(qtbot, tasks, services, size) -> Iterator:
    """A ``MainWindow`` over ``services`` resized to ``size`` (a ``QSize``) and shown, for a
    screenshot; on leaving, its player is unloaded (no decoder outlives the test) and it is
    closed."""
    from wan_desktop.ui.main_window import MainWindow

    win = MainWindow(services, tasks)
    qtbot.addWidget(win)
    win.resize(size)
    win.show()
    qtbot.waitExposed(win)
    try:
        yield win
    finally:
        win.player.unload()
        win.close()
