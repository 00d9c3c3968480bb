"""The contact sheet from the window: the library's "Open contact sheet" opens a take group (or
a selection), Enter plays the take in the window's player, marks and Keep picks reach the
library's cards."""

from __future__ import annotations

from pathlib import Path

import pytest
from library_window import close_player, close_sheet_and_player, open_window
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget
from sheet_helpers import add_group
from ui_fakes import FakeServices

from wan_desktop.ui.contact_sheet import ContactSheet

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def setup(qtbot, tasks, paths, lib, tmp_path, monkeypatch):
    monkeypatch.setenv("WAN_DESKTOP_NO_MULTIMEDIA", "1")  # no sound device here
    group = add_group(lib, tmp_path, 4, frames=24)
    win, pane = open_window(qtbot, tasks, FakeServices(paths), lib)
    yield win, pane, group
    close_sheet_and_player(win)


def test_one_take_opens_its_whole_group(qtbot, setup):
    win, pane, group = setup
    assert pane.select(group[2].id)
    action = pane.action_set.contact_sheet_action
    assert action.isEnabled()
    assert action.shortcut().toString() == "Ctrl+Shift+G"
    action.trigger()
    qtbot.waitUntil(lambda: win.findChild(QWidget, "contactSheet") is not None, timeout=10000)
    sheet = win.findChild(QWidget, "contactSheet")
    assert isinstance(sheet, ContactSheet)
    assert [t.id for t in sheet.takes] == [e.id for e in group]
    assert sheet.isWindow() and sheet.isVisible()
    qtbot.waitUntil(sheet.playback.is_ready, timeout=30000)

    sheet.set_current(1)
    QTest.keyClick(sheet, Qt.Key.Key_5)
    qtbot.waitUntil(lambda: pane.model.summary(pane.model.row_of(group[1].id)).rating == 5,
                    timeout=5000)  # fmt: skip
    QTest.keyClick(sheet, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: win.player.path() is not None, timeout=5000)
    assert Path(win.player.path()) == group[1].video_path

    sheet.set_current(3)
    QTest.keyClick(sheet, Qt.Key.Key_X)
    qtbot.waitUntil(sheet.keep_button.isEnabled, timeout=5000)
    with qtbot.waitSignal(sheet.trashed, timeout=5000):
        sheet.keep_button.click()
    qtbot.waitUntil(lambda: group[3].id not in pane.model.ids(), timeout=5000)
    with qtbot.waitSignal(sheet.restored, timeout=5000):
        sheet.undo()
    qtbot.waitUntil(lambda: group[3].id in pane.model.ids(), timeout=5000)


def test_a_selection_opens_as_it_is_and_too_many_is_refused(qtbot, setup):
    win, pane, group = setup
    link = pane.action_set.contact_sheet_action
    messages: list[str] = []
    pane.statusMessage.connect(messages.append)
    task = win.tasks.spawn(_link(win).open_ids([group[0].id, group[3].id]), "open")
    qtbot.waitUntil(task.done, timeout=10000)
    sheet = task.result()
    assert [t.id for t in sheet.takes] == [group[0].id, group[3].id]
    task = win.tasks.spawn(_link(win).open_ids([group[0].id] * 10), "open")
    qtbot.waitUntil(task.done, timeout=10000)
    assert task.result() is None
    assert messages[-1] == "A contact sheet shows at most 9 clips; 10 are selected."
    assert not link.isEnabled()  # nothing selected in the grid


def _link(win):
    from wan_desktop.ui.window_sheet import SheetLink

    return win.findChild(SheetLink)


def test_closing_the_window_closes_the_sheet_and_its_threads(qtbot, setup):
    win, _pane, group = setup
    task = win.tasks.spawn(_link(win).open_ids([group[0].id]), "open")
    qtbot.waitUntil(task.done, timeout=10000)
    sheet = task.result()
    qtbot.waitUntil(sheet.playback.is_ready, timeout=30000)
    feeds = list(sheet.playback.feeds)
    close_player(win)
    win.close()
    assert all(not feed._thread.is_alive() for feed in feeds)
    qtbot.waitUntil(lambda: _link(win).sheet is None, timeout=5000)  # deleted on close
