"""The library's find bar filters on silent clips (made with "Generate audio" off)."""

from __future__ import annotations

from PySide6.QtWidgets import QToolButton

from wan_desktop.library import Filters
from wan_desktop.ui.library_filter_bar import LibraryFilterBar
from wan_desktop.ui.library_model import _matches, summary_of_entry


def test_the_silent_toggle_filters_on_silent_clips(qtbot):
    bar = LibraryFilterBar()
    qtbot.addWidget(bar)
    toggle = bar.findChild(QToolButton, "librarySilentFilter")
    assert toggle is not None and toggle.accessibleName()
    assert bar.query().filters.silent is None
    with qtbot.waitSignal(bar.queryChanged):
        toggle.setChecked(True)
    assert bar.query().filters.silent is True
    bar.clear_filters()
    assert not toggle.isChecked() and bar.query().filters.silent is None


def test_a_new_result_is_not_guessed_into_a_silent_list():
    class _Entry:
        id = "x"
        created_at = None
        prompt = "p"
        title = ""
        seed = 1
        duration_s = 5.0
        resolution = "720p"
        width = height = 16
        favourite = False
        has_audio = False
        poster_path = None

    summary = summary_of_entry(_Entry())
    assert _matches(summary, Filters())
    # Whether it is silent is in its request, not in the row: the query decides.
    assert not _matches(summary, Filters(silent=True))
