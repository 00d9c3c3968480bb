"""Prompt and negative-prompt editors with live code-point counters.

The counter counts what the API counts: Unicode code points (Python's ``len`` of the text), so
an emoji built from several code points counts several, as the service will count it.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QTextCursor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..core.storyboard import even_shots, parse, shot_header
from .plain_text import plain_label
from .shots_warning import ShotsWarning
from .text_buttons import menu_tool_button, text_tool_button
from .theme import apply_style, set_role, set_style_property

__all__ = ["WARN_FRACTION", "PromptEditor", "counter_level", "shot_lines"]

#: The counter turns to the warning colour at this fraction of the limit.
WARN_FRACTION = 0.9


def counter_level(count: int, limit: int) -> str:
    """``ok``, ``warning`` (at least 90% of the limit) or ``error`` (past it)."""
    if count > limit:
        return "error"
    if count >= math.ceil(limit * WARN_FRACTION):
        return "warning"
    return "ok"


def shot_lines(duration_s: int) -> list[str]:
    """``Shot N [a-bs] `` lines (the model's own spelling, a space left for the words) that
    split ``duration_s`` into shots of about four seconds."""
    return [f"{shot_header(n, shot)} " for n, shot in enumerate(even_shots(duration_s), 1)]


class PromptEditor(QWidget):
    """A titled ``QPlainTextEdit`` with a ``N / max`` counter and an inline error line.

    ``edit_name``/``counter_name`` become the object and accessible names (``promptEdit``,
    ``promptCounter``...). ``with_tools`` adds the recent-prompts menu and the multi-shot helper.
    """

    textChanged = Signal()
    shotsInserted = Signal()

    def __init__(
        self,
        title: str,
        max_chars: int,
        *,
        edit_name: str,
        counter_name: str,
        placeholder: str = "",
        with_tools: bool = False,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self._max = max_chars
        self._recent: list[str] = []
        self._duration_s = 5

        self._build_edit(title, edit_name, placeholder)
        self._build_labels(title, edit_name, counter_name)
        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 0, 0)
        header.addWidget(self.title)
        header.addStretch(1)
        self.recent_button: QToolButton | None = None
        self.shots_button: QToolButton | None = None
        self.shots_warning: ShotsWarning | None = None
        if with_tools:
            self._build_tools(header)
        header.addWidget(self.counter)
        self._header = header
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(header)
        layout.addWidget(self.edit, 1)
        if self.shots_warning is not None:
            layout.addWidget(self.shots_warning)
        layout.addWidget(self.error)
        self.edit.textChanged.connect(self._on_edit_text_changed)
        self._update_counter()

    def _build_edit(self, title: str, edit_name: str, placeholder: str) -> None:
        self.title = QLabel(title)
        set_role(self.title, "heading")
        self.edit = QPlainTextEdit()
        self.edit.setObjectName(edit_name)
        apply_style(self.edit, "textBox")  # the red frame while ``invalid``
        self.edit.setAccessibleName(title)
        self.edit.setPlaceholderText(placeholder)
        self.edit.setTabChangesFocus(True)
        self.edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.title.setBuddy(self.edit)

    def _build_labels(self, title: str, edit_name: str, counter_name: str) -> None:
        """The length counter and the problem line under the text."""
        self.counter = QLabel()
        self.counter.setObjectName(counter_name)
        self.counter.setAccessibleName(f"{title} length")
        self.counter.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.error = plain_label(QLabel())
        self.error.setObjectName(f"{edit_name}Error")
        self.error.setAccessibleName(f"{title} problem")
        set_role(self.error, "error")
        self.error.setWordWrap(True)
        self.error.hide()

    def _build_tools(self, header: QHBoxLayout) -> None:
        """The recent-prompts menu and the multi-shot helper, into ``header``."""
        self._recent_menu = QMenu(self)
        self.recent_button = menu_tool_button(
            "recentPromptsButton",
            "Recent prompts",
            "Recent",
            "history",
            self._recent_menu,
            auto_raise=True,
        )
        self.recent_button.setToolTip("Recent prompts")
        self.shots_button = text_tool_button(
            "multiShotHelperButton", "Insert shot lines", "Shots", "shots", auto_raise=True
        )
        self.shots_button.clicked.connect(self._on_shots_button_clicked)
        self.shots_warning = ShotsWarning(self.text, self.set_text)
        header.addWidget(self.recent_button)
        header.addWidget(self.shots_button)
        self.set_recent([])
        self.set_duration(self._duration_s)

    # ---- text -----------------------------------------------------------------------------

    def text(self) -> str:
        return self.edit.toPlainText()

    def set_text(self, text: str, *, keep_cursor: bool = False) -> None:
        """Replace the text as one undoable edit (Ctrl+Z brings the previous text back),
        the cursor at the start, or where it was with ``keep_cursor`` (the storyboard
        rewriting the shot lines while the user types elsewhere: the box does not scroll).
        Nothing happens when the text is the same."""
        if text == self.text():
            return
        cursor = self.edit.textCursor()
        position = cursor.position()
        bar = self.edit.verticalScrollBar()
        scrolled = bar.value()
        cursor.beginEditBlock()
        cursor.select(QTextCursor.SelectionType.Document)
        cursor.insertText(text)
        cursor.endEditBlock()
        if keep_cursor:
            cursor.setPosition(min(position, len(text)))
        else:
            cursor.movePosition(QTextCursor.MoveOperation.Start)
        self.edit.setTextCursor(cursor)
        if keep_cursor:
            bar.setValue(min(scrolled, bar.maximum()))

    def add_header_widget(self, widget: QWidget) -> None:
        """Put ``widget`` at the end of the title row, after the counter (a remove button)."""
        self._header.addWidget(widget)

    def set_title(self, title: str) -> None:
        """Rename the box (``Prompt A`` while prompt alternatives are shown)."""
        self.title.setText(title)
        self.edit.setAccessibleName(title)

    def count(self) -> int:
        """Length in code points (what the API counts)."""
        return len(self.text())

    def set_max_chars(self, max_chars: int) -> None:
        """Count against a new limit (the resolved table changed); the counter follows."""
        if max_chars != self._max:
            self._max = max_chars
            self._update_counter()

    def max_chars(self) -> int:
        """The limit the counter counts against, in code points."""
        return self._max

    def level(self) -> str:
        """``ok``, ``warning`` or ``error`` — the counter's state."""
        return counter_level(self.count(), self._max)

    # ---- error marking --------------------------------------------------------------------

    def set_error(self, message: str | None) -> None:
        """Mark the box red with ``message`` under it (``None`` clears the mark)."""
        set_style_property(self.edit, "invalid", bool(message))
        self.error.setText(message or "")
        self.error.setVisible(bool(message))

    def error_text(self) -> str | None:
        return self.error.text() if self.error.isVisible() or self.error.text() else None

    # ---- tools ----------------------------------------------------------------------------

    def set_recent(self, prompts: list[str]) -> None:
        """The prompts the recent menu offers (newest first)."""
        self._recent = list(prompts)
        if self.recent_button is None:
            return
        menu = self._recent_menu
        menu.clear()
        for prompt in self._recent[:15]:
            label = prompt.replace("\n", " ")
            if len(label) > 70:
                label = label[:69] + "…"
            action = QAction(label, menu)
            action.setToolTip(prompt)
            action.triggered.connect(lambda _=False, p=prompt: self.set_text(p))
            menu.addAction(action)
        self.recent_button.setEnabled(bool(self._recent))

    def set_duration(self, duration_s: int) -> None:
        """The video duration the shot helper splits and the shot lines must fit."""
        self._duration_s = duration_s
        if self.shots_warning is not None:
            self.shots_warning.set_duration(duration_s)
        if self.shots_button is not None:
            lines = shot_lines(duration_s)
            self.shots_button.setToolTip(
                f"Insert {len(lines)} shot lines for a {duration_s} s video "
                f"({lines[0].strip()} …) and turn on multi-shot"
            )

    def insert_shots(self) -> None:
        """Append shot lines fitting the duration, each on its own line, and put the cursor
        after them. A prompt that has shot lines already keeps them (a second set would
        overlap the first): only the cursor moves."""
        text = self.text().rstrip()
        if parse(text) is None:
            block = "\n".join(shot_lines(self._duration_s))
            self.set_text(f"{text}\n\n{block}" if text else block)
        cursor = self.edit.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        self.edit.setTextCursor(cursor)
        self.edit.setFocus()

    def _on_shots_button_clicked(self) -> None:
        self.insert_shots()
        self.shotsInserted.emit()

    # ---- counter --------------------------------------------------------------------------

    def shots_problem(self) -> str | None:
        """Why the shot lines do not fit the duration, or ``None``."""
        return self.shots_warning.message() if self.shots_warning is not None else None

    def _on_edit_text_changed(self) -> None:
        self._update_counter()
        if self.shots_warning is not None:
            self.shots_warning.update_from_text()
        if self.edit.property("invalid") and self.error.text():
            self.set_error(None)  # the user is fixing what was refused
        self.textChanged.emit()

    def _update_counter(self) -> None:
        count = self.count()
        self.counter.setText(f"{count} / {self._max}")
        level = counter_level(count, self._max)
        if self.counter.property("level") != level:
            role = {"ok": "muted", "warning": "warning", "error": "error"}[level]
            set_role(self.counter, role, bold=level != "ok")
            self.counter.setProperty("level", level)
        over = count - self._max
        tip = f"{count} of {self._max} characters"
        if over > 0:
            tip += f" — remove {over}"
        self.counter.setToolTip(tip)
