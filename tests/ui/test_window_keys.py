"""The window's keys and its status-line notice: Space plays or pauses anywhere but in a text
field (on a library card it previews the card), F toggles full screen, Ctrl+F shows the library
and focuses its search, and a trash can be undone from the notice or with Ctrl+Z right after."""

from __future__ import annotations

import pytest
from library_ui_helpers import add_two_clips
from library_window import close_player, open_window, wait_task
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QApplication, QCheckBox, QPushButton, QWidget
from ui_fakes import FakeServices

from wan_desktop.ui.library_model import LibraryRole

pytestmark = pytest.mark.timeout(90)


@pytest.fixture
def lib(lib, tmp_path):
    """The suite's library holding two clips (a lighthouse, seed 11; a fox, seed 1234)."""
    add_two_clips(lib, tmp_path / "in")
    return lib


@pytest.fixture
def opened(qtbot, tasks, paths, lib):
    win, pane = open_window(qtbot, tasks, FakeServices(paths), lib, size=(1600, 900))
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    yield win, pane
    close_player(win)
    win.close()


def _focus(qtbot, widget: QWidget) -> None:
    widget.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget)


def _select(pane, row: int) -> str:
    index = pane.model.index(row)
    flag = QItemSelectionModel.SelectionFlag.ClearAndSelect
    pane.view.selectionModel().setCurrentIndex(index, flag)
    return index.data(LibraryRole.Id)


def _spy(monkeypatch, obj, name: str) -> list:
    calls: list = []
    monkeypatch.setattr(obj, name, lambda *args: calls.append(args))
    return calls


def test_space_on_a_library_card_previews_it(qtbot, opened, monkeypatch):
    win, pane = opened
    toggles = _spy(monkeypatch, win.player, "toggle")
    entry_id = _select(pane, 1)
    _focus(qtbot, pane.view)
    qtbot.keyClick(pane.view, Qt.Key.Key_Space)
    wait_task(qtbot, pane)
    assert win.player.path() is not None and entry_id in win.player.path()
    assert toggles == []


def test_space_plays_or_pauses_outside_text_fields_and_types_inside_them(
    qtbot, opened, monkeypatch
):
    win, _pane = opened
    toggles = _spy(monkeypatch, win.player, "toggle")
    _focus(qtbot, win.jobs_view)
    qtbot.keyClick(win.jobs_view, Qt.Key.Key_Space)
    assert len(toggles) == 1
    prompt = win.composer.prompt.edit
    _focus(qtbot, prompt)
    qtbot.keyClicks(prompt, "a b")
    assert prompt.toPlainText() == "a b" and len(toggles) == 1
    check = win.findChild(QCheckBox, "safetyCheckerCheck")  # a check box keeps its Space
    before = check.isChecked()
    _focus(qtbot, check)
    qtbot.keyClick(check, Qt.Key.Key_Space)
    assert check.isChecked() is not before and len(toggles) == 1


def test_f_toggles_full_screen_from_the_jobs_list_but_not_in_the_search(qtbot, opened):
    win, pane = opened
    _focus(qtbot, win.jobs_view)
    qtbot.keyClick(win.jobs_view, Qt.Key.Key_F)
    assert win.player.is_full_screen() and not win.composer.isVisible()
    win.player.set_full_screen(False)
    assert win.composer.isVisible()
    _focus(qtbot, pane.search)
    qtbot.keyClick(pane.search, Qt.Key.Key_F)
    assert not win.player.is_full_screen() and pane.search.text() == "f"


def test_ctrl_f_shows_a_hidden_library_and_focuses_its_search(qtbot, opened):
    win, pane = opened
    win.library_action.trigger()
    assert not pane.isVisible()
    _focus(qtbot, win.jobs_view)
    qtbot.keyClick(win.jobs_view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert pane.isVisible() and win.library_action.isChecked()
    assert QApplication.focusWidget() is pane.search
    _focus(qtbot, win.jobs_view)  # shown: Ctrl+F still finds (the pane's own shortcut)
    qtbot.keyClick(win.jobs_view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is pane.search


def test_ctrl_f_brings_the_library_tab_forward_on_a_laptop(qtbot, opened):
    win, pane = opened
    win.resize(1366, 768)
    QApplication.processEvents()
    win.show_composer()
    assert win.library_dock.is_tabbed() and not pane.isVisible()
    _focus(qtbot, win.jobs_view)
    qtbot.keyClick(win.jobs_view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert pane.isVisible() and QApplication.focusWidget() is pane.search
    win.show_composer()  # the user picks the Library tab: Ctrl+F still finds
    tabs = win.findChild(QWidget, "composeTabs")
    tabs.setCurrentIndex(tabs.indexOf(pane))
    _focus(qtbot, win.jobs_view)
    qtbot.keyClick(win.jobs_view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is pane.search


def _trash_first(qtbot, pane) -> str:
    entry_id = _select(pane, 0)
    with qtbot.waitSignal(pane.trashed, timeout=30000):
        pane.trash_action.trigger()
    return entry_id


def test_a_trash_offers_undo_in_the_status_line(qtbot, opened, lib):
    win, pane = opened
    entry_id = _trash_first(qtbot, pane)
    notice = win.findChild(QWidget, "statusNotice")
    assert notice is not None and notice.isVisible()
    assert win.notice.text() == "Moved 1 clip to the trash"
    button = win.findChild(QPushButton, "statusNoticeAction")
    assert button.text() == "Undo" and button.accessibleName() == "Undo"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    wait_task(qtbot, pane)
    assert lib.get(entry_id).trashed_at is None and entry_id in pane.model.ids()
    assert not notice.isVisible()


def test_ctrl_z_right_after_a_trash_undoes_it(qtbot, opened, lib):
    win, pane = opened
    entry_id = _trash_first(qtbot, pane)
    _focus(qtbot, pane.view)
    qtbot.keyClick(pane.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    wait_task(qtbot, pane)
    assert lib.get(entry_id).trashed_at is None
    assert not win.notice.isVisible()
    assert not win.undo_from_notice()  # nothing left to undo


def test_ctrl_z_in_a_text_field_stays_the_fields_undo(qtbot, opened, lib):
    win, pane = opened
    entry_id = _trash_first(qtbot, pane)
    _focus(qtbot, pane.search)
    qtbot.keyClicks(pane.search, "x")
    qtbot.keyClick(pane.search, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert pane.search.text() == ""
    assert lib.get(entry_id).trashed_at is not None and win.notice.action_text() == "Undo"


def test_the_notice_goes_after_its_time(qtbot, opened):
    win, _pane = opened
    win.show_notice("Something happened", "Undo", lambda: None, timeout_ms=50)
    assert win.notice.is_showing()
    qtbot.waitUntil(lambda: not win.notice.is_showing(), timeout=10000)
    assert not win.undo_from_notice()


def test_a_trashed_clip_in_the_player_is_unloaded(qtbot, opened, lib):
    win, pane = opened
    entry_id = _select(pane, 0)
    pane.preview_current()
    wait_task(qtbot, pane)
    assert entry_id in win.player.path()
    other = _select(pane, 1)
    with qtbot.waitSignal(pane.trashed, timeout=30000):
        pane.trash_action.trigger()
    assert entry_id in win.player.path()  # another clip went: the player keeps its own
    _select(pane, 0)
    assert pane.current_id() == entry_id != other
    with qtbot.waitSignal(pane.trashed, timeout=30000):
        pane.trash_action.trigger()
    assert win.player.path() is None


def test_a_reuse_over_a_typed_draft_offers_to_restore_it(qtbot, opened, good_image):
    from wan_desktop.core.request import GenerationRequest

    win, _pane = opened
    win.composer.prompt.set_text("my own words, typed by hand")
    win.composer.load_request(GenerationRequest(prompt="a reused prompt", image=str(good_image)))
    assert win.composer.prompt.text() == "a reused prompt"
    assert win.notice.text() == "Settings reused"
    assert win.notice.action_text() == "Restore draft"
    qtbot.mouseClick(win.findChild(QPushButton, "statusNoticeAction"), Qt.MouseButton.LeftButton)
    assert win.composer.prompt.text() == "my own words, typed by hand"
    assert not win.notice.is_showing()
