"""The window on a laptop and on a large screen: with the library shown it fits 1366×768 (the
library becomes a tab beside the composer when three panes do not fit), goes beside the others
when the window grows, is shown and hidden from a visible button, remembers that, and the
composer stops widening at its cap on a 2560 px screen."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QToolButton, QWidget
from ui_fakes import FakeServices

from wan_desktop.ui.library_actions import LibraryActions
from wan_desktop.ui.library_pane import LibraryPane
from wan_desktop.ui.main_window import COMPOSER_MAX_WIDTH, MainWindow

pytestmark = pytest.mark.timeout(60)


def _open(qtbot, tasks, paths, size, *, store=None, show_library=True):
    win = MainWindow(FakeServices(paths, store=store), tasks)
    qtbot.addWidget(win)
    win.resize(*size)
    pane = LibraryPane(tasks, LibraryActions())
    win.add_library_pane(pane, actions=pane.actions)
    if show_library and not win.library_action.isChecked():
        win.library_action.trigger()
    win.show()
    qtbot.waitExposed(win)
    QApplication.processEvents()
    return win, pane


def _clipped(root: QWidget) -> list[str]:
    """Visible widgets narrower than they need (Qt's minimum size hint), by name."""
    out = []
    for w in root.findChildren(QWidget):
        if not w.isVisible() or w.isWindow():
            continue
        hint = w.minimumSizeHint()
        if hint.isValid() and w.width() + 1 < hint.width():
            out.append(f"{type(w).__name__}#{w.objectName()} {w.width()}<{hint.width()}")
    return out


def test_with_the_library_shown_the_window_fits_1366x768(qtbot, tasks, paths):
    win, pane = _open(qtbot, tasks, paths, (1366, 768))
    assert win.minimumSizeHint().width() <= 1366
    assert win.minimumWidth() <= 1366
    assert win.width() == 1366 and win.height() == 768
    assert win.library_action.isChecked() and pane.isVisible()
    assert _clipped(win) == []
    win.library_dock.show_composer()  # the composer's tab: its form is not clipped either
    QApplication.processEvents()
    assert win.composer.isVisible()
    assert _clipped(win) == []
    win.close()


def test_the_library_goes_beside_the_others_when_the_window_grows(qtbot, tasks, paths):
    win, pane = _open(qtbot, tasks, paths, (1366, 768))
    tabs = win.findChild(QWidget, "composeTabs")
    assert tabs is not None and tabs.isVisible()
    assert win.main_splitter.indexOf(pane) == -1  # a tab, not a third pane
    win.resize(1920, 1080)
    QApplication.processEvents()
    assert win.main_splitter.indexOf(pane) == 2 and pane.isVisible() and win.composer.isVisible()
    assert win.library_action.isChecked()
    assert _clipped(win) == []
    win.resize(1366, 768)  # and back into its tab: the window can shrink again
    QApplication.processEvents()
    assert win.width() == 1366
    assert win.main_splitter.indexOf(pane) == -1 and win.library_action.isChecked()
    win.close()


def test_at_2560_the_composer_stops_at_its_cap(qtbot, tasks, paths):
    win, pane = _open(qtbot, tasks, paths, (2560, 1440))
    win.reset_layout()
    QApplication.processEvents()
    assert pane.isVisible() and win.main_splitter.indexOf(pane) == 2
    assert win.composer.width() <= COMPOSER_MAX_WIDTH
    assert win.player.width() > win.composer.width()
    assert _clipped(win) == []
    win.close()


def test_a_visible_button_shows_and_hides_the_library(qtbot, tasks, paths):
    win, pane = _open(qtbot, tasks, paths, (1600, 900), show_library=False)
    button = win.findChild(QToolButton, "libraryToggleButton")
    assert button is not None and button.isVisible() and button.accessibleName()
    assert pane.isVisible() and button.isChecked()  # nothing remembered; it fits beside
    button.click()
    assert not pane.isVisible() and not win.library_action.isChecked()
    button.click()
    assert pane.isVisible() and win.library_action.isChecked() and button.isChecked()
    win.close()


def test_the_shown_library_is_remembered(qtbot, tasks, paths):
    from wan_desktop.core.settings_store import SettingsStore

    win, _pane = _open(qtbot, tasks, paths, (1366, 768))
    win.library_dock.show_composer()  # the library's tab stays, behind the composer's
    assert win.layout_state()["library_visible"] == "1"
    win.close()
    again, pane = _open(qtbot, tasks, paths, (1366, 768), store=SettingsStore.load(paths),
                        show_library=False)  # fmt: skip
    assert again.library_action.isChecked()
    again.resize(1920, 1080)
    QApplication.processEvents()
    assert pane.isVisible()
    again.close()


def test_full_screen_leaves_the_library_where_it_was(qtbot, tasks, paths):
    win, pane = _open(qtbot, tasks, paths, (1600, 900))
    assert win.main_splitter.indexOf(pane) == 2 and pane.isVisible()
    win.player.set_full_screen(True)
    win.resize(1200, 700)  # the full-screen size may be anything (here: narrower)
    QApplication.processEvents()
    assert not pane.isVisible() and not win.composer.isVisible() and win.player.isVisible()
    win.player.set_full_screen(False)
    win.resize(1600, 900)
    QApplication.processEvents()
    assert pane.isVisible() and win.composer.isVisible()
    assert win.main_splitter.indexOf(pane) == 2
    win.close()


def test_a_wide_full_screen_does_not_bring_the_library_back(qtbot, tasks, paths):
    win, pane = _open(qtbot, tasks, paths, (1366, 768))
    assert win.library_dock.is_tabbed()
    win.player.set_full_screen(True)
    win.resize(1920, 1080)  # a full screen wider than the window was
    QApplication.processEvents()
    assert not pane.isVisible() and not win.composer.isVisible() and win.player.isVisible()
    win.player.set_full_screen(False)
    win.resize(1366, 768)
    QApplication.processEvents()
    assert pane.isVisible() and win.library_dock.is_tabbed()
    win.close()
