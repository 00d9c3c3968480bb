"""Video files dropped on the grid (GUI thread): which URLs of a drag are videos, and the view
behaviour that accepts them, outlines the grid while they hover and hands them on.

Drags that start in the view itself (a clip dragged out) are never taken back in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QMimeData, Qt
from PySide6.QtGui import QColor, QDragEnterEvent, QDragMoveEvent, QDropEvent, QPainter, QPen
from PySide6.QtWidgets import QAbstractItemView

from .theme import colors

__all__ = ["VIDEO_SUFFIXES", "VideoDropMixin", "video_paths_in"]

VIDEO_SUFFIXES = (".mp4", ".m4v", ".mov")

# The mixin is written against the view it is mixed into; at run time it is a plain class
# placed before QAbstractItemView in the bases.
_ViewBase = QAbstractItemView if TYPE_CHECKING else object


def video_paths_in(mime: QMimeData | None) -> list[str]:
    """Local video files among the URLs of a drag."""
    if mime is None or not mime.hasUrls():
        return []
    out = []
    for url in mime.urls():
        if url.isLocalFile():
            path = url.toLocalFile()
            if path.lower().endswith(VIDEO_SUFFIXES):
                out.append(path)
    return out


class VideoDropMixin(_ViewBase):
    """Drag and drop of video files onto an item view. The view calls :meth:`_init_drops` in
    its ``__init__``, paints :meth:`_paint_drop_highlight` last, and gets
    :meth:`videos_dropped` called with the paths of a drop."""

    def _init_drops(self) -> None:
        self._drop_active = False  # video files hover over the grid

    def videos_dropped(self, paths: list[str]) -> None:
        """Video files were dropped (local paths, in the drag's order)."""
        raise NotImplementedError

    def _take_videos(self, event: QDragEnterEvent | QDragMoveEvent) -> bool:
        """Accept the drag as a copy when it brings video files from elsewhere."""
        if event.source() is not self and video_paths_in(event.mimeData()):
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
            return True
        event.ignore()
        return False

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # Qt override
        if self._take_videos(event):
            self._drop_active = True
            self.viewport().update()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # Qt override
        self._take_videos(event)

    def dragLeaveEvent(self, event) -> None:  # Qt override
        self._drop_active = False
        self.viewport().update()
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:  # Qt override
        self._drop_active = False
        self.viewport().update()
        paths = video_paths_in(event.mimeData())
        if event.source() is self or not paths:
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        self.videos_dropped(paths)

    def _paint_drop_highlight(self, painter: QPainter) -> None:
        """While video files are dragged over the grid: an accent outline (drop to import)."""
        if not self._drop_active:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        pen = QPen(QColor(colors().accent), 2, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(self.viewport().rect().adjusted(2, 2, -2, -2), 8, 8)
        painter.restore()
