"""The contact sheet's keys (GUI thread): Space, the frame steps, Home and End drive the
playback; the arrows move between the shown takes; 1–5, P, X and 0 mark the current take;
Enter opens it; Ctrl+Z undoes Keep picks; Esc closes. :class:`ContactSheet` does the work."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QKeySequence

if TYPE_CHECKING:
    from .contact_sheet import ContactSheet

    _SheetBase = ContactSheet
else:
    _SheetBase = object  # a plain class, placed before QWidget in the sheet's bases

__all__ = ["SheetKeysMixin"]

_STAR_KEYS = {getattr(Qt.Key, f"Key_{n}"): n for n in range(6)}
_MODIFIERS = (
    Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.ShiftModifier
)


class SheetKeysMixin(_SheetBase):
    """The key handling of :class:`ContactSheet`: ``keyPressEvent`` and the arrow moves over
    the takes not hidden by Keep picks (the grid's columns for Up and Down)."""

    def keyPressEvent(self, event: QKeyEvent) -> None:  # Qt override
        if not self._handle_key(event):
            super().keyPressEvent(event)

    def _handle_key(self, event: QKeyEvent) -> bool:
        key = event.key()
        modified = bool(event.modifiers() & _MODIFIERS)
        if event.matches(QKeySequence.StandardKey.Undo):
            return self.undo()
        if key == Qt.Key.Key_Space:
            self.playback.toggle()
        elif key in (Qt.Key.Key_Comma, Qt.Key.Key_Period):
            self.step(-1 if key == Qt.Key.Key_Comma else 1)
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right) and modified:
            self.step(-1 if key == Qt.Key.Key_Left else 1)
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down):
            self._move(key)
        elif key == Qt.Key.Key_Home:
            self.playback.pause()
            self.playback.seek_frame(0)
        elif key == Qt.Key.Key_End:
            self.playback.pause()
            self.playback.seek_frame(self.playback.frame_count() - 1)
        elif key in _STAR_KEYS and not modified:
            stars = _STAR_KEYS[key]
            self.clear_marks() if stars == 0 else self.rate(stars)
        elif key == Qt.Key.Key_P and not modified:
            self.toggle_flag("picked")
        elif key == Qt.Key.Key_X and not modified:
            self.toggle_flag("rejected")
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.open_current()
        elif key == Qt.Key.Key_Escape:
            self.close()
        else:
            return False
        return True

    def _move(self, key: Qt.Key) -> None:
        shown = [c.number for c in self.cells if c.number not in self._hidden]
        if not shown:
            return
        columns = self.grid.columns()
        position = shown.index(self._current) if self._current in shown else 0
        delta = {Qt.Key.Key_Left: -1, Qt.Key.Key_Right: 1, Qt.Key.Key_Up: -columns,
                 Qt.Key.Key_Down: columns}[key]  # fmt: skip
        target = position + delta
        if 0 <= target < len(shown):
            self.set_current(shown[target])
