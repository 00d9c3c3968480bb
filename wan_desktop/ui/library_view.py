"""``libraryView``: the grid of clips. A ``QListView`` in icon mode over :class:`LibraryModel`,
cards painted by :class:`LibraryDelegate`; hovering a card scrubs through its clip; clips drag
out as file URLs and MP4 files dropped in are imported.
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, QSize, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QMouseEvent
from PySide6.QtWidgets import QAbstractItemView, QListView, QWidget

from .library_delegate import LibraryDelegate, thumb_rect
from .library_model import LibraryModel, LibraryRole

__all__ = ["VIDEO_SUFFIXES", "LibraryView", "video_paths_in"]

VIDEO_SUFFIXES = (".mp4", ".m4v", ".mov")


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


class LibraryView(QListView):
    """The grid. ``importRequested(paths)`` when video files are dropped on it;
    ``contextRequested(global_pos)`` for the context menu."""

    importRequested = Signal(list)

    def __init__(self, model: LibraryModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("libraryView")
        self.setAccessibleName("Library")
        self.setAccessibleDescription("Your clips; hover to scrub, double-click to play")
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setMovement(QListView.Movement.Static)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(True)
        self.setUniformItemSizes(True)
        self.setSpacing(5)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.verticalScrollBar().setSingleStep(24)
        self.setMouseTracking(True)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)  # Qt delivers drags to widgets that accept drops
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.setDropIndicatorShown(False)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.setItemDelegate(LibraryDelegate(self))
        self.setModel(model)
        self._drop_active = False

    def library_model(self) -> LibraryModel:
        return self.model()  # type: ignore[return-value]

    def showEvent(self, event) -> None:  # Qt override
        self.library_model().device_pixel_ratio = self.devicePixelRatioF()
        super().showEvent(event)

    def sizeHint(self) -> QSize:  # Qt override
        return QSize(460, 420)

    # ---- scrubbing ----------------------------------------------------------------------------

    def scrub_at(self, x: int, y: int) -> None:
        """Scrub the card under viewport point (x, y): its left edge is the first frame, its
        right edge the last."""
        index = self.indexAt(QPoint(x, y))
        model = self.library_model()
        if not index.isValid():
            model.set_scrub(None)
            return
        rect = thumb_rect(self.visualRect(index))
        if not rect.contains(x, y):
            model.set_scrub(None)
            return
        fraction = (x - rect.left()) / max(1, rect.width() - 1)
        model.set_scrub(index.data(LibraryRole.Id), fraction)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # Qt override
        if not event.buttons():
            pos = event.position().toPoint()
            self.scrub_at(pos.x(), pos.y())
        super().mouseMoveEvent(event)

    def leaveEvent(self, event) -> None:  # Qt override
        self.library_model().set_scrub(None)
        super().leaveEvent(event)

    # ---- drops (import) -----------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # Qt override
        if event.source() is self:
            event.ignore()
            return
        if video_paths_in(event.mimeData()):
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
            self._drop_active = True
            self.viewport().update()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # Qt override
        if event.source() is not self and video_paths_in(event.mimeData()):
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        else:
            event.ignore()

    def dragLeaveEvent(self, event) -> None:  # Qt override
        self._drop_active = False
        self.viewport().update()
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:  # Qt override
        self._drop_active = False
        paths = video_paths_in(event.mimeData())
        if event.source() is self or not paths:
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        self.importRequested.emit(paths)

    # ---- helpers ------------------------------------------------------------------------------

    def selected_ids(self) -> list[str]:
        rows = sorted(i.row() for i in self.selectionModel().selectedIndexes())
        model = self.library_model()
        return [model.summary(r).id for r in rows if model.summary(r) is not None]

    def current_id(self) -> str | None:
        index = self.currentIndex()
        if index.isValid():
            return index.data(LibraryRole.Id)
        ids = self.selected_ids()
        return ids[0] if ids else None

    def select_id(self, entry_id: str) -> bool:
        index = self.library_model().index_of(entry_id)
        if not index.isValid():
            return False
        self.setCurrentIndex(index)
        self.scrollTo(index)
        return True
