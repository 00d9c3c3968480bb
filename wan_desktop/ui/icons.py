"""Vector icons tinted to the palette, sharp at any device pixel ratio.

The SVGs in ``resources/icons`` draw with ``currentColor``; Qt's SVG renderer does not know
that keyword, so it is replaced by the palette's text colour (the disabled text colour for a
disabled widget) before rendering. Each icon renders lazily, at the size and pixel ratio it is
painted at, and keeps what it rendered: a window that paints a dozen icons at one size renders
a dozen pixmaps, not every size up front. Missing files (an installed build without
``resources``) fall back to Qt's standard icons.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QAction, QGuiApplication, QIcon, QIconEngine, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication, QWidget

from .resources import RESOURCES

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStyle

__all__ = ["RESOURCES", "SvgIconEngine", "icon", "refresh_icons", "set_icon", "standard_icon"]

#: Qt's standard pixmap (a ``QStyle.StandardPixmap`` name) for an SVG that is missing.
_FALLBACK = {
    "dice": "SP_BrowserReload",
    "lock": "SP_DialogApplyButton",
    "unlock": "SP_DialogResetButton",
    "history": "SP_FileDialogDetailedView",
    "shots": "SP_FileDialogListView",
    "image": "SP_FileIcon",
    "fullscreen": "SP_TitleBarMaxButton",
    "loop": "SP_BrowserReload",
    "app": "SP_MediaPlay",
    "open": "SP_DialogOpenButton",
    "close": "SP_DialogCloseButton",
    "play": "SP_MediaPlay",
    "stop": "SP_MediaStop",
    "volume": "SP_MediaVolume",
    "info": "SP_MessageBoxInformation",
}
#: Engines handed to Qt (``QIcon`` owns them in C++); kept so Python never collects one.
_ENGINES: list[QIconEngine] = []


class SvgIconEngine(QIconEngine):
    """Renders an SVG (with ``currentColor``) in ``color`` at the requested size and ratio."""

    def __init__(self, svg: str, color: str):
        super().__init__()
        self._svg = svg
        self._color = color
        self._pixmaps: dict[tuple[int, int, float, bool], QPixmap] = {}
        _ENGINES.append(self)

    def scaledPixmap(
        self, size: QSize, mode: QIcon.Mode, _state, scale: float
    ) -> QPixmap:  # Qt override
        disabled = mode == QIcon.Mode.Disabled
        key = (size.width(), size.height(), float(scale), disabled)
        pixmap = self._pixmaps.get(key)
        if pixmap is None:
            pixmap = self._render(size, scale, disabled)
            self._pixmaps[key] = pixmap
        return pixmap

    def pixmap(self, size: QSize, mode: QIcon.Mode, state) -> QPixmap:  # Qt override
        return self.scaledPixmap(size, mode, state, 1.0)

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state) -> None:  # Qt override
        scale = painter.device().devicePixelRatioF() if painter.device() is not None else 1.0
        painter.drawPixmap(rect, self.scaledPixmap(rect.size(), mode, state, scale))

    def clone(self) -> QIconEngine:  # Qt override
        return SvgIconEngine(self._svg, self._color)

    def _render(self, size: QSize, scale: float, disabled: bool) -> QPixmap:
        color = self._color
        if disabled:
            palette = QGuiApplication.palette()
            color = palette.color(
                QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText
            ).name()
        svg = self._svg.replace("currentColor", color)
        renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
        side_w = max(1, round(size.width() * scale))
        side_h = max(1, round(size.height() * scale))
        pixmap = QPixmap(side_w, side_h)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        renderer.render(painter, QRectF(0, 0, side_w, side_h))
        painter.end()
        pixmap.setDevicePixelRatio(scale)
        return pixmap


def standard_icon(pixmap: QStyle.StandardPixmap | str) -> QIcon:
    """One of the style's built-in icons (a ``QStyle.StandardPixmap`` or its name)."""
    # Imported here: the QStyle type costs ~13 ms to set up, and the first paint needs none
    # of the style's own icons.
    from PySide6.QtWidgets import QStyle

    if isinstance(pixmap, str):
        pixmap = getattr(QStyle.StandardPixmap, pixmap)
    return QApplication.style().standardIcon(pixmap)


def set_icon(widget, name: str) -> None:
    """Give a button (or an action) the tinted icon ``name`` and remember it, so a theme
    change re-tints it."""
    widget.setProperty("svgIcon", name)
    widget.setIcon(icon(name))


def refresh_icons() -> None:
    """Re-tint every icon set with :func:`set_icon` (after the palette changed)."""
    for top in QApplication.topLevelWidgets():
        for item in [top, *top.findChildren(QWidget), *top.findChildren(QAction)]:
            name = item.property("svgIcon")
            if name:
                item.setIcon(icon(str(name)))
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
        svg = path.read_text(encoding="utf-8")
    except OSError:
        return standard_icon(_FALLBACK.get(name, "SP_FileIcon"))
    return QIcon(SvgIconEngine(svg, color))
