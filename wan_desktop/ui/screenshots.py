"""Save screenshots of widgets (tests, the README, the ``--screenshot`` flag).

``QWidget.grab()`` renders the widget tree into a pixmap; the player paints its frames itself,
so video shows up (a ``QVideoWidget`` would come out empty, see PLATFORM_NOTES).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QApplication, QWidget

__all__ = ["SCREENSHOT_DIR", "grab", "save_screenshot"]

SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def grab(widget: QWidget, size: QSize | None = None, *, settle: bool = True):
    """The widget rendered to a ``QPixmap`` (resized first when ``size`` is given).

    ``settle`` runs pending events first so layouts and paints land. Inside a coroutine on
    the qasync loop pass ``settle=False`` (and ``await asyncio.sleep`` before instead):
    processing events there would step other tasks from inside this one.
    """
    if size is not None:
        widget.resize(size)
    if settle:
        for _ in range(3):
            QApplication.processEvents()
    return widget.grab()


def save_screenshot(
    widget: QWidget,
    name: str,
    folder: Path | None = None,
    size: QSize | None = None,
    *,
    settle: bool = True,
) -> Path:
    """Save ``widget`` as ``<folder>/<name>.png`` (default ``docs/screenshots``); return it."""
    folder = SCREENSHOT_DIR if folder is None else Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    tmp = path.with_name(f".{path.name}.part.png")
    if not grab(widget, size, settle=settle).save(str(tmp), "PNG"):
        raise OSError(f"could not write {path}")
    tmp.replace(path)
    return path
