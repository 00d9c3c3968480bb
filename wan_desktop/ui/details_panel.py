"""Everything about the selected clip: its parameters, the prompt beside the prompt the
service used (changes highlighted), and the user's title, favourite, tags and notes.

The panel only shows and collects; saving goes through signals to the pane, which calls the
library in the executor.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from .formats import format_duration, local_time
from .plain_text import plain_label
from .prompt_diff import diff_html
from .theme import set_role

__all__ = ["DetailsPanel", "human_size"]

_NOTHING_SELECTED = "Select a clip to see its details"


def human_size(n: int) -> str:
    """``12.3 MB``."""
    value = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{n} bytes"


def _yes(value: Any) -> str:
    return "on" if value else "off"


def _parent_link_html(parent_id: str) -> str:
    """The link to the parent clip; the id is data, so it is escaped in the text and the href
    (Qt gives the href back unescaped to ``linkActivated``)."""
    safe = html.escape(parent_id)
    return f'Continues from the last frame of <a href="entry:{safe}">{safe}</a>'


class _Browser(QTextBrowser):
    def __init__(self, name: str, accessible: str):
        super().__init__()
        self.setObjectName(name)
        self.setAccessibleName(accessible)
        self.setOpenLinks(False)
        self.setMinimumHeight(90)
        self.setFrameShape(QFrame.Shape.StyledPanel)


class DetailsPanel(QWidget):
    """``libraryDetails``. Shows one entry (:meth:`show_entry`); edits come out as signals
    carrying the entry id."""

    favouriteToggled = Signal(str, bool)
    titleEdited = Signal(str, str)
    tagsEdited = Signal(str, list)
    notesEdited = Signal(str, str)
    usePromptRequested = Signal(str)
    parentRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("libraryDetails")
        self.setAccessibleName("Clip details")
        self.entry: Any = None
        self._loading = False
        self._notes_timer = QTimer(self)
        self._notes_timer.setSingleShot(True)
        self._notes_timer.setInterval(600)
        self._make_header()
        self._make_prompts()
        self._make_user_fields()
        self._lay_out()
        self._connect()
        self.show_entry(None)

    def _make_header(self) -> None:
        """The heading, the title and favourite, the parent link and the parameter table."""
        self.heading = plain_label(QLabel(_NOTHING_SELECTED))
        self.heading.setObjectName("libraryDetailsHeading")
        set_role(self.heading, "heading")
        self.heading.setWordWrap(True)
        self.title_edit = QLineEdit()
        self.title_edit.setObjectName("libraryTitleEdit")
        self.title_edit.setAccessibleName("Title")
        self.title_edit.setPlaceholderText("Add a title")
        self.favourite_check = QCheckBox("Favourite")
        self.favourite_check.setObjectName("libraryFavouriteCheck")
        self.favourite_check.setAccessibleName("Favourite")
        # Rich text for the link; the id in it is escaped (see _parent_link_html).
        self.parent_link = QLabel()
        self.parent_link.setObjectName("libraryParentLink")
        self.parent_link.setAccessibleName("Continues the clip")
        self.parent_link.setTextFormat(Qt.TextFormat.RichText)
        self.parent_link.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.parent_link.hide()
        # Rich text for the table; every value in it is escaped (see _facts_html).
        self.facts = QLabel()
        self.facts.setObjectName("libraryFacts")
        self.facts.setAccessibleName("Parameters")
        self.facts.setTextFormat(Qt.TextFormat.RichText)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts.setWordWrap(True)

    def _make_prompts(self) -> None:
        """The two prompts side by side, and the button that reuses the service's."""
        self.prompt_view = _Browser("libraryPromptView", "Your prompt")
        self.actual_view = _Browser("libraryActualPromptView", "Prompt the service used")
        self.use_prompt_button = QPushButton("Use this prompt")
        self.use_prompt_button.setObjectName("libraryUsePromptButton")
        self.use_prompt_button.setAccessibleName("Use this prompt")
        self.use_prompt_button.setToolTip(
            "Put the prompt the service used in the composer, with prompt expansion off, to "
            "get closer to this result"
        )

    def _make_user_fields(self) -> None:
        """What the user adds: tags and notes."""
        self.tags_edit = QLineEdit()
        self.tags_edit.setObjectName("libraryTagsEdit")
        self.tags_edit.setAccessibleName("Tags")
        self.tags_edit.setPlaceholderText("tags, separated by commas")
        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setObjectName("libraryNotesEdit")
        self.notes_edit.setAccessibleName("Notes")
        self.notes_edit.setPlaceholderText("Notes")
        self.notes_edit.setMaximumHeight(70)

    def _prompts_grid(self) -> QGridLayout:
        prompts = QGridLayout()
        prompts.setHorizontalSpacing(8)
        prompts.setVerticalSpacing(2)
        for column, (text, view) in enumerate(
            (("Your prompt", self.prompt_view), ("Prompt the service used", self.actual_view))
        ):
            head = QLabel(text)
            set_role(head, "heading")
            prompts.addWidget(head, 0, column)
            prompts.addWidget(view, 1, column)
            prompts.setColumnStretch(column, 1)
        return prompts

    def _lay_out(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.title_edit, 1)
        top.addWidget(self.favourite_check)
        legend = QLabel("Words the service added are highlighted; words it dropped are struck out.")
        set_role(legend, "muted")
        legend.setWordWrap(True)
        use_row = QHBoxLayout()
        use_row.addWidget(legend, 1)
        use_row.addWidget(self.use_prompt_button)
        user = QFormLayout()
        user.setContentsMargins(0, 0, 0, 0)
        user.addRow("Tags", self.tags_edit)
        user.addRow("Notes", self.notes_edit)
        self.body = QWidget()
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addWidget(self.heading)
        layout.addLayout(top)
        layout.addWidget(self.parent_link)
        layout.addLayout(self._prompts_grid())
        layout.addLayout(use_row)
        layout.addLayout(user)
        layout.addWidget(self.facts)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    def _connect(self) -> None:
        self.favourite_check.toggled.connect(self._on_favourite_check_toggled)
        self.title_edit.editingFinished.connect(self._on_title_edit_editing_finished)
        self.tags_edit.editingFinished.connect(self._on_tags_edit_editing_finished)
        self.notes_edit.textChanged.connect(self._notes_timer.start)
        self._notes_timer.timeout.connect(self._on_notes_timer_timeout)
        self.use_prompt_button.clicked.connect(self._on_use_prompt_button_clicked)
        self.parent_link.linkActivated.connect(self._on_parent_link_link_activated)

    # ---- showing ------------------------------------------------------------------------------

    def show_entry(self, entry: Any) -> None:
        """Show ``entry`` (an ``Entry``), or the empty state for ``None``."""
        self.flush()
        self.entry = entry
        self._loading = True
        try:
            self._fill(entry)
        finally:
            self._loading = False

    def _fill(self, entry: Any) -> None:
        enabled = entry is not None
        for w in (self.title_edit, self.favourite_check, self.tags_edit, self.notes_edit):
            w.setEnabled(enabled)
        if entry is None:
            self.heading.setText(_NOTHING_SELECTED)
            self.title_edit.clear()
            self.favourite_check.setChecked(False)
            self.tags_edit.clear()
            self.notes_edit.clear()
            self.facts.clear()
            self.prompt_view.clear()
            self.actual_view.clear()
            self.parent_link.hide()
            self.use_prompt_button.setEnabled(False)
            return
        state = " · in the trash" if entry.trashed_at else ""
        self.heading.setText(f"Clip {entry.id}{state}")
        self.title_edit.setText(entry.title)
        self.favourite_check.setChecked(bool(entry.favourite))
        self.tags_edit.setText(", ".join(entry.tags))
        self.notes_edit.setPlainText(entry.notes)
        if entry.parent_id:
            self.parent_link.setText(_parent_link_html(entry.parent_id))
        self.parent_link.setVisible(bool(entry.parent_id))
        self.facts.setText(self._facts_html(entry))
        left, right = diff_html(entry.prompt, entry.actual_prompt)
        self.prompt_view.setHtml(left or "<i>No prompt recorded.</i>")
        self.actual_view.setHtml(right)
        self.use_prompt_button.setEnabled(bool(entry.actual_prompt or entry.prompt))

    @staticmethod
    def _facts_html(entry: Any) -> str:
        request = entry.request
        rows: list[tuple[str, str]] = [
            ("Created", local_time(entry.created_at)),
            ("Duration", f"{format_duration(entry.duration_s)} ({entry.duration_s:.2f} s)"),
            ("Resolution", f"{entry.resolution} · {entry.width}×{entry.height}"),
            ("Seed", str(entry.seed) if entry.seed is not None else "—"),
        ]
        if request is not None:
            rows += [
                ("Requested", f"{request.resolution} · {request.duration} s"),
                ("Negative prompt", request.negative_prompt or "—"),
                ("Prompt expansion", _yes(request.enable_prompt_expansion)),
                ("Multi-shot", _yes(request.multi_shots)),
                ("Safety checker", _yes(request.enable_safety_checker)),
            ]
        rows += [
            ("Audio", "yes" if entry.has_audio else "no"),
            ("Cost", f"${entry.cost_usd:.2f}" if entry.cost_usd is not None else "—"),
            ("File size", human_size(entry.size_bytes)),
            ("Request id", entry.request_id or "—"),
            ("Endpoint", entry.endpoint or "—"),
            ("File", str(entry.video_path)),
        ]
        if entry.timings:
            parts = [f"{k.removesuffix('_s')} {v:.1f} s" for k, v in entry.timings.items()
                     if isinstance(v, int | float)]  # fmt: skip
            if parts:
                rows.append(("Timings", " · ".join(parts)))
        cells = "".join(
            f'<tr><td style="padding-right:10px; color:palette(mid);"><b>{html.escape(k)}</b></td>'
            f"<td>{html.escape(v)}</td></tr>"
            for k, v in rows
        )
        return f'<table cellspacing="0" cellpadding="1">{cells}</table>'

    def flush(self) -> None:
        """Save notes typed but not yet saved (before another entry is shown)."""
        if self._notes_timer.isActive():
            self._notes_timer.stop()
            self._on_notes_timer_timeout()

    # ---- slots --------------------------------------------------------------------------------

    def _on_favourite_check_toggled(self, checked: bool) -> None:
        if not self._loading and self.entry is not None:
            self.favouriteToggled.emit(self.entry.id, checked)

    def _on_title_edit_editing_finished(self) -> None:
        if (
            not self._loading
            and self.entry is not None
            and self.title_edit.text() != self.entry.title
        ):
            self.titleEdited.emit(self.entry.id, self.title_edit.text())

    def _on_tags_edit_editing_finished(self) -> None:
        if self._loading or self.entry is None:
            return
        tags = [t.strip() for t in self.tags_edit.text().split(",") if t.strip()]
        if tags != list(self.entry.tags):
            self.tagsEdited.emit(self.entry.id, tags)

    def _on_notes_timer_timeout(self) -> None:
        if not self._loading and self.entry is not None:
            text = self.notes_edit.toPlainText()
            if text != self.entry.notes:
                self.notesEdited.emit(self.entry.id, text)

    def _on_use_prompt_button_clicked(self) -> None:
        if self.entry is not None:
            self.usePromptRequested.emit(self.entry.id)

    def _on_parent_link_link_activated(self, link: str) -> None:
        if link.startswith("entry:"):
            self.parentRequested.emit(link.removeprefix("entry:"))
