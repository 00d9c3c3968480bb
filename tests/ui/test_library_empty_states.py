"""What an empty library grid says: no clips yet (with how to make or import one), nothing
matches (with "Clear filters", which does clear them), no favourites yet, an empty trash."""

from __future__ import annotations

import time

import pytest
from library_ui_helpers import bulk_rows
from PySide6.QtCore import Qt

from wan_desktop.library import Filters, Library
from wan_desktop.ui.library_actions import LibraryActions
from wan_desktop.ui.library_empty import empty_state_for
from wan_desktop.ui.library_model import LibraryQuery
from wan_desktop.ui.library_pane import LibraryPane

pytestmark = pytest.mark.timeout(60)


def test_each_empty_grid_says_something_of_its_own():
    plain = empty_state_for(LibraryQuery(), 0)
    trash = empty_state_for(LibraryQuery(filters=Filters(trashed=True)), 0)
    favourites = empty_state_for(LibraryQuery(filters=Filters(favourite=True)), 0)
    searched = empty_state_for(LibraryQuery("heron"), 0)
    filtered = empty_state_for(LibraryQuery(filters=Filters(resolution="1080p")), 0)
    both = empty_state_for(LibraryQuery("heron", Filters(has_audio=True)), 0)
    in_trash = empty_state_for(LibraryQuery("heron", Filters(trashed=True)), 0)
    assert empty_state_for(LibraryQuery("heron"), 3) is None
    assert [s.kind for s in (plain, trash, favourites, searched, filtered, both, in_trash)] == [
        "no_clips", "empty_trash", "no_favourites", "no_results", "no_results", "no_results",
        "no_results",
    ]  # fmt: skip
    assert "composer" in plain.body and "MP4" in plain.body and not plain.action_text
    assert "“heron”" in searched.body and "filters" not in searched.body
    assert "“heron”" in both.body and "filters" in both.body
    assert "trash" in in_trash.body
    assert searched.action_text == filtered.action_text == "Clear filters"
    texts = {(s.heading, s.body) for s in (plain, trash, favourites, searched, filtered)}
    assert len(texts) == 5  # plain, distinct words for each


@pytest.fixture
def open_pane(qtbot, tasks, tmp_path):
    libraries = []

    def _open(rows: int = 0) -> LibraryPane:
        lib = Library.open(tmp_path / f"lib{len(libraries)}")
        libraries.append(lib)
        if rows:
            bulk_rows(lib, rows, start_ms=int(time.time() * 1000) - 3_600_000,
                      prompt="a quiet lake {i}")  # fmt: skip
        actions = LibraryActions()
        pane = LibraryPane(tasks, actions)
        qtbot.addWidget(pane)
        pane.resize(520, 760)
        pane.show()
        qtbot.waitExposed(pane)
        assert pane.view.empty_state is None  # no library yet: no "No clips yet" flash
        with qtbot.waitSignal(pane.model.queryApplied, timeout=5000):
            actions.set_library(lib)
        return pane

    yield _open
    for lib in libraries:
        lib.close()


def _apply(qtbot, pane, change):
    with qtbot.waitSignal(pane.model.queryApplied, timeout=5000):
        change()


def _ink_in_the_middle(view) -> int:
    """How many pixels in the middle third of the viewport differ from its background."""
    image = view.viewport().grab().toImage()
    background = image.pixelColor(2, 2)
    w, h = image.width(), image.height()
    return sum(
        image.pixelColor(x, y) != background
        for x in range(w // 6, w * 5 // 6, 3)
        for y in range(h // 6, h * 5 // 6, 3)
    )


def test_a_new_library_says_how_to_start(qtbot, open_pane):
    pane = open_pane(0)
    view = pane.view
    assert view.showing_empty_state() and view.empty_state.kind == "no_clips"
    assert not view.empty_button.isVisible()  # nothing to clear
    assert _ink_in_the_middle(view) > 50  # the words are painted in the grid
    assert view.accessibleDescription().startswith("No clips yet. Drop an image")


def test_no_results_offers_clear_filters_which_clears_them(qtbot, open_pane):
    pane = open_pane(3)
    assert not pane.view.showing_empty_state() and _ink_in_the_middle(pane.view) > 0
    _apply(qtbot, pane, lambda: pane.audio_filter.setChecked(True))
    _apply(qtbot, pane, lambda: pane.search.setText("volcano"))
    view = pane.view
    assert view.empty_state.kind == "no_results" and "volcano" in view.empty_state.body
    assert view.empty_button.isVisible() and view.empty_button.text() == "Clear filters"
    assert view.viewport().rect().contains(view.empty_button.geometry())
    _apply(qtbot, pane, lambda: qtbot.mouseClick(view.empty_button, Qt.MouseButton.LeftButton))
    assert pane.search.text() == "" and not pane.audio_filter.isChecked()
    assert pane.model.rowCount() == 3
    assert not view.showing_empty_state() and not view.empty_button.isVisible()
    assert view.accessibleDescription() == "Your clips; hover to scrub, double-click to play"


def test_no_favourites_and_an_empty_trash(qtbot, open_pane):
    pane = open_pane(2)
    view = pane.view
    _apply(qtbot, pane, lambda: pane.favourites_filter.setChecked(True))
    assert view.empty_state.kind == "no_favourites"
    assert view.empty_button.text() == "Show all clips"
    _apply(qtbot, pane, lambda: pane.favourites_filter.setChecked(False))
    _apply(qtbot, pane, lambda: pane.trash_toggle.setChecked(True))
    assert view.empty_state.kind == "empty_trash"
    assert view.empty_button.text() == "Back to the library"
    _apply(qtbot, pane, view.empty_button.click)
    assert not pane.trash_toggle.isChecked() and pane.model.rowCount() == 2


def test_clear_filters_leaves_no_clear_button_in_an_empty_search_box(qtbot, open_pane):
    from PySide6.QtWidgets import QToolButton

    pane = open_pane(1)
    _apply(qtbot, pane, lambda: pane.search.setText("volcano"))
    _apply(qtbot, pane, pane.view.empty_button.click)
    assert pane.search.text() == ""

    def faded() -> bool:  # Qt fades the box's clear button out once the box is empty
        shown = [b for b in pane.search.findChildren(QToolButton) if b.isVisible()]
        return all(b.property("opacity") == 0 for b in shown)

    qtbot.waitUntil(faded, timeout=2000)
