"""The Sequences dock is remembered between runs: its shown state goes into the window's
layout when the window closes, and a window opened on that state shows the dock again and
lists the sequences once the library has opened (not before: no "still opening" message)."""

from __future__ import annotations

import pytest
from library_window import close_player, open_window
from sequence_helpers import add_clip
from ui_fakes import FakeServices

from wan_desktop.core.window_state import WindowState
from wan_desktop.ui.window_layout import DOCK_KEYS, dock_shown
from wan_desktop.ui.window_sequences import SequenceLink

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def clips(lib, tmp_path):
    a = add_clip(lib, tmp_path, hue=0.55, seconds=1.0, prompt="dawn")
    b = add_clip(lib, tmp_path, hue=0.08, seconds=1.0, parent=a, prompt="noon")
    lib.new_sequence("Day", [a.id, b.id])
    return a, b


def _window(qtbot, tasks, paths, lib, monkeypatch, layout: dict[str, str] | None = None):
    monkeypatch.setenv("WAN_DESKTOP_NO_MULTIMEDIA", "1")  # no sound device here
    state = WindowState(first_run_done=True, layout=layout or {})
    return open_window(qtbot, tasks, FakeServices(paths, window_state=state), lib)


def test_the_dock_shown_state_is_kept_in_the_layout(qtbot, tasks, paths, lib, clips, monkeypatch):
    win, _pane = _window(qtbot, tasks, paths, lib, monkeypatch)
    try:
        dock = win.sequence_link.dock
        assert DOCK_KEYS == {"sequencesDock": "sequences_visible"}
        assert dock.isHidden()  # nothing remembered: hidden, as before
        assert win.layout_state()["sequences_visible"] == "0"
        dock.toggleViewAction().trigger()  # View → Sequences (Ctrl+Shift+S)
        qtbot.waitUntil(dock.isVisible, timeout=5000)
        assert win.layout_state()["sequences_visible"] == "1"
        # Closing the window keeps it: the saved state says shown.
        win.close()
        assert dock_shown(win.services.store.window.layout, "sequencesDock")
    finally:
        close_player(win)


def test_a_remembered_dock_shows_and_lists_once_the_library_opens(
    qtbot, tasks, paths, lib, clips, monkeypatch
):
    said: list[str] = []
    original = SequenceLink._on_status_message
    monkeypatch.setattr(SequenceLink, "_on_status_message",
                        lambda self, text: (said.append(text), original(self, text)))  # fmt: skip
    win, _pane = _window(qtbot, tasks, paths, lib, monkeypatch, {"sequences_visible": "1"})
    try:
        link = win.sequence_link
        assert link.dock.isVisible()
        sequences = link.sequences
        qtbot.waitUntil(lambda: sequences.list.topLevelItemCount() == 1, timeout=10000)
        assert sequences.list.topLevelItem(0).text(0) == "Day"
        assert said == []  # listed once the library opened, not refused before
        link.dock.hide()
        assert win.layout_state()["sequences_visible"] == "0"
    finally:
        close_player(win)
    assert not dock_shown({"sequences_visible": "0"}, "sequencesDock")
    assert not dock_shown({}, "sequencesDock")
