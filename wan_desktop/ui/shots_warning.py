"""The line under the prompt that says the shot times no longer fit the video's duration,
with a link that rewrites them (GUI thread)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ..core.storyboard import rescale_shots, shots_misfit
from .naming import named
from .text_buttons import LinkButton
from .theme import set_role

__all__ = ["ShotsWarning"]


class ShotsWarning(QWidget):
    """Hidden while the prompt's shot lines fit the duration (or it has none), and while it
    is inactive (:meth:`set_active`: the storyboard checks the shots then).

    ``text_of()`` reads the prompt and ``set_text(text)`` replaces it (as one undoable
    edit); call :meth:`update_from_text` when the prompt changes. ``changed`` fires when the
    warning appears, disappears or changes its words.
    """

    changed = Signal()

    def __init__(
        self,
        text_of: Callable[[], str],
        set_text: Callable[[str], None],
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self._text_of = text_of
        self._set_text = set_text
        self._duration_s = 5
        self._active = True
        self._message: str | None = None
        self.label = named(QLabel(), "shotTimesWarning", "Shot times warning")
        set_role(self.label, "warning")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.rewrite_button = named(LinkButton(), "rewriteShotsButton", "Rewrite the shot times")
        self.rewrite_button.clicked.connect(self._on_rewrite_button_clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.label)
        layout.addWidget(self.rewrite_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.hide()

    def message(self) -> str | None:
        """The warning's sentence, or ``None`` when the shot times fit."""
        return self._message

    def set_duration(self, duration_s: int) -> None:
        """The video's duration in seconds."""
        self._duration_s = duration_s
        self.rewrite_button.setText(f"Rewrite the shot times for {duration_s} s")
        self.update_from_text()

    def set_active(self, active: bool) -> None:
        """Whether this line checks the shot times; inactive, it stays hidden and silent
        (multi-shot is on: the storyboard shows every problem of the shots, this one too)."""
        self._active = active
        self.update_from_text()

    def update_from_text(self) -> None:
        """Check the prompt's shot lines against the duration again."""
        message = shots_misfit(self._text_of(), self._duration_s) if self._active else None
        if message == self._message:
            return
        self._message = message
        self.label.setText(message or "")
        self.setVisible(message is not None)
        self.changed.emit()

    def rewrite(self) -> None:
        """Stretch or squeeze the shot times so the last shot ends with the video."""
        self._set_text(rescale_shots(self._text_of(), self._duration_s))

    def _on_rewrite_button_clicked(self) -> None:
        self.rewrite()
