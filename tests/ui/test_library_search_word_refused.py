"""A search word out of range in the window's search box (``rating:9``): no search runs, and the
empty grid says which word and its limit, as ``library search rating:9`` does on the command
line (exit 2), instead of "Nothing matches" (issue 17)."""

from __future__ import annotations

import time

import pytest
from library_ui_helpers import bulk_rows

from wan_desktop.library import Library
from wan_desktop.ui.library_actions import LibraryActions
from wan_desktop.ui.library_empty import empty_state_for
from wan_desktop.ui.library_model import LibraryQuery
from wan_desktop.ui.library_pane import LibraryPane

pytestmark = pytest.mark.timeout(60)


def test_the_empty_state_names_the_word_and_its_limit():
    state = empty_state_for(LibraryQuery("fox rating:9"), 0)
    assert state is not None and state.kind == "bad_search"
    assert state.body == "'rating:9': a rating is a whole number from 1 to 5."
    assert state.action_text == "Clear filters"
    both = empty_state_for(LibraryQuery("is:maybe group:-x"), 0)
    assert "'is:maybe'" in both.body and "'group:-x'" in both.body
    assert empty_state_for(LibraryQuery("rating:4"), 0).kind == "no_results"


def test_typing_a_word_out_of_range_shows_why(qtbot, tasks, tmp_path):
    with Library.open(tmp_path / "lib") as lib:
        bulk_rows(lib, 3, start_ms=int(time.time() * 1000) - 3_600_000, prompt="a lake {i}")
        pane = LibraryPane(tasks, LibraryActions())
        qtbot.addWidget(pane)
        pane.resize(520, 760)
        pane.show()
        qtbot.waitExposed(pane)
        with qtbot.waitSignal(pane.model.queryApplied, timeout=30_000):
            pane.actions.set_library(lib)
        assert pane.model.rowCount() == 3
        with qtbot.waitSignal(pane.model.queryApplied, timeout=30_000):
            pane.search.setText("rating:9")
        view = pane.view
        assert pane.model.rowCount() == 0 and not pane.model.is_busy()
        assert view.empty_state.kind == "bad_search" and "1 to 5" in view.empty_state.body
        assert view.empty_button.isVisible()
        with qtbot.waitSignal(pane.model.queryApplied, timeout=30_000):
            view.empty_button.click()
        assert pane.search.text() == "" and pane.model.rowCount() == 3
