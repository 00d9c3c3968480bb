"""The window's status-line notice (:class:`~.status_notice.StatusNotice`), made for the first
notice, and the offers it carries: Undo after a trash (Ctrl+Z too), and what else the window
offers with one action. GUI thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QStatusBar

if TYPE_CHECKING:
    from .status_notice import StatusNotice

__all__ = ["UNDO", "WindowNotices"]

#: The status line's word for undoing, which Ctrl+Z also triggers.
UNDO = "Undo"


class WindowNotices:
    """The notice in ``status_bar`` (left of its other permanent widgets). ``changed()`` is
    called whenever what Ctrl+Z could undo may have changed."""

    def __init__(self, status_bar: QStatusBar) -> None:
        self._status_bar = status_bar
        self._widget: StatusNotice | None = None
        self.changed: Callable[[], object] = lambda: None

    @property
    def widget(self) -> StatusNotice:
        """The notice (``statusNotice``), made on first use: not before the first paint."""
        if self._widget is None:
            from .status_notice import StatusNotice  # its module uses Qt's namespace (theme)

            self._widget = StatusNotice()
            self._widget.dismissed.connect(self._on_widget_dismissed)
            self._status_bar.insertPermanentWidget(0, self._widget)
        return self._widget

    def show(
        self,
        text: str,
        action_text: str | None = None,
        on_action: Callable[[], object] | None = None,
        timeout_ms: int = 10000,
    ) -> None:
        """Show ``text`` with one action (see :meth:`StatusNotice.show_notice`)."""
        self.widget.show_notice(text, action_text, on_action, timeout_ms)
        self.changed()

    def offer_undo_trash(self, ids: list[str], restore: Callable[[list[str]], object]) -> None:
        """ "Moved N clips to the trash · Undo": Undo (or Ctrl+Z) calls ``restore(ids)``."""
        n = len(ids)
        text = f"Moved {n} clip{'s' if n != 1 else ''} to the trash"
        self.show(text, UNDO, lambda: restore(ids))

    def undo_available(self) -> bool:
        """Whether the notice offers Undo now."""
        return self._widget is not None and self._widget.action_text() == UNDO

    def undo(self) -> bool:
        """Use the notice's Undo while it is offered; ``False`` when none is."""
        if not self.undo_available():
            return False
        assert self._widget is not None
        done = self._widget.trigger()
        self.changed()
        return done

    def _on_widget_dismissed(self) -> None:
        self.changed()
