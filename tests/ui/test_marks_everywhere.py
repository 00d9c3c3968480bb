"""One path for every saved mark (issue 17): stars and picks set in the contact sheet, the
compare view or the grid show in the card, the details panel and an open sheet's badges."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from library_window import close_sheet_and_player, open_window
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget
from sheet_helpers import add_group
from ui_fakes import FakeServices

from wan_desktop.ui.compare_link import CompareLink
from wan_desktop.ui.contact_sheet import ContactSheet
from wan_desktop.ui.formats import format_ms, frame_position
from wan_desktop.ui.player import format_ms as player_format_ms

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def setup(qtbot, tasks, paths, lib, tmp_path, monkeypatch):
    monkeypatch.setenv("WAN_DESKTOP_NO_MULTIMEDIA", "1")  # no sound device here
    group = add_group(lib, tmp_path, 3, frames=12)
    win, pane = open_window(qtbot, tasks, FakeServices(paths), lib)
    yield win, pane, group
    close_sheet_and_player(win)


def _show_details(qtbot, pane, entry_id: str) -> None:
    assert pane.select(entry_id)
    qtbot.waitUntil(lambda: getattr(pane.details.entry, "id", None) == entry_id, timeout=10000)


def _open_sheet(qtbot, win, pane) -> ContactSheet:
    pane.action_set.contact_sheet_action.trigger()
    qtbot.waitUntil(lambda: win.findChild(QWidget, "contactSheet") is not None, timeout=10000)
    return win.findChild(ContactSheet, "contactSheet")


def test_a_mark_set_in_the_sheet_shows_in_the_details(qtbot, setup, lib):
    win, pane, group = setup
    _show_details(qtbot, pane, group[1].id)
    pane.details.title_edit.setText("typing a title")  # an edit in progress stays
    sheet = _open_sheet(qtbot, win, pane)
    sheet.set_current(1)
    QTest.keyClick(sheet, Qt.Key.Key_4)
    QTest.keyClick(sheet, Qt.Key.Key_P)
    qtbot.waitUntil(lambda: "picked" in pane.details.key_facts.text(), timeout=10000)
    facts = pane.details.key_facts.text()
    assert "★★★★☆ 4 of 5" in facts
    assert pane.details.title_edit.text() == "typing a title"
    assert lib.get(group[1].id).flag == "picked"
    assert (sheet.takes[1].rating, sheet.takes[1].flag) == (4, "picked")


def test_a_mark_set_in_the_grid_shows_on_the_open_sheet(qtbot, setup, lib):
    win, pane, group = setup
    _show_details(qtbot, pane, group[2].id)
    sheet = _open_sheet(qtbot, win, pane)
    assert sheet.counts.text() == "0 picked · 0 rejected"
    _show_details(qtbot, pane, group[2].id)
    # The grid's X (its shortcut needs the grid focused; the sheet is the active window here).
    next(a for a in pane.culling.key_actions if a.objectName() == "libraryRejectAction").trigger()
    qtbot.waitUntil(lambda: sheet.takes[2].flag == "rejected", timeout=10000)
    assert sheet.counts.text() == "0 picked · 1 rejected"
    assert sheet.keep_button.isEnabled()
    assert "rejected" in pane.details.key_facts.text()
    assert lib.get(group[2].id).flag == "rejected"


def test_promote_in_compare_shows_in_the_details_and_the_sheet(qtbot, setup, lib, tasks):
    win, pane, group = setup
    _show_details(qtbot, pane, group[0].id)
    sheet = _open_sheet(qtbot, win, pane)
    link = win.findChild(CompareLink)
    said: list[bool] = []
    view = SimpleNamespace(
        clip_a=SimpleNamespace(entry_id=group[0].id),
        show_promoted=lambda a_won: said.append(a_won),
        show_problem=lambda text: pytest.fail(text),
    )
    task = tasks.spawn(link.promote(view, group[0].id, group[1].id), "promote", link)
    qtbot.waitUntil(task.done, timeout=10000)
    task.result()
    assert said == [True]
    assert "picked" in pane.details.key_facts.text()
    assert pane.model.summary(pane.model.row_of(group[1].id)).flag == "rejected"
    assert [t.flag for t in sheet.takes] == ["picked", "rejected", ""]


def test_frames_count_from_zero_in_one_format():
    assert frame_position(0, 120, 0.0) == "Frame 0 / 119 · 0:00.0"
    assert frame_position(119, 120, 119 / 24) == "Frame 119 / 119 · 0:04.9"
    assert frame_position(0, 0, 0.0) == "Frame 0 / 0 · 0:00.0"
    assert format_ms(75_000) == "1:15.0"
    assert player_format_ms is format_ms  # the player's time and the frames' are one format
