"""What the window asks of the library pane, and the pane's own keyboard and layout: undoing a
trash (``trashed`` then ``restore_ids``), previewing the selected card (Space), focusing the
search (Ctrl+F), Tab reaching the toolbar, and "Custom range…" leaving the pane's width alone."""

from __future__ import annotations

import pytest
from library_ui_helpers import add_two_clips, shown_pane
from PySide6.QtWidgets import QApplication, QToolButton

from wan_desktop.ui.library_actions import LibraryActions
from wan_desktop.ui.library_filter_bar import CUSTOM_RANGE
from wan_desktop.ui.library_model import LibraryRole

pytestmark = pytest.mark.timeout(90)


@pytest.fixture
def lib(lib, tmp_path):
    """The suite's library holding two clips (a lighthouse, seed 11; a fox, seed 1234)."""
    add_two_clips(lib, tmp_path / "in")
    return lib


@pytest.fixture
def pane(qtbot, tasks, lib):
    actions = LibraryActions()
    played: list[tuple[str, str]] = []
    actions.play_port = lambda path, title: played.append((path, title))
    with shown_pane(qtbot, tasks, lib, size=(520, 760), actions=actions) as p:
        p.played = played
        yield p


def _wait_task(qtbot, pane):
    task = pane.last_task
    assert task is not None
    qtbot.waitUntil(task.done, timeout=10000)
    return task.result()


def _select(pane, row: int) -> str:
    index = pane.model.index(row)
    pane.view.setCurrentIndex(index)
    return index.data(LibraryRole.Id)


def test_a_trash_says_which_clips_and_restore_ids_brings_them_back(qtbot, pane, lib):
    entry_id = _select(pane, 0)
    with qtbot.waitSignal(pane.trashed, timeout=10000) as trashed:
        pane.trash_action.trigger()
    assert trashed.args == [[entry_id]]
    assert lib.get(entry_id).trashed_at is not None
    assert entry_id not in pane.model.ids()

    pane.restore_ids([entry_id])
    _wait_task(qtbot, pane)
    assert lib.get(entry_id).trashed_at is None
    assert entry_id in pane.model.ids()
    assert pane.current_id() == entry_id  # the restored clip is selected again
    assert pane.count_label.text() == "2 clips"


def test_restore_ids_ignores_clips_not_in_the_trash(qtbot, pane, lib):
    live = pane.model.ids()
    task = pane.restore_ids([live[0], "01kjkb3q00w7zkm0"])  # live, and unknown
    if task is not None:
        qtbot.waitUntil(task.done, timeout=10000)
        task.result()
    assert all(lib.get(i).trashed_at is None for i in live)
    assert pane.model.ids() == live


def test_preview_current_plays_the_selected_card(qtbot, pane, lib):
    entry_id = _select(pane, 1)
    pane.preview_current()
    _wait_task(qtbot, pane)
    assert pane.played == [(str(lib.get(entry_id).video_path), pane.played[0][1])]
    assert "seed" in pane.played[0][1]


def test_preview_current_without_a_selection_only_says_so(qtbot, pane):
    messages = []
    pane.statusMessage.connect(messages.append)
    pane.view.selectionModel().clearCurrentIndex()
    pane.view.clearSelection()
    assert pane.preview_current() is None
    assert pane.played == [] and messages == ["Select a clip first."]


def test_focus_search_puts_the_cursor_in_the_search_box(qtbot, pane):
    pane.search.setText("fox")
    pane.view.setFocus()
    pane.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is pane.view)
    pane.focus_search()
    assert QApplication.focusWidget() is pane.search
    assert pane.search.selectedText() == "fox"


def test_tab_reaches_the_toolbar(qtbot, pane):
    _select(pane, 0)
    pane.activateWindow()
    pane.search.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is pane.search)
    reached = []
    for _ in range(40):
        pane.focusNextChild()
        reached.append(QApplication.focusWidget())
    toolbar = pane.toolbar
    play = toolbar.widgetForAction(pane.play_action)
    assert isinstance(play, QToolButton)
    assert play in reached
    assert pane.more_button in reached
    shown = [b for b in toolbar.findChildren(QToolButton) if b.isVisible() and b.isEnabled()]
    overflow = toolbar.findChild(QToolButton, "qt_toolbar_ext_button")
    assert overflow.isVisible()  # 520 px: Move to trash went behind the » button
    assert overflow in shown and all(b in reached for b in shown)
    assert pane.view in reached  # and on into the grid


def test_custom_range_does_not_widen_the_pane(qtbot, pane):
    before = pane.minimumSizeHint().width()
    index = pane.date_filter.findData(CUSTOM_RANGE)
    with qtbot.waitSignal(pane.model.queryApplied, timeout=5000):
        pane.date_filter.setCurrentIndex(index)
    assert pane.date_from.isVisible() and pane.date_to.isVisible()
    assert pane.minimumSizeHint().width() <= before
    assert pane.width() == 520


def _ink(icon) -> float:
    """The mean lightness (0-255) of an icon's opaque pixels."""
    image = icon.pixmap(16, 16).toImage()
    values = [
        image.pixelColor(x, y).lightness()
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y).alpha() > 160
    ]
    assert values, "the icon draws nothing"
    return sum(values) / len(values)


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_the_overflow_button_is_tinted_from_the_palette(qapp, qtbot, pane, scheme):
    manager = qapp._wan_theme
    overflow = pane.toolbar.findChild(QToolButton, "qt_toolbar_ext_button")
    try:
        manager.force(scheme)
        ink = _ink(overflow.icon())
        if scheme == "dark":
            assert ink > 170  # light ink on the dark bar
        else:
            assert ink < 90
    finally:
        manager.force("light")


def test_searching_a_seed_or_a_resolution_finds_the_clip(qtbot, pane, lib):
    fox = next(s for s in lib.list() if s.seed == 1234)
    with qtbot.waitSignal(pane.model.queryApplied, timeout=5000):
        pane.search.setText("1234")
    assert pane.model.ids() == [fox.id]
    with qtbot.waitSignal(pane.model.queryApplied, timeout=5000):
        pane.search.setText("720p")
    assert len(pane.model.ids()) == 2
    assert "seed" in pane.search.toolTip() and "1080p" in pane.search.toolTip()
