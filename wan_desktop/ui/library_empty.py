"""What the library grid says when it shows no clips (GUI thread): no clips yet (how to make or
import the first one), nothing matches the search or filters (with a button that clears
them), a search word out of range (``rating:9``: which word and its limit, as the command line
says it; no search is run), no favourites yet, an empty trash.

:func:`empty_state_for` decides which from the query and the count alone; :class:`EmptyStateMixin`
paints it in the grid's viewport, so a video dropped anywhere on it is still imported, with a
real button under the text for the one thing to do next.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QPushButton

from ..library import Filters
from ..library.search import search_word_problems
from .library_model import LibraryQuery
from .naming import named
from .theme import apply_style, colors

if TYPE_CHECKING:
    from .library_view import LibraryView

    _ViewBase = LibraryView
else:
    _ViewBase = object  # a plain class, placed before QAbstractItemView in the view's bases

__all__ = ["CLEAR_FILTERS", "SHOW_LIBRARY", "EmptyState", "EmptyStateMixin", "empty_state_for"]

CLEAR_FILTERS = "clear_filters"  # reset the search and the filters (the trash stays as it is)
SHOW_LIBRARY = "show_library"  # leave the trash view
_TEXT_WIDTH = 380  # px: a comfortable line length for the body, when the grid is wider
_MARGIN = 16


@dataclass(frozen=True, slots=True)
class EmptyState:
    """One empty grid: its ``kind`` (``no_clips``, ``no_results``, ``bad_search``,
    ``no_favourites``, ``empty_trash``), a ``heading`` and a ``body`` to read, and the button
    under them (``action_text``, empty for none; ``action`` one of :data:`CLEAR_FILTERS`,
    :data:`SHOW_LIBRARY`)."""

    kind: str
    heading: str
    body: str
    action_text: str = ""
    action: str = ""


NO_CLIPS = EmptyState(
    "no_clips",
    "No clips yet",
    "Drop an image in the composer and press Generate, or drop an MP4 here to import it.",
)
NO_FAVOURITES = EmptyState(
    "no_favourites",
    "No favourites yet",
    "Star a clip (Ctrl+D) and it will wait for you here.",
    "Show all clips",
    CLEAR_FILTERS,
)
EMPTY_TRASH = EmptyState(
    "empty_trash",
    "The trash is empty",
    "Clips you move to the trash wait here until you empty it.",
    "Back to the library",
    SHOW_LIBRARY,
)


def empty_state_for(query: LibraryQuery, total: int) -> EmptyState | None:
    """What to say about ``query`` finding ``total`` clips (``None`` when it found some)."""
    if total > 0:
        return None
    searched = bool(query.text.strip())
    filtered = dataclasses.replace(query.filters, trashed=False) != Filters()
    if query.filters.trashed and not searched and not filtered:
        return EMPTY_TRASH
    if not searched and not filtered:
        return NO_CLIPS
    if not searched and query.filters == Filters(favourite=True):
        return NO_FAVOURITES
    problems = search_word_problems(query.text) if searched else []
    if problems:
        body = " ".join(p.removeprefix("search word ") + "." for p in problems)
        return EmptyState("bad_search", "Search word out of range", body, "Clear filters",
                          CLEAR_FILTERS)  # fmt: skip
    where = "in the trash " if query.filters.trashed else ""
    if searched:
        body = f"Nothing {where}matches “{query.text.strip()}”"
        body += " with these filters." if filtered else "."
    else:
        body = f"No clips {where}pass these filters."
    return EmptyState("no_results", "No clips match", body, "Clear filters", CLEAR_FILTERS)


class EmptyStateMixin(_ViewBase):
    """Paints :attr:`empty_state` in the viewport when the grid has no rows, with
    ``empty_button`` (``libraryEmptyAction``) under the text. The view calls
    :meth:`_init_empty` in its ``__init__``, :meth:`_paint_empty` from ``paintEvent`` and
    :meth:`_sync_empty` when its rows or size change."""

    def _init_empty(self) -> None:
        self._empty: EmptyState | None = None
        self._described = ""  # the view's own accessible description, while it shows clips
        self.empty_button = named(QPushButton(self.viewport()), "libraryEmptyAction", "")
        self.empty_button.setCursor(Qt.CursorShape.PointingHandCursor)
        apply_style(self.empty_button, "linkButton")
        self.empty_button.hide()

    @property
    def empty_state(self) -> EmptyState | None:
        """What the grid says while it has no rows (``None``: nothing)."""
        return self._empty

    def set_empty_state(self, state: EmptyState | None) -> None:
        """Say ``state`` whenever the grid has no rows (``None``: say nothing)."""
        if state == self._empty:
            return
        self._empty = state
        if state is not None:
            self.empty_button.setText(state.action_text)
            self.empty_button.setAccessibleName(state.action_text)
        self._sync_empty()
        self.viewport().update()

    def showing_empty_state(self) -> bool:
        """Whether the empty state is what the grid shows now."""
        return self._empty is not None and self._row_count() == 0

    def _fonts(self) -> tuple[QFont, QFont]:
        heading = QFont(self.font())
        heading.setPointSizeF(self.font().pointSizeF() * 1.3)
        heading.setWeight(QFont.Weight.DemiBold)
        return heading, QFont(self.font())

    def _text_rects(self) -> tuple[QRect, QRect]:
        """Where the heading and the body go: centred, a little above the middle."""
        area = self.viewport().rect().adjusted(_MARGIN, _MARGIN, -_MARGIN, -_MARGIN)
        width = max(40, min(_TEXT_WIDTH, area.width()))
        heading_font, body_font = self._fonts()
        flags = int(Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap)
        state = self._empty
        assert state is not None
        heading_h = QFontMetrics(heading_font).boundingRect(
            QRect(0, 0, width, 10_000), flags, state.heading).height()  # fmt: skip
        body_h = QFontMetrics(body_font).boundingRect(
            QRect(0, 0, width, 10_000), flags, state.body).height()  # fmt: skip
        button_h = self.empty_button.sizeHint().height() if state.action else 0
        block = heading_h + 8 + body_h + (10 + button_h if button_h else 0)
        top = area.top() + max(0, (area.height() - block) * 2 // 5)
        left = area.left() + (area.width() - width) // 2
        return QRect(left, top, width, heading_h), QRect(left, top + heading_h + 8, width, body_h)

    def _paint_empty(self, painter: QPainter) -> None:
        if not self.showing_empty_state():
            return
        state = self._empty
        assert state is not None
        heading_rect, body_rect = self._text_rects()
        heading_font, body_font = self._fonts()
        flags = Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap
        painter.save()
        painter.setFont(heading_font)
        painter.setPen(self.palette().color(QPalette.ColorRole.Text))
        painter.drawText(heading_rect, flags, state.heading)
        painter.setFont(body_font)
        painter.setPen(QColor(colors().muted))
        painter.drawText(body_rect, flags, state.body)
        painter.restore()

    def _sync_empty(self) -> None:
        """Show the button (placed under the text) only while the empty state shows."""
        button = self.empty_button
        showing = self.showing_empty_state()
        if showing and self._empty is not None:  # painted words: say them to screen readers too
            if not self._described:
                self._described = self.accessibleDescription()
            self.setAccessibleDescription(f"{self._empty.heading}. {self._empty.body}")
        elif self._described:
            self.setAccessibleDescription(self._described)
            self._described = ""
        shown = showing and bool(self._empty and self._empty.action)
        if shown:
            _heading, body = self._text_rects()
            size = button.sizeHint()
            button.setGeometry(body.center().x() - size.width() // 2, body.bottom() + 11,
                               size.width(), size.height())  # fmt: skip
        button.setVisible(shown)
