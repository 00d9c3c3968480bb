"""Under the Generate button: the first reason it is unavailable, and "+N more" that opens
every problem, warnings included (GUI thread)."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from .naming import named
from .text_buttons import LinkButton
from .theme import set_role

__all__ = ["ProblemList"]

#: Added to a warning in the full list: it is worth a look but Generate still works.
WARNING_SUFFIX = " (Generate still works.)"


def _bullets(items: list[str]) -> str:
    """``items`` as rich text: a bullet each, wrapped lines hanging under the text."""
    rows = "".join(f"<tr><td>•&nbsp;</td><td>{html.escape(item)}</td></tr>" for item in items)
    return f"<table cellspacing='0' cellpadding='0'>{rows}</table>"


class ProblemList(QWidget):
    """``first`` shows the first blocker (or the first warning when nothing blocks);
    ``more_button`` ("+N more", reachable with Tab) shows ``full_list``, every item as a
    bulleted list, in its place, and closes it again ("Show less")."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._items: list[str] = []
        self._rest: list[str] = []
        self.first = named(QLabel(), "generateReason", "Why Generate is unavailable")
        set_role(self.first, "warning")
        self.first.setWordWrap(True)
        self.first.setTextFormat(Qt.TextFormat.PlainText)
        self.more_button = named(LinkButton(), "generateReasonMore", "Show every problem")
        self.more_button.setCheckable(True)
        self.more_button.toggled.connect(self._on_more_button_toggled)
        self.full_list = named(QLabel(), "generateReasonList", "Every problem")
        set_role(self.full_list, "warning")
        self.full_list.setWordWrap(True)
        self.full_list.setTextFormat(Qt.TextFormat.RichText)  # escaped: see _bullets
        self.full_list.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.full_list.hide()
        text = QVBoxLayout()
        text.setContentsMargins(0, 0, 0, 0)
        text.addWidget(self.first)
        text.addWidget(self.full_list)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(text, 1)
        layout.addWidget(self.more_button, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def set_problems(self, blockers: list[str], warnings: list[str]) -> None:
        """Show ``blockers`` (Generate is unavailable) then ``warnings`` (it is not);
        hidden when both are empty."""
        if blockers:
            items = [*blockers, *(w + WARNING_SUFFIX for w in warnings)]
        else:  # Generate is enabled: the first warning needs no reminder of that
            items = [*warnings[:1], *(w + WARNING_SUFFIX for w in warnings[1:])]
        self.setVisible(bool(items))
        self.first.setAccessibleName(
            "Why Generate is unavailable" if blockers else "Worth a look before generating"
        )
        self._items = items
        self._rest = items[1:]
        self.full_list.setText(_bullets(items))
        self.more_button.setVisible(bool(self._rest))
        if not self._rest:
            self.more_button.setChecked(False)
        self._sync_more()

    def items(self) -> list[str]:
        """Every line the list holds, the first one first."""
        return list(self._items)

    def is_open(self) -> bool:
        """Whether every problem is shown."""
        return self.more_button.isChecked()

    def set_open(self, open_: bool) -> None:
        """Show or hide the problems after the first."""
        self.more_button.setChecked(open_ and bool(self._rest))

    def _sync_more(self) -> None:
        opened = self.more_button.isChecked()
        self.full_list.setVisible(opened)
        self.first.setVisible(not opened)
        self.first.setText(self._items[0] if self._items else "")
        self.more_button.setText("Show less" if opened else f"+{len(self._rest)} more")
        self.more_button.setAccessibleDescription(
            "Hide the other problems" if opened else f"Show {len(self._rest)} more problems"
        )

    def _on_more_button_toggled(self, _checked: bool) -> None:
        self._sync_more()
