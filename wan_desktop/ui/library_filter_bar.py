"""The library's find bar (GUI thread): the search box, the clip count and the filters
(resolution, duration, audio, silent clips; favourites, stars, picks and rejects; date, sort,
trash), and the :class:`LibraryQuery` they describe.

Typing waits :data:`SEARCH_DEBOUNCE_MS` after the last keystroke before asking for a query;
any other control asks at once. The bar only says when (``queryChanged``): the pane runs it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QDate, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSlider,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..library import Filters
from .icons import standard_icon
from .library_model import LibraryQuery, format_count
from .naming import named
from .theme import set_role

__all__ = ["CUSTOM_RANGE", "SEARCH_DEBOUNCE_MS", "LibraryFilterBar"]

SEARCH_DEBOUNCE_MS = 150
CUSTOM_RANGE = -1  # the date filter's "Custom range…": the two date edits decide
_RESOLUTIONS = [("Any resolution", None), ("720p", "720p"), ("1080p", "1080p")]
# Durations are bands around the three lengths the service makes (5, 10, 15 s), so imported
# clips of other lengths still fall in one.
_DURATIONS = [
    ("Any length", (None, None)),
    ("5 s", (0, 7.5)),
    ("10 s", (7.5, 12.5)),
    ("15 s", (12.5, None)),
]
_DATES = [("Any time", None), ("Today", 0), ("Past 7 days", 7), ("Past 30 days", 30),
          ("Past year", 365), ("Custom range…", CUSTOM_RANGE)]  # fmt: skip
_SORTS = [("Newest first", "newest"), ("Oldest first", "oldest"), ("Longest first", "longest"),
          ("Shortest first", "shortest"), ("Highest rated", "rating")]  # fmt: skip
# "Rating ≥ N": the stars a clip has at least (0 stars is "not rated" and matches only "Any").
_RATINGS = [("Any rating", None), ("★ 1 or more", 1), ("★ 2 or more", 2), ("★ 3 or more", 3),
            ("★ 4 or more", 4), ("★ 5", 5)]  # fmt: skip
# The flag filter's values are the library's: "" is a clip neither picked nor rejected.
_FLAGS = [("Any flag", None), ("Picked", "picked"), ("Rejected", "rejected"),
          ("Unflagged", "")]  # fmt: skip


def _combo(name: str, accessible: str, items: list[tuple[str, object]]) -> QComboBox:
    box = named(QComboBox(), name, accessible)
    for label, value in items:
        box.addItem(label, value)
    return box


def _toggle(name: str, accessible: str, tip: str, text: str) -> QToolButton:
    button = named(QToolButton(), name, accessible, tip)
    button.setText(text)
    button.setCheckable(True)
    return button


def _row(*widgets: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    row.setSpacing(4)
    for w in widgets:
        row.addWidget(w)
    row.addStretch(1)
    return row


class LibraryFilterBar(QWidget):
    """Four rows: search, count and the thumbnail size; resolution, duration, audio and silent;
    favourites, rating and flag; date, sort and the trash toggle (a fifth, the custom date
    range, when chosen).
    ``queryChanged`` when the query they describe should run (debounced for typing);
    ``trashToggled(shown)`` when the trash view is switched on or off."""

    queryChanged = Signal()
    trashToggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("libraryFilterBar")
        self.search = named(QLineEdit(), "librarySearch", "Search the library")
        self.search.setPlaceholderText("Search prompts, titles, tags, notes…  (Ctrl+F)")
        self.search.setToolTip(
            "Every word must match a prompt, title, tag or note. A number also finds a seed "
            "(745410674) or a resolution (1080 or 1080p)."
        )
        self.search.setClearButtonEnabled(True)
        self.count_label = named(QLabel(""), "libraryCount", "Number of clips")
        set_role(self.count_label, "muted")
        self.favourites_filter = _toggle("libraryFavouritesFilter", "Favourites only",
                                         "Show favourites only", "★ Favourites")  # fmt: skip
        self.audio_filter = _toggle("libraryAudioFilter", "With audio only",
                                    "Show clips with audio only", "♪ Audio")  # fmt: skip
        self.silent_filter = _toggle("librarySilentFilter", "Silent clips only",
                                     "Show clips made with Generate audio off only",
                                     "Silent")  # fmt: skip
        self.resolution_filter = _combo("libraryResolutionFilter", "Resolution", _RESOLUTIONS)
        self.duration_filter = _combo("libraryDurationFilter", "Duration", _DURATIONS)
        self.rating_filter = _combo("libraryRatingFilter", "Rating at least", _RATINGS)
        self.rating_filter.setToolTip("Show clips rated at least this many stars (keys 1–5)")
        self.flag_filter = _combo("libraryFlagFilter", "Picked or rejected", _FLAGS)
        self.flag_filter.setToolTip("Show picked, rejected or unflagged clips only (keys P, X)")
        self.date_filter = _combo("libraryDateFilter", "Date", _DATES)
        self.date_from = self._date_edit("libraryDateFrom", "From date", -30)
        self.date_to = self._date_edit("libraryDateTo", "To date", 0)
        # The custom range gets a row of its own: beside the other date controls it made the
        # whole pane wider the moment it showed.
        self.date_range = QWidget()
        self.date_range.setObjectName("libraryDateRange")
        self.sort_combo = _combo("librarySortCombo", "Sort", _SORTS)
        self.trash_toggle = _toggle("libraryTrashToggle", "Show the trash",
                                    "Show the trash (restore or delete for good)",
                                    "Trash")  # fmt: skip
        self.trash_toggle.setIcon(standard_icon(QStyle.StandardPixmap.SP_TrashIcon))
        self.thumbnail_slider = named(QSlider(Qt.Orientation.Horizontal), "libraryThumbnailSize",
                                      "Thumbnail size", "Thumbnail size")  # fmt: skip
        self.thumbnail_slider.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.thumbnail_slider.setMinimumWidth(60)
        self.thumbnail_slider.setMaximumWidth(100)
        self.trash_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._lay_out()
        self._connect()
        self._sync_dates_visible()

    @staticmethod
    def _date_edit(name: str, accessible: str, days_from_today: int) -> QDateEdit:
        edit = named(QDateEdit(), name, accessible)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setDate(QDate.currentDate().addDays(days_from_today))
        return edit

    def _lay_out(self) -> None:
        find_row = QHBoxLayout()
        find_row.setSpacing(6)
        find_row.addWidget(self.search, 1)
        find_row.addWidget(self.count_label)
        find_row.addSpacing(6)
        size_label = QLabel("Size")
        set_role(size_label, "muted")
        size_label.setBuddy(self.thumbnail_slider)
        find_row.addWidget(size_label)
        find_row.addWidget(self.thumbnail_slider)
        # What the clip is; how it was judged; when, in which order. (Four controls to a row:
        # five made the pane wider than a laptop's third of the screen.)
        filter_row = _row(self.resolution_filter, self.duration_filter, self.audio_filter,
                          self.silent_filter)  # fmt: skip
        judged_row = _row(self.favourites_filter, self.rating_filter, self.flag_filter)
        date_row = QHBoxLayout()
        date_row.setSpacing(4)
        for w in (self.date_filter, self.sort_combo):
            date_row.addWidget(w)
        date_row.addStretch(1)
        date_row.addWidget(self.trash_toggle)
        range_row = QHBoxLayout(self.date_range)
        range_row.setContentsMargins(0, 0, 0, 0)
        range_row.setSpacing(4)
        between = QLabel("to")
        set_role(between, "muted")
        for w in (QLabel("From"), self.date_from, between, self.date_to):
            range_row.addWidget(w)
        range_row.addStretch(1)
        rows = QVBoxLayout(self)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.setSpacing(5)  # the pane's own spacing, so the bar's rows sit as its other rows
        for row in (find_row, filter_row, judged_row, date_row):
            rows.addLayout(row)
        rows.addWidget(self.date_range)

    def _connect(self) -> None:
        self.search.textChanged.connect(self._on_search_text_changed)
        self._debounce.timeout.connect(self.queryChanged)
        for box in (self.resolution_filter, self.duration_filter, self.sort_combo,
                    self.rating_filter, self.flag_filter):  # fmt: skip
            box.currentIndexChanged.connect(self._on_filter_changed)
        self.date_filter.currentIndexChanged.connect(self._on_date_filter_current_index_changed)
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(self._on_filter_changed)
        for button in (self.favourites_filter, self.audio_filter, self.silent_filter):
            button.toggled.connect(self._on_filter_changed)
        self.trash_toggle.toggled.connect(self._on_trash_toggle_toggled)

    # ---- what the controls say ----------------------------------------------------------------

    def trash_shown(self) -> bool:
        """Whether the trash is shown instead of the library."""
        return self.trash_toggle.isChecked()

    def query(self) -> LibraryQuery:
        """The query the controls describe (dates in UTC; "Today" and the "Past …" choices
        start at a local midnight, a custom range covers both its days whole)."""
        lo, hi = self.duration_filter.currentData() or (None, None)
        created_from, created_to = self._created_range()
        filters = Filters(
            favourite=True if self.favourites_filter.isChecked() else None,
            resolution=self.resolution_filter.currentData(),
            min_duration_s=lo,
            max_duration_s=hi,
            has_audio=True if self.audio_filter.isChecked() else None,
            created_from=created_from,
            created_to=created_to,
            trashed=self.trash_shown(),
            silent=True if self.silent_filter.isChecked() else None,
            min_rating=self.rating_filter.currentData(),
            flag=self.flag_filter.currentData(),
        )
        return LibraryQuery(self.search.text(), filters, self.sort_combo.currentData())

    def _created_range(self) -> tuple[datetime | None, datetime | None]:
        days = self.date_filter.currentData()
        if days == CUSTOM_RANGE:
            start = datetime.combine(self.date_from.date().toPython(), datetime.min.time())
            end = datetime.combine(self.date_to.date().toPython(), datetime.min.time())
            return start.astimezone(UTC), (end + timedelta(days=1)).astimezone(UTC)
        if days is None:
            return None, None
        midnight = datetime.now().astimezone().replace(hour=0, minute=0, second=0, microsecond=0)
        return (midnight - timedelta(days=days)).astimezone(UTC), None

    def clear_filters(self) -> None:
        """Empty the search and set every filter back to "any" (the sort, and whether the trash
        is shown, stay), then ask for the query once."""
        self.search.clear()  # unblocked: the box's clear button hides on its textChanged
        self._debounce.stop()
        boxes = (self.resolution_filter, self.duration_filter, self.date_filter,
                 self.rating_filter, self.flag_filter)  # fmt: skip
        buttons = (self.favourites_filter, self.audio_filter, self.silent_filter)
        blockers = [QSignalBlocker(w) for w in (*boxes, *buttons)]
        for button in buttons:
            button.setChecked(False)
        for box in boxes:
            box.setCurrentIndex(0)
        del blockers
        self._sync_dates_visible()
        self.queryChanged.emit()

    def cancel_pending(self) -> None:
        """Forget a debounced search that has not fired yet (the query runs now instead)."""
        self._debounce.stop()

    def show_count(self, total: int) -> None:
        """Show how many clips the query found (or how many are in the trash)."""
        self.count_label.setText(format_count(total, self.trash_shown()))

    def focus_search(self) -> None:
        """Put the cursor in the search box with its text selected (Ctrl+F)."""
        self.search.setFocus()
        self.search.selectAll()

    # ---- slots --------------------------------------------------------------------------------

    def _on_search_text_changed(self, _text: str) -> None:
        self._debounce.start()

    def _on_filter_changed(self, *_args: object) -> None:
        self.queryChanged.emit()

    def _on_date_filter_current_index_changed(self, _index: int) -> None:
        self._sync_dates_visible()
        self.queryChanged.emit()

    def _on_trash_toggle_toggled(self, shown: bool) -> None:
        self.trashToggled.emit(shown)
        self.queryChanged.emit()

    def _sync_dates_visible(self) -> None:
        self.date_range.setVisible(self.date_filter.currentData() == CUSTOM_RANGE)
