"""The contact sheet is a window of its own, not one the main window owns (an owned window
stays above its owner): Enter plays the take in the main window's player and brings that
window to the front, active, with the sheet still open behind it."""

from __future__ import annotations

from pathlib import Path

import pytest
from library_window import close_player, open_window
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from sheet_helpers import add_group
from ui_fakes import FakeServices

from wan_desktop.ui.window_sheet import SheetLink

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def window(qtbot, tasks, paths, lib, tmp_path, monkeypatch):
    monkeypatch.setenv("WAN_DESKTOP_NO_MULTIMEDIA", "1")  # no sound device here
    group = add_group(lib, tmp_path, 2, frames=12)
    win, _pane = open_window(qtbot, tasks, FakeServices(paths), lib)
    link = win.findChild(SheetLink)
    yield win, link, group
    if link.sheet is not None:
        link.sheet.close()
    close_player(win)


def test_enter_brings_the_main_window_over_the_sheet(qtbot, window):
    win, link, group = window
    task = win.tasks.spawn(link.open_ids([group[0].id]), "open")
    qtbot.waitUntil(task.done, timeout=10000)
    sheet = task.result()
    qtbot.waitExposed(sheet)
    # Owned by the window as an object, not as a window: nothing keeps it above the player.
    assert sheet.parent() is win
    assert sheet.windowHandle().transientParent() is None
    sheet.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is sheet, timeout=5000)
    qtbot.waitUntil(sheet.playback.is_ready, timeout=30000)
    sheet.set_current(1)
    QTest.keyClick(sheet, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: win.player.path() is not None, timeout=5000)
    assert Path(win.player.path()) == group[1].video_path
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=5000)
    assert sheet.isVisible() and not sheet.playback.is_playing()
