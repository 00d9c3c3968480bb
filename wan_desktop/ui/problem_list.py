"""Under the Generate button: the first reason it is unavailable, and "+N more" that opens
every problem, warnings included (GUI thread)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from .naming import named
from .theme import apply_style, set_role

__all__ = ["ProblemList"]

#: Added to a warning in the full list: it is worth a look but Generate still works.
WARNING_SUFFIX = " (Generate still works.)"


class ProblemList(QWidget):
    """``first`` shows the first blocker (or the first warning when nothing blocks);
    ``more_button`` ("+N more", reachable with Tab) opens ``full_list`` with the rest and
    closes it again ("Show less")."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._rest: list[str] = []
        self.first = named(QLabel(), "generateReason", "Why Generate is unavailable")
        set_role(self.first, "warning")
        self.first.setWordWrap(True)
        self.first.setTextFormat(Qt.TextFormat.PlainText)
        self.more_button = named(QPushButton(), "generateReasonMore", "Show every problem")
        apply_style(self.more_button, "linkButton")
        self.more_button.setFlat(True)
        self.more_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.more_button.setCheckable(True)
        self.more_button.toggled.connect(self._on_more_button_toggled)
        self.full_list = named(QLabel(), "generateReasonList", "Every problem")
        set_role(self.full_list, "warning")
        self.full_list.setWordWrap(True)
        self.full_list.setTextFormat(Qt.TextFormat.PlainText)
        self.full_list.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.full_list.hide()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.first, 1)
        row.addWidget(self.more_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.full_list)
        self.hide()

    def set_problems(self, blockers: list[str], warnings: list[str]) -> None:
        """Show ``blockers`` (Generate is unavailable) then ``warnings`` (it is not);
        hidden when both are empty."""
        if blockers:
            items = [*blockers, *(w + WARNING_SUFFIX for w in warnings)]
        else:  # Generate is enabled: the first warning needs no reminder of that
            items = [*warnings[:1], *(w + WARNING_SUFFIX for w in warnings[1:])]
        self.setVisible(bool(items))
        self.first.setText(items[0] if items else "")
        self.first.setAccessibleName(
            "Why Generate is unavailable" if blockers else "Worth a look before generating"
        )
        self._rest = items[1:]
        self.full_list.setText("\n".join(f"• {item}" for item in self._rest))
        self.more_button.setVisible(bool(self._rest))
        if not self._rest:
            self.more_button.setChecked(False)
        self._sync_more()

    def is_open(self) -> bool:
        """Whether every problem is shown."""
        return self.more_button.isChecked()

    def set_open(self, open_: bool) -> None:
        """Show or hide the problems after the first."""
        self.more_button.setChecked(open_ and bool(self._rest))

    def _sync_more(self) -> None:
        opened = self.more_button.isChecked()
        self.full_list.setVisible(opened)
        self.more_button.setText("Show less" if opened else f"+{len(self._rest)} more")
        self.more_button.setAccessibleDescription(
            "Hide the other problems" if opened else f"Show {len(self._rest)} more problems"
        )

    def _on_more_button_toggled(self, _checked: bool) -> None:
        self._sync_more()
