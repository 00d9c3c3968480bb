"""Find: full-text search as you type (debounced, off the GUI thread, stale answers dropped),
the filters (favourites, resolution, duration, date, audio), the sorts and the count."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from library_ui_helpers import bulk_rows, shown_pane
from PySide6.QtCore import QDate

from wan_desktop.library import Filters, Library
from wan_desktop.ui.library_actions import LibraryActions
from wan_desktop.ui.library_model import LibraryQuery, LibraryRole
from wan_desktop.ui.library_pane import SEARCH_DEBOUNCE_MS, LibraryPane

pytestmark = pytest.mark.timeout(60)
DAY_MS = 86_400_000


@pytest.fixture
def lib(tmp_path):
    library = Library.open(tmp_path / "lib")
    now = int(time.time() * 1000)
    old = now - 40 * DAY_MS
    bulk_rows(library, 3, start_ms=old, prompt="old harbour at dusk {i}", duration_s=15.0)
    bulk_rows(library, 4, start_ms=now - 3600_000 * 5, prompt="neon city rain {i}",
              resolution="1080p", duration_s=10.0)  # fmt: skip
    bulk_rows(library, 2, start_ms=now - 120_000, prompt="birds over a lake {i}",
              has_audio=True, favourite=True, tags=["nature"], duration_s=5.0)  # fmt: skip
    yield library
    library.close()


@pytest.fixture
def pane(qtbot, tasks, lib):
    with shown_pane(qtbot, tasks, lib, size=(900, 700)) as p:
        yield p


def _prompts(pane) -> list[str]:
    return [pane.model.index(r).data(LibraryRole.Prompt) for r in range(pane.model.rowCount())]


def _apply(qtbot, pane, change):
    with qtbot.waitSignal(pane.model.queryApplied, timeout=5000):
        change()


def test_count_and_object_names(pane):
    assert pane.view.objectName() == "libraryView"
    assert pane.search.objectName() == "librarySearch"
    assert pane.count_label.text() == "9 clips"
    assert pane.model.rowCount() == 9


def test_search_as_you_type_is_debounced(qtbot, pane):
    applied = []
    pane.model.queryApplied.connect(applied.append)
    start = time.monotonic()
    qtbot.keyClicks(pane.search, "neon ci")  # one query for all the keystrokes
    qtbot.waitUntil(lambda: bool(applied), timeout=5000)
    assert time.monotonic() - start >= SEARCH_DEBOUNCE_MS / 1000 * 0.9
    qtbot.wait(SEARCH_DEBOUNCE_MS + 100)
    assert len(applied) == 1
    assert pane.count_label.text() == "4 clips"
    assert all("neon city" in p for p in _prompts(pane))


def test_search_covers_tags_and_clears(qtbot, pane):
    _apply(qtbot, pane, lambda: (pane.search.setText("nature"), pane.apply_query()))
    assert pane.model.total() == 2
    _apply(qtbot, pane, lambda: (pane.search.clear(), pane.apply_query()))
    assert pane.model.total() == 9


def test_stale_search_answers_are_dropped(qtbot, pane):
    applied = []
    pane.model.queryApplied.connect(applied.append)
    pane.search.setText("harbour")
    pane.apply_query()
    pane.search.setText("birds")
    pane.apply_query()
    qtbot.waitUntil(lambda: bool(applied), timeout=5000)
    qtbot.wait(150)
    assert applied == [pane.model.generation]
    assert pane.model.total() == 2 and all("birds" in p for p in _prompts(pane))


def test_filters(qtbot, pane):
    _apply(qtbot, pane, lambda: pane.favourites_filter.setChecked(True))
    assert pane.model.total() == 2
    _apply(qtbot, pane, lambda: pane.favourites_filter.setChecked(False))
    _apply(qtbot, pane, lambda: pane.audio_filter.setChecked(True))
    assert pane.model.total() == 2 and pane.model.index(0).data(LibraryRole.HasAudio)
    _apply(qtbot, pane, lambda: pane.audio_filter.setChecked(False))
    res = pane.resolution_filter
    _apply(qtbot, pane, lambda: res.setCurrentIndex(res.findData("1080p")))
    assert pane.model.total() == 4
    _apply(qtbot, pane, lambda: res.setCurrentIndex(0))
    dur = pane.duration_filter
    _apply(qtbot, pane, lambda: dur.setCurrentIndex(dur.findText("15 s")))
    assert pane.model.total() == 3 and "harbour" in _prompts(pane)[0]
    _apply(qtbot, pane, lambda: dur.setCurrentIndex(dur.findText("5 s")))
    assert pane.model.total() == 2
    _apply(qtbot, pane, lambda: dur.setCurrentIndex(0))
    assert pane.count_label.text() == "9 clips"


def test_date_filters(qtbot, pane):
    date = pane.date_filter
    _apply(qtbot, pane, lambda: date.setCurrentIndex(date.findText("Past 7 days")))
    assert pane.model.total() == 6
    _apply(qtbot, pane, lambda: date.setCurrentIndex(date.findText("Custom range…")))
    assert pane.date_from.isVisibleTo(pane)
    _apply(qtbot, pane, lambda: pane.date_from.setDate(QDate.currentDate().addDays(-60)))
    _apply(qtbot, pane, lambda: pane.date_to.setDate(QDate.currentDate().addDays(-30)))
    assert pane.model.total() == 3 and all("harbour" in p for p in _prompts(pane))


def test_sorts(qtbot, pane):
    sort = pane.sort_combo
    assert "lake" in _prompts(pane)[0]  # newest first
    _apply(qtbot, pane, lambda: sort.setCurrentIndex(sort.findData("oldest")))
    assert "harbour" in _prompts(pane)[0]
    _apply(qtbot, pane, lambda: sort.setCurrentIndex(sort.findData("longest")))
    durations = [pane.model.index(r).data(LibraryRole.DurationSeconds) for r in range(9)]
    assert durations == sorted(durations, reverse=True)
    _apply(qtbot, pane, lambda: sort.setCurrentIndex(sort.findData("shortest")))
    durations = [pane.model.index(r).data(LibraryRole.DurationSeconds) for r in range(9)]
    assert durations == sorted(durations)


def test_a_search_never_blocks_on_a_big_page(qtbot, tasks, tmp_path):
    lib = Library.open(tmp_path / "big")
    bulk_rows(lib, 1200, prompt="clip {i} of a mountain road")
    actions = LibraryActions()
    pane = LibraryPane(tasks, actions)
    qtbot.addWidget(pane)
    pane.resize(900, 700)
    pane.show()
    with qtbot.waitSignal(pane.model.queryApplied, timeout=5000):
        actions.set_library(lib)
    assert pane.count_label.text() == "1,200 clips"
    assert pane.model.rowCount() == 100  # a page, never the whole library
    bar = pane.view.verticalScrollBar()
    for _ in range(3):
        qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() < bar.maximum(), timeout=5000)
        with qtbot.waitSignal(pane.model.pageLoaded, timeout=5000):
            bar.setValue(bar.maximum())
    assert pane.model.rowCount() == 400
    pane.model.loader.cancel_all()
    lib.close()


def test_the_filter_bar_describes_its_query_and_says_when_to_run_it(qtbot):
    from wan_desktop.ui.library_filter_bar import LibraryFilterBar

    bar = LibraryFilterBar()
    qtbot.addWidget(bar)
    bar.show()
    assert bar.query() == LibraryQuery("", Filters(trashed=False), "newest")
    with qtbot.waitSignal(bar.queryChanged, timeout=1000):
        bar.search.setText("fox")  # debounced
    bar.search.setText("foxes")
    bar.cancel_pending()  # the query runs now instead: no late second run
    with qtbot.assertNotEmitted(bar.queryChanged, wait=2 * SEARCH_DEBOUNCE_MS):
        pass
    with qtbot.waitSignal(bar.queryChanged, timeout=100):  # at once
        bar.date_filter.setCurrentIndex(bar.date_filter.count() - 1)
    assert bar.date_from.isVisibleTo(bar) and bar.date_to.isVisibleTo(bar)
    bar.date_from.setDate(QDate(2026, 3, 1))
    bar.date_to.setDate(QDate(2026, 3, 2))
    filters = bar.query().filters
    assert filters.created_from == datetime(2026, 3, 1).astimezone(UTC)
    assert filters.created_to == datetime(2026, 3, 3).astimezone(UTC)  # both days whole
    with qtbot.waitSignal(bar.trashToggled, timeout=100) as toggled:
        bar.trash_toggle.setChecked(True)
    assert toggled.args == [True] and bar.query().filters.trashed
    bar.show_count(3)
    assert bar.count_label.text() == "3 in the trash"
