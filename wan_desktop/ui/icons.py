"""Vector icons tinted to the palette, sharp at any device pixel ratio.

The SVGs in ``resources/icons`` draw with ``currentColor``; Qt's SVG renderer does not know
that keyword, so it is replaced by the palette's text colour before rendering. Missing files
(an installed build without ``resources``) fall back to Qt's standard icons.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication, QStyle, QWidget

__all__ = ["RESOURCES", "icon", "refresh_icons", "set_icon", "standard_icon"]

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
_SIZES = (16, 20, 24, 32, 48, 64)
_FALLBACK = {
    "dice": QStyle.StandardPixmap.SP_BrowserReload,
    "lock": QStyle.StandardPixmap.SP_DialogApplyButton,
    "unlock": QStyle.StandardPixmap.SP_DialogResetButton,
    "history": QStyle.StandardPixmap.SP_FileDialogDetailedView,
    "shots": QStyle.StandardPixmap.SP_FileDialogListView,
    "image": QStyle.StandardPixmap.SP_FileIcon,
    "fullscreen": QStyle.StandardPixmap.SP_TitleBarMaxButton,
    "loop": QStyle.StandardPixmap.SP_BrowserReload,
    "app": QStyle.StandardPixmap.SP_MediaPlay,
}


def standard_icon(pixmap: QStyle.StandardPixmap) -> QIcon:
    """One of the style's built-in icons."""
    return QApplication.style().standardIcon(pixmap)


def set_icon(widget, name: str) -> None:
    """Give a button the tinted icon ``name`` and remember it, so a theme change re-tints it."""
    widget.setProperty("svgIcon", name)
    widget.setIcon(icon(name))


def refresh_icons() -> None:
    """Re-tint every icon set with :func:`set_icon` (after the palette changed)."""
    for top in QApplication.topLevelWidgets():
        for widget in [top, *top.findChildren(QWidget)]:
            name = widget.property("svgIcon")
            if name:
                widget.setIcon(icon(str(name)))
        labels = [top, *top.findChildren(QWidget)]
        for widget in labels:
            name = widget.property("svgPixmap")
            if name:
                size = int(widget.property("svgPixmapSize") or 48)
                widget.setPixmap(icon(str(name)).pixmap(size, size))


def icon(name: str, color: str | None = None) -> QIcon:
    """The icon ``resources/icons/<name>.svg`` drawn in ``color`` (default: palette text)."""
    if color is None:
        color = QGuiApplication.palette().color(QPalette.ColorRole.WindowText).name()
    return _icon(name, color)


@cache
def _icon(name: str, color: str) -> QIcon:
    path = RESOURCES / "icons" / f"{name}.svg"
    try:
        svg = path.read_text(encoding="utf-8").replace("currentColor", color)
    except OSError:
        return standard_icon(_FALLBACK.get(name, QStyle.StandardPixmap.SP_FileIcon))
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    result = QIcon()
    for size in _SIZES:
        for ratio in (1, 2):
            pm = QPixmap(size * ratio, size * ratio)
            pm.fill(Qt.GlobalColor.transparent)
            painter = QPainter(pm)
            renderer.render(painter, QRectF(0, 0, size * ratio, size * ratio))
            painter.end()
            pm.setDevicePixelRatio(ratio)
            result.addPixmap(pm)
    return result
