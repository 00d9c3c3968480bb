"""Compare from the window: the library's "Compare two clips" opens two selected clips in a
compare view; "B wins" flags B picked and A rejected in the library and on their cards."""

from __future__ import annotations

import pytest
from compare_helpers import image_rgb, plain_frames
from library_ui_helpers import add_entry
from library_window import close_player, open_window
from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QWidget
from ui_fakes import FakeServices

from wan_desktop.ui.compare_view import CompareView

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def setup(qtbot, tasks, paths, lib, tmp_path, monkeypatch):
    monkeypatch.setenv("WAN_DESKTOP_NO_MULTIMEDIA", "1")  # no sound device here
    first = add_entry(lib, tmp_path / "one", hue=0.6, seed=11, prompt="a lighthouse at dusk")
    second = add_entry(lib, tmp_path / "two", hue=0.1, seed=12, prompt="a lighthouse at dawn")
    win, pane = open_window(qtbot, tasks, FakeServices(paths), lib)
    qtbot.waitUntil(lambda: not pane.model.is_busy(), timeout=5000)  # no query on its way
    yield win, pane, first, second
    for view in win.findChildren(CompareView):
        view.close()
        view.feed.wait_closed()
    close_player(win)


def select(pane, *ids: str) -> None:
    selection = pane.view.selectionModel()
    selection.clearSelection()
    for entry_id in ids:
        index = pane.model.index_of(entry_id)
        selection.select(index, QItemSelectionModel.SelectionFlag.Select)


def test_two_selected_clips_open_and_b_wins(qtbot, setup, lib):
    win, pane, first, second = setup
    action = pane.action_set.compare_action
    select(pane, first.id)
    assert not action.isEnabled()  # one clip: nothing to compare
    select(pane, first.id, second.id)
    assert action.isEnabled()
    assert action.shortcut().toString() == "Ctrl+Shift+K"
    with qtbot.waitSignal(pane.model.queryApplied, timeout=5000):
        pane.apply_query()  # the grid again: nothing selected any more
    assert not action.isEnabled()
    select(pane, first.id, second.id)
    assert action.isEnabled()
    action.trigger()
    qtbot.waitUntil(lambda: win.findChild(QWidget, "compareView") is not None, timeout=10000)
    view = win.findChild(QWidget, "compareView")
    assert isinstance(view, CompareView) and view.isWindow() and view.isVisible()
    ids = {view.clip_a.entry_id, view.clip_b.entry_id}
    assert ids == {first.id, second.id}
    qtbot.waitUntil(lambda: view.picture() is not None, timeout=10000)
    view.seek_frame(7)
    qtbot.waitUntil(lambda: view.picture().position == 7, timeout=5000)
    assert image_rgb(view.picture().a) == plain_frames(view.clip_a.path)[7]
    assert image_rgb(view.picture().b) == plain_frames(view.clip_b.path)[7]

    qtbot.waitUntil(view.header.b_wins_button.isEnabled, timeout=5000)
    view.header.b_wins_button.click()
    winner, loser = view.clip_b.entry_id, view.clip_a.entry_id
    qtbot.waitUntil(lambda: "B is marked picked" in view.status.text(), timeout=5000)
    assert lib.get(winner).flag == "picked" and lib.get(loser).flag == "rejected"
    summary = pane.model.summary(pane.model.row_of(loser))
    assert summary.flag == "rejected"
    assert pane.model.summary(pane.model.row_of(winner)).flag == "picked"


def test_the_action_refuses_anything_but_two(qtbot, setup):
    _win, pane, first, _second = setup
    messages: list[str] = []
    pane.statusMessage.connect(messages.append)
    select(pane, first.id)
    pane.action_set.compare_action.setEnabled(True)  # as if a script triggered it anyway
    pane.action_set.compare_action.trigger()
    assert messages[-1] == "Select exactly two clips to compare them."
