"""Sequences from the window: the library's "Make a sequence from this chain" (and its button
in the details) opens the Sequences dock with the chain in the strip; "Add to sequence"
appends the selected clips; Play sequence plays the rendered sequence in the window's player
with the seams marked on its seek bar."""

from __future__ import annotations

from pathlib import Path

import pytest
from library_window import close_player, open_window
from PySide6.QtWidgets import QWidget
from sequence_helpers import add_clip
from ui_fakes import FakeServices

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def setup(qtbot, tasks, paths, lib, tmp_path, monkeypatch):
    monkeypatch.setenv("WAN_DESKTOP_NO_MULTIMEDIA", "1")  # no sound device here
    a = add_clip(lib, tmp_path, hue=0.55, seconds=1.0, prompt="dawn over the bay")
    b = add_clip(lib, tmp_path, hue=0.08, seconds=1.0, parent=a, prompt="the boat leaves")
    c = add_clip(lib, tmp_path, hue=0.8, seconds=1.0, parent=b, prompt="night falls")
    lone = add_clip(lib, tmp_path, hue=0.3, seconds=1.0, prompt="a gull")
    win, pane = open_window(qtbot, tasks, FakeServices(paths), lib)
    yield win, pane, (a, b, c, lone)
    close_player(win)


def test_chain_action_opens_the_chain_in_the_dock_and_plays_it(qtbot, setup, lib):
    win, pane, (a, b, c, lone) = setup
    link = win.sequence_link
    assert not link.dock.isVisible()
    assert pane.select(b.id)
    action = pane.action_set.chain_sequence_action
    assert action.isEnabled() and action.shortcut().toString() == "Ctrl+Shift+L"
    qtbot.waitUntil(lambda: link.details_button.isVisible(), timeout=5000)  # B continues A
    link.details_button.click()
    qtbot.waitUntil(lambda: len(link.sequences.strip.cells()) == 3, timeout=10000)
    assert link.dock.isVisible()
    strip = win.findChild(QWidget, "sequenceStrip")
    assert strip is link.sequences.strip
    assert [cell.entry_id for cell in strip.cells()] == [a.id, b.id, c.id]
    (stored,) = lib.list_sequences()
    assert stored.name == "Chain: dawn over the bay"
    qtbot.waitUntil(lambda: link.sequences.list.topLevelItemCount() == 1, timeout=5000)

    assert pane.select(lone.id)
    qtbot.waitUntil(lambda: not link.details_button.isVisible(), timeout=5000)  # no chain
    messages = []
    win.statusBar().messageChanged.connect(messages.append)
    pane.view.clearSelection()
    assert pane.select(lone.id)
    task = link._spawn(link.sequence_from_chain(lone.id), "chain of one")
    qtbot.waitUntil(task.done, timeout=5000)
    assert task.result() is None and "there is no chain" in messages[-1]
    assert len(lib.list_sequences()) == 1
    assert pane.view.selected_ids() == [lone.id]
    pane.action_set.add_to_sequence_action.trigger()
    qtbot.waitUntil(lambda: len(strip.cells()) == 4, timeout=10000)
    qtbot.waitUntil(lambda: len(lib.get_sequence(stored.id).items) == 4, timeout=10000)

    sequences = link.sequences
    sequences.play_button.click()
    qtbot.waitUntil(lambda: win.player.path() is not None, timeout=60000)
    path = Path(win.player.path())
    assert path.parent.name == "sequence-previews"
    marks = win.player.marks()
    assert [m.kind for m in marks] == ["seam"] * 3
    assert [round(m.seconds * 24) for m in marks] == [24, 24 + 22, 24 + 22 + 22]
    assert marks[0].label == "Seam 1: clip 1 → clip 2"
