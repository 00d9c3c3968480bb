"""Full-screen video: the window shows only the player, then puts everything back as it was."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMainWindow, QWidget

__all__ = ["FullScreenController"]


class FullScreenController:
    """Hides ``others()`` (the panes, menus and status line around the player) and shows
    ``window`` full screen; leaving restores each one's visibility and the window's
    maximised or normal state. ``focus`` gets the keyboard in full screen (the player).
    GUI thread."""

    def __init__(
        self,
        window: QMainWindow,
        others: Callable[[], list[QWidget]],
        focus: Callable[[], QWidget],
    ) -> None:
        self._window = window
        self._others = others
        self._focus = focus
        self._visible: dict[int, bool] = {}
        self._was_maximized = False

    def set_full(self, full: bool) -> None:
        """Enter (``True``) or leave full screen."""
        others = self._others()
        window = self._window
        if full:
            self._visible = {id(w): w.isVisible() for w in others}
            self._was_maximized = window.isMaximized()
            for w in others:
                w.hide()
            window.showFullScreen()
            self._focus().setFocus()
            return
        for w in others:
            w.setVisible(self._visible.get(id(w), True))
        if self._was_maximized:
            window.showMaximized()
        else:
            window.showNormal()
