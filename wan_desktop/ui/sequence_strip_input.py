"""The sequence strip's input (GUI thread): clicks select a clip or a seam, a clip dragged
along the strip asks to move (scrolling near the edges), double-click or Return plays a clip,
the arrows walk clip, seam, clip, Ctrl+arrows move the selected clip, Delete removes it, the
context menu offers the same, and library cards dropped on the strip ask to be added. It only
emits the strip's signals; the pane makes the changes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import (
    QContextMenuEvent,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeyEvent,
    QMouseEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QApplication, QMenu

from ..library.ids import is_valid_id
from .plain_text import tooltip_text
from .sequence_strip_paint import length_text

if TYPE_CHECKING:
    from .sequence_strip import SequenceStrip

    _StripBase = SequenceStrip
else:
    _StripBase = object  # a plain class, placed before QWidget in the strip's bases

__all__ = ["StripInputMixin", "entry_ids_in_drop"]

_EDGE_PX = 28  # a drag this close to an edge scrolls the strip
_EDGE_STEP = 16  # pixels scrolled per pointer move there


def entry_ids_in_drop(mime, source) -> list[str]:
    """The library clips a drop carries: the library grid's selection when it is the source
    (it has ``selected_ids``), else the entry folders of dropped library files."""
    selected = getattr(source, "selected_ids", None)
    if callable(selected):
        return list(selected())
    ids = []
    for url in mime.urls() if mime is not None and mime.hasUrls() else []:
        if url.isLocalFile():
            folder = Path(url.toLocalFile()).parent.name
            if is_valid_id(folder) and folder not in ids:
                ids.append(folder)
    return ids


class StripInputMixin(_StripBase):
    """The strip's mouse, wheel, keys, context menu and drops."""

    def mousePressEvent(self, event: QMouseEvent) -> None:  # Qt override
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        hit = self._hit(event.position().toPoint())
        if event.button() != Qt.MouseButton.LeftButton:
            if hit is not None:
                self._select(hit)
            return
        if hit is None:
            self.clear_selection()
            return
        self._select(hit)
        if hit[0] == "clip":
            self._press = (event.position().toPoint(), hit[1])

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # Qt override
        pos = event.position().toPoint()
        if self._press is None:
            hit = self._hit(pos)
            self.setToolTip(self._tip(hit))
            return
        start, index = self._press
        if self._drag_from is None:
            if (pos - start).manhattanLength() < QApplication.startDragDistance():
                return
            self._drag_from = index
        # Near an edge the strip scrolls, so a clip can be dragged past what is on screen.
        if pos.x() < _EDGE_PX:
            self.scroll.setValue(self.scroll.value() - _EDGE_STEP)
        elif pos.x() > self.width() - _EDGE_PX:
            self.scroll.setValue(self.scroll.value() + _EDGE_STEP)
        self._insert_at = self._insert_index(pos)
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # Qt override
        source, at = self._drag_from, self._insert_at
        self._press = None
        self._drag_from = self._insert_at = None
        self.update()
        if source is None or at is None:
            return
        target = at - 1 if at > source else at
        if target != source:
            self.moveRequested.emit(source, target)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # Qt override
        hit = self._hit(event.position().toPoint())
        if hit is not None and hit[0] == "clip":
            self.playClipRequested.emit(self._cells[hit[1]].entry_id)

    def wheelEvent(self, event: QWheelEvent) -> None:  # Qt override
        delta = event.angleDelta()
        step = delta.x() or delta.y()
        self.scroll.setValue(self.scroll.value() - step)
        event.accept()

    def _tip(self, hit: tuple[str, int] | None) -> str:
        if hit is None:
            return ""
        cell = self._cells[hit[1]]
        if hit[0] == "clip":
            return tooltip_text(f"{cell.title}\n{length_text(cell.seconds)} used")
        parts = [f"Seam {hit[1]}: click to edit"]
        if cell.head_frames:
            parts.append(f"clip {hit[1] + 1} starts at frame {cell.head_frames}")
        if cell.tail_frames:
            parts.append(f"clip {hit[1]} loses its last {cell.tail_frames} frames")
        if cell.crossfade:
            parts.append(f"{cell.crossfade}-frame crossfade")
        return tooltip_text("\n".join(parts))

    # ---- keys and menu ------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:  # Qt override
        key, mods = event.key(), event.modifiers()
        selected = self._selected
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and selected and selected[0] == "clip":
            self.removeRequested.emit(selected[1])
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right) and self._cells:
            step = -1 if key == Qt.Key.Key_Left else 1
            if mods & Qt.KeyboardModifier.ControlModifier and selected and selected[0] == "clip":
                target = selected[1] + step
                if 0 <= target < len(self._cells):
                    self.moveRequested.emit(selected[1], target)
            else:
                self._step(step)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and selected and selected[0] == "clip":
            self.playClipRequested.emit(self._cells[selected[1]].entry_id)
        elif key == Qt.Key.Key_Escape and self._drag_from is not None:
            self._press = None
            self._drag_from = self._insert_at = None
            self.update()
        else:
            super().keyPressEvent(event)

    def _step(self, step: int) -> None:
        """Left and Right walk clip, seam, clip, seam … along the strip."""
        stops = [("clip", 0)]
        for index in range(1, len(self._cells)):
            stops += [("seam", index), ("clip", index)]
        here = stops.index(self._selected) if self._selected in stops else -1
        target = stops[max(0, min(len(stops) - 1, here + step))] if here >= 0 else stops[0]
        self._select(target)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # Qt override
        hit = self._hit(event.pos())
        if hit is None:
            return
        menu = QMenu(self)
        menu.setObjectName("sequenceStripMenu")
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        index = hit[1]
        if hit[0] == "clip":
            entry_id = self._cells[index].entry_id
            menu.addAction("Play this clip", lambda: self.playClipRequested.emit(entry_id))
            menu.addSeparator()
            left = menu.addAction("Move left", lambda: self.moveRequested.emit(index, index - 1))
            left.setEnabled(index > 0)
            right = menu.addAction("Move right", lambda: self.moveRequested.emit(index, index + 1))
            right.setEnabled(index < len(self._cells) - 1)
            menu.addSeparator()
            menu.addAction("Remove from sequence\tDel", lambda: self.removeRequested.emit(index))
        else:
            menu.addAction("Edit this seam", lambda: self.seamSelected.emit(index))
        menu.popup(event.globalPos())

    # ---- drops from the library ---------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # Qt override
        if entry_ids_in_drop(event.mimeData(), event.source()):
            event.acceptProposedAction()
            self._insert_at = self._insert_index(event.position().toPoint())
            self.update()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # Qt override
        self._insert_at = self._insert_index(event.position().toPoint())
        event.acceptProposedAction()
        self.update()

    def dragLeaveEvent(self, _event) -> None:  # Qt override
        self._insert_at = None
        self.update()

    def dropEvent(self, event: QDropEvent) -> None:  # Qt override
        ids = entry_ids_in_drop(event.mimeData(), event.source())
        at = self._insert_index(event.position().toPoint())
        self._insert_at = None
        self.update()
        if ids:
            event.acceptProposedAction()
            self.idsDropped.emit(ids, at)
