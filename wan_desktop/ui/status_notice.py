"""A notice in the window's status line with at most one action ("Moved 2 clips to the trash ·
Undo", "Settings reused · Restore draft").

It is a permanent widget of the status bar, so the status bar's passing messages do not hide it;
it goes away after its time, when its action is used, or when the next notice replaces it.
Plain text only (clip titles and prompts are shown as typed). GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from .naming import named
from .plain_text import plain_label
from .theme import apply_style

__all__ = ["StatusNotice"]


class StatusNotice(QWidget):
    """``statusNotice``: a sentence (``statusNoticeText``) and one action button
    (``statusNoticeAction``, its accessible name the action's text). ``dismissed`` when it
    goes away without its action being used."""

    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "statusNotice", "Notice")
        self.label = named(plain_label(QLabel()), "statusNoticeText", "Notice text")
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.button = named(QPushButton(), "statusNoticeAction", "Notice action")
        apply_style(self.button, "linkButton")
        self.button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.button.clicked.connect(self.trigger)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 8, 0)
        layout.setSpacing(6)
        layout.addWidget(self.label)
        layout.addWidget(self.button)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.dismiss)
        self._on_action: Callable[[], object] | None = None
        self._text = ""
        self.hide()

    def show_notice(
        self,
        text: str,
        action_text: str | None = None,
        on_action: Callable[[], object] | None = None,
        timeout_ms: int = 10000,
    ) -> None:
        """Show ``text`` with a button ``action_text`` that calls ``on_action`` (and then hides
        the notice), for ``timeout_ms`` milliseconds (0: until replaced or dismissed). A notice
        still showing is replaced (its action is no longer offered)."""
        if self._on_action is not None:
            self._on_action = None
            self.dismissed.emit()
        has_action = bool(action_text) and on_action is not None
        self._text = text
        self.label.setText(f"{text} \u00b7" if has_action else text)
        self.label.setAccessibleDescription(text)
        self._on_action = on_action if has_action else None
        self.button.setText(action_text or "")
        self.button.setAccessibleName(action_text or "Notice action")
        self.button.setToolTip(f"{action_text}: {text}" if has_action else "")
        self.button.setVisible(has_action)
        self.setAccessibleName(f"{text} {action_text}" if has_action else text)
        self.setVisible(True)
        if timeout_ms > 0:
            self._timer.start(timeout_ms)
        else:
            self._timer.stop()

    # QWidget.show() keeps its meaning; the brief's name for the call is this alias.
    def show(self, *args, **kwargs) -> None:  # type: ignore[override]
        """Without arguments: ``QWidget.show()``; with them: :meth:`show_notice`."""
        if not args and not kwargs:
            super().show()
            return
        self.show_notice(*args, **kwargs)

    def is_showing(self) -> bool:
        """Whether a notice is up now."""
        return not self.isHidden()

    def text(self) -> str:
        """The sentence shown ("" when hidden)."""
        return self._text if self.is_showing() else ""

    def action_text(self) -> str:
        """The action offered now ("" when none, or hidden)."""
        return self.button.text() if self.is_showing() and self._on_action else ""

    def trigger(self) -> bool:
        """Use the action on offer (as its button does), then hide; ``False`` when none."""
        action, self._on_action = self._on_action, None
        self._timer.stop()
        self.hide()
        if action is None:
            return False
        action()
        return True

    def dismiss(self) -> None:
        """Hide the notice without using its action."""
        self._timer.stop()
        offered, self._on_action = self._on_action, None
        self.hide()
        if offered is not None:
            self.dismissed.emit()
