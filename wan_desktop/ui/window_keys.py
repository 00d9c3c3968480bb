"""The window's own keys, live wherever the focus is unless the focused widget needs the key:
Space plays or pauses (on a library card: previews it), F toggles full-screen video, Ctrl+F
finds in the library (showing it first), Ctrl+Z undoes what the status line offers to undo.

Each key is a window-wide ``QShortcut`` that is switched off while the focus is in a widget that
types or presses with that key (a text field, a button, a combo box) or in the player, whose
own Space and F shortcuts would otherwise make the key ambiguous. GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QWidget

if TYPE_CHECKING:
    from .library_pane import LibraryPane
    from .player import VideoPlayer

__all__ = ["WindowKeys", "is_text_field", "uses_space"]


@cache
def _kinds() -> tuple[tuple[type, ...], tuple[type, ...]]:
    """The text fields' classes, and the widgets that Space (or a letter) presses or opens.
    Looked up on the first key check, not at import: each Qt class PySide sets up costs the
    window's first paint about a millisecond."""
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractSpinBox,
        QComboBox,
        QKeySequenceEdit,
        QLineEdit,
        QPlainTextEdit,
        QTextEdit,
    )

    text = (QLineEdit, QTextEdit, QPlainTextEdit, QAbstractSpinBox, QKeySequenceEdit)
    return text, (QAbstractButton, QComboBox)


def is_text_field(widget: QWidget | None) -> bool:
    """Whether ``widget`` takes typed text (so it keeps Space, letters and its own undo)."""
    return widget is not None and isinstance(widget, _kinds()[0])


def _within(widget: QWidget, ancestor: QWidget) -> bool:
    return widget is ancestor or ancestor.isAncestorOf(widget)


def uses_space(widget: QWidget | None) -> bool:
    """Whether Space (and letters) belong to ``widget``: a text field, a button, a combo box."""
    return widget is not None and (is_text_field(widget) or isinstance(widget, _kinds()[1]))


class WindowKeys(QObject):
    """The window-wide keys of ``window``: ``player()`` and ``library()`` are its panes
    (``None`` until built); ``find()`` and ``undo()`` do Ctrl+F and Ctrl+Z;
    ``undo_available()`` says whether Ctrl+Z has something to undo now."""

    def __init__(
        self,
        window: QWidget,
        *,
        player: Callable[[], VideoPlayer | None],
        library: Callable[[], LibraryPane | None],
        find: Callable[[], object],
        undo: Callable[[], object],
        undo_available: Callable[[], bool],
    ) -> None:
        super().__init__(window)  # a child: the focus connection ends with the window
        self._window = window
        self._player = player
        self._library = library
        self._undo_available = undo_available
        self.space = self._shortcut("Space", self._on_space, "windowSpaceShortcut")
        self.full_screen = self._shortcut("F", self._on_f, "windowFullScreenShortcut")
        self.find = self._shortcut("Ctrl+F", find, "windowFindShortcut")
        self.undo = self._shortcut("Ctrl+Z", undo, "windowUndoShortcut")
        self._find_wanted = True
        QApplication.instance().focusChanged.connect(self._on_app_focus_changed)
        self.refresh()

    def _shortcut(self, key: str, slot: Callable[[], object], name: str) -> QShortcut:
        shortcut = QShortcut(QKeySequence(key), self._window)
        shortcut.setObjectName(name)  # Qt.WindowShortcut, the default context
        shortcut.activated.connect(slot)
        return shortcut

    def set_find_wanted(self, wanted: bool) -> None:
        """Whether the window's Ctrl+F is needed: not while the library shows, whose own
        Ctrl+F (two live shortcuts for one key would both be ambiguous) focuses its search."""
        self._find_wanted = wanted
        self.find.setEnabled(wanted)

    def _on_space(self) -> None:
        """Play or pause; on a library card, preview it instead."""
        pane, player = self._library(), self._player()
        focus = QApplication.focusWidget()
        if pane is not None and focus is not None and _within(focus, pane.view):
            pane.preview_current()
        elif player is not None:
            player.toggle()

    def _on_f(self) -> None:
        player = self._player()
        if player is not None:
            player.toggle_full_screen()

    def refresh(self) -> None:
        """Switch the keys on or off for the widget that has the focus now."""
        focus = QApplication.focusWidget()
        player = self._player()
        in_player = focus is not None and player is not None and _within(focus, player)
        free = not uses_space(focus) and not in_player
        self.space.setEnabled(free)
        self.full_screen.setEnabled(free)
        self.undo.setEnabled(not is_text_field(focus) and self._undo_available())
        self.find.setEnabled(self._find_wanted)

    def _on_app_focus_changed(self, _old: QWidget | None, _new: QWidget | None) -> None:
        self.refresh()
