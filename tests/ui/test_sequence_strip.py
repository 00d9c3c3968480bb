"""The sequence strip and pane on a real library: a continue-chain becomes a sequence whose
cells are as wide as the clips are long; dragging a cell reorders and saves (with the default
seams following the new neighbours); Delete removes; drops of library files add; the branch
chooser decides where a chain forks."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtWidgets import QApplication
from sequence_helpers import add_clip, open_library

from wan_desktop.ui.sequence_pane import SequencePane
from wan_desktop.ui.sequence_service import ChainCancelled, SequenceService
from wan_desktop.ui.sequence_strip import SequenceStrip, StripCell, entry_ids_in_drop

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def chain(tmp_path):
    """A library with a chain: A (1 s) → B (2 s) → C (1 s), all at 12 fps."""
    lib = open_library(tmp_path)
    a = add_clip(lib, tmp_path, hue=0.55, seconds=1.0, prompt="dawn over the bay")
    b = add_clip(lib, tmp_path, hue=0.08, seconds=2.0, parent=a, prompt="the boat leaves")
    c = add_clip(lib, tmp_path, hue=0.8, seconds=1.0, parent=b, prompt="night falls")
    yield lib, a, b, c
    lib.close()


@pytest.fixture
def pane(chain, tasks, qtbot, tmp_path):
    lib = chain[0]
    widget = SequencePane(SequenceService(lambda: lib), tasks, tmp_path / "cache")
    qtbot.addWidget(widget)
    widget.resize(1000, 420)
    widget.show()
    return widget


def _wait(qtbot, task):
    qtbot.waitUntil(task.done, timeout=20000)
    return task.result()


def test_chain_becomes_a_strip_of_cells_as_wide_as_the_clips(chain, pane, run, qtbot):
    _lib, a, b, c = chain
    ids = run(pane.service.chain(b.id, _refuse))
    assert ids == [a.id, b.id, c.id]
    opened = run(pane.create("Chain", ids))
    assert [i.start_frame for i in opened.sequence.items] == [0, 1, 1]  # continuations drop 1
    strip = pane.strip
    assert strip.objectName() == "sequenceStrip"
    rects = strip.cell_rects()
    assert len(rects) == 3
    # Widths follow the seconds used: A 12 frames, B 23 of 24, C 11 of 12 (at 12 fps).
    seconds = [12 / 12, 23 / 12, 11 / 12]
    for rect, used in zip(rects, seconds, strict=True):
        assert abs(rect.width() - used * strip.px_per_second) <= 1
    assert rects[1].width() > 1.9 * rects[0].width()
    assert rects[0].right() < rects[1].left() < rects[2].left()
    assert pane.list.topLevelItemCount() == 1
    assert pane.list.topLevelItem(0).text(1) == "3"
    assert pane.summary.text() == "3 clips · 0:04"
    qtbot.waitUntil(lambda: strip.posters_pending() == 0, timeout=10000)
    assert "3 clips" in strip.accessibleDescription()


async def _refuse(_parent, _children):
    raise AssertionError("the chain has no fork: nobody should be asked")


def test_dragging_a_cell_reorders_saves_and_reseats_the_default_seams(chain, pane, run, qtbot):
    lib, a, b, c = chain
    opened = run(pane.create("Chain", [a.id, b.id, c.id]))
    strip = pane.strip
    rects = strip.cell_rects()
    start = rects[0].center()
    end = QPoint(rects[2].right() - 2, rects[2].center().y())
    qtbot.mousePress(strip, Qt.MouseButton.LeftButton, pos=start)
    for step in range(1, 6):  # a real drag passes through the positions in between
        point = start + (end - start) * (step / 5)
        qtbot.mouseMove(strip, point)
    qtbot.mouseRelease(strip, Qt.MouseButton.LeftButton, pos=end)
    _wait(qtbot, pane.last_save)
    stored = lib.get_sequence(opened.sequence.id)
    assert [i.entry_id for i in stored.items] == [b.id, c.id, a.id]
    # B no longer follows its parent (starts at 0); C still follows B (1); A starts at 0.
    assert [i.start_frame for i in stored.items] == [0, 1, 0]
    assert [cell.entry_id for cell in strip.cells()] == [b.id, c.id, a.id]
    assert strip.selection() == ("clip", 2)


def test_delete_key_removes_the_selected_clip(chain, pane, run, qtbot):
    lib, a, b, c = chain
    opened = run(pane.create("Chain", [a.id, b.id, c.id]))
    strip = pane.strip
    strip.select_clip(1)
    strip.setFocus()
    qtbot.keyClick(strip, Qt.Key.Key_Delete)
    _wait(qtbot, pane.last_save)
    stored = lib.get_sequence(opened.sequence.id)
    assert [i.entry_id for i in stored.items] == [a.id, c.id]
    assert [i.start_frame for i in stored.items] == [0, 0]  # C's parent is gone from before it
    assert len(strip.cell_rects()) == 2
    assert lib.get(b.id).id == b.id  # the clip stays in the library


def test_ctrl_arrows_move_and_arrows_walk_clips_and_seams(chain, pane, run, qtbot):
    _lib, a, b, c = chain
    run(pane.create("Chain", [a.id, b.id, c.id]))
    strip = pane.strip
    strip.select_clip(0)
    qtbot.keyClick(strip, Qt.Key.Key_Right)
    assert strip.selection() == ("seam", 1)
    assert pane.seam_editor.isVisible()
    qtbot.keyClick(strip, Qt.Key.Key_Right)
    assert strip.selection() == ("clip", 1)
    assert not pane.seam_editor.isVisible()
    qtbot.keyClick(strip, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    _wait(qtbot, pane.last_save)
    assert [cell.entry_id for cell in strip.cells()] == [a.id, c.id, b.id]


def test_dropped_library_files_are_added_where_they_fall(chain, pane, run, qtbot):
    lib, a, b, c = chain
    opened = run(pane.create("Two", [a.id, c.id]))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(lib.get(b.id).video_path)),
                  QUrl.fromLocalFile("/tmp/elsewhere/video.mp4")])  # fmt: skip
    assert entry_ids_in_drop(mime, None) == [b.id]

    class Grid:  # the library grid as the drag's source: its selection, in its order
        def selected_ids(self):
            return [c.id, a.id]

    assert entry_ids_in_drop(mime, Grid()) == [c.id, a.id]
    pane.strip.idsDropped.emit([b.id], 1)
    qtbot.waitUntil(lambda: len(pane.strip.cells()) == 3, timeout=10000)
    _wait(qtbot, pane.last_save)
    stored = lib.get_sequence(opened.sequence.id)
    assert [i.entry_id for i in stored.items] == [a.id, b.id, c.id]
    assert [i.start_frame for i in stored.items] == [0, 1, 1]  # both continuations now follow


def test_a_fork_asks_which_branch_and_cancel_makes_nothing(tmp_path, run, qtbot, tasks):
    lib = open_library(tmp_path)
    try:
        a = add_clip(lib, tmp_path, hue=0.5, seconds=0.5)
        older = add_clip(lib, tmp_path, hue=0.1, seconds=0.5, parent=a, prompt="to the left")
        newer = add_clip(lib, tmp_path, hue=0.2, seconds=0.5, parent=a, prompt="to the right")
        service = SequenceService(lambda: lib)
        asked = []

        async def older_one(parent_id, children):
            asked.append((parent_id, [child.id for child in children]))
            return older.id

        assert run(service.chain(a.id, older_one)) == [a.id, older.id]
        assert asked == [(a.id, [newer.id, older.id])]  # newest first

        async def closed(_parent_id, _children):
            return None

        with pytest.raises(ChainCancelled):
            run(service.chain(a.id, closed))
        assert lib.list_sequences() == []
    finally:
        lib.close()


def test_the_branch_chooser_lists_the_children_and_returns_the_chosen(tmp_path, run, qtbot):
    from wan_desktop.ui.chain_chooser import ask_branch

    lib = open_library(tmp_path)
    try:
        a = add_clip(lib, tmp_path, hue=0.5, seconds=0.5)
        one = add_clip(lib, tmp_path, hue=0.1, seconds=0.5, parent=a, prompt="<b>left</b>")
        two = add_clip(lib, tmp_path, hue=0.2, seconds=0.5, parent=a, prompt="right")
        children = lib.children_of(a.id)
        import asyncio

        answer = asyncio.ensure_future(ask_branch(None, "the start", children))
        qtbot.waitUntil(lambda: _chooser() is not None, timeout=5000)
        dialog = _chooser()
        assert dialog.list.count() == 2
        assert dialog.chosen_id() == two.id  # the newest is offered first
        assert dialog.list.item(1).text().startswith("<b>left</b>")  # plain text, as written
        dialog.list.setCurrentRow(1)
        dialog.accept()
        qtbot.waitUntil(answer.done, timeout=5000)
        assert answer.result() == one.id
    finally:
        lib.close()


def _chooser():
    for widget in QApplication.topLevelWidgets():
        if widget.objectName() == "chainBranchChooser" and widget.isVisible():
            return widget
    return None


def test_strip_cells_paint_without_posters_and_say_when_empty(qtbot):
    strip = SequenceStrip()
    qtbot.addWidget(strip)
    strip.resize(400, strip.height())
    strip.show()
    assert strip.cell_rects() == []
    strip.set_px_per_second(28)  # a zoom of its own: the strip scrolls instead of fitting
    strip.set_cells([StripCell("x", 5.0, "five", None), StripCell("y", 10.0, "ten", None,
                                                                  crossfade=6)])  # fmt: skip
    widths = [r.width() for r in strip.cell_rects()]
    assert widths == [5 * strip.px_per_second, 10 * strip.px_per_second]
    assert strip.scroll.isVisible()  # wider than the widget: it scrolls
    strip.grab()  # paints with no poster and a crossfade mark
    strip.set_px_per_second(None)  # fit: fifteen seconds in the strip's width
    rects = strip.cell_rects()
    assert not strip.scroll.isVisible()
    assert rects[1].width() == pytest.approx(2 * rects[0].width(), abs=1)
    assert rects[-1].right() <= strip.width()


def test_rename_in_the_list_saves_and_a_bad_name_is_refused(chain, pane, run, qtbot):
    lib, a, b, _c = chain
    opened = run(pane.create("Chain", [a.id, b.id]))
    item = pane.list.topLevelItem(0)
    item.setText(0, "  The   boat  trip ")  # as typed in place (double-click, F2)
    qtbot.waitUntil(lambda: lib.get_sequence(opened.sequence.id).name == "The boat trip",
                    timeout=5000)  # fmt: skip
    qtbot.waitUntil(lambda: pane.title.text() == "The boat trip", timeout=5000)
    messages = []
    pane.statusMessage.connect(messages.append)
    pane.list.topLevelItem(0).setText(0, "   ")
    qtbot.waitUntil(lambda: bool(messages), timeout=5000)
    assert messages[0] == "Could not rename the sequence: name must not be empty"
    qtbot.waitUntil(lambda: pane.list.topLevelItem(0).text(0) == "The boat trip", timeout=5000)
    assert lib.get_sequence(opened.sequence.id).name == "The boat trip"


def test_delete_asks_then_removes_the_sequence_not_the_clips(chain, pane, run, qtbot):
    from PySide6.QtWidgets import QMessageBox

    lib, a, b, _c = chain
    run(pane.create("Chain", [a.id, b.id]))
    pane.delete_button.click()
    box = pane.findChild(QMessageBox, "sequenceDeleteQuestion")
    assert box is not None and "Its clips stay" in box.text()
    delete = next(button for button in box.buttons() if button.text() == "Delete")
    delete.click()
    qtbot.waitUntil(lambda: pane.list.topLevelItemCount() == 0, timeout=5000)
    assert lib.list_sequences() == []
    assert pane.current is None and pane.strip.cells() == []
    assert not pane.play_button.isEnabled() and not pane.export_button.isEnabled()
    assert lib.get(a.id).id == a.id


def test_stop_work_stops_a_preview_being_rendered(chain, pane, run, qtbot):
    _lib, a, b, c = chain
    run(pane.create("Chain", [a.id, b.id, c.id]))
    messages = []
    pane.statusMessage.connect(messages.append)
    task = pane._spawn(pane.play_sequence(), "Play")
    qtbot.waitUntil(pane.progress.isVisible, timeout=5000)
    pane.stop_work()
    qtbot.waitUntil(task.done, timeout=30000)
    assert task.result() is None
    assert messages[-1] == "The preview was stopped."
    previews = pane.cache_dir / "sequence-previews"
    assert not previews.exists() or list(previews.iterdir()) == []
    assert pane.play_button.isEnabled() and not pane.progress.isVisible()


def test_the_seam_editor_follows_its_seam_when_clips_arrive(chain, pane, run, qtbot):
    _lib, a, b, c = chain
    run(pane.create("Two", [a.id, c.id]))
    pane.edit_seam(1)
    assert [item.entry_id for item in pane.seam_editor.items()] == [a.id, c.id]
    pane.strip.idsDropped.emit([b.id], 1)
    qtbot.waitUntil(lambda: len(pane.strip.cells()) == 3, timeout=10000)
    assert pane.strip.selection() == ("seam", 1)
    assert [item.entry_id for item in pane.seam_editor.items()] == [a.id, b.id]
    assert pane.seam_editor.start_spin.value() == 1  # B continues A: its repeat is dropped
    pane.remove(2)
    assert pane.strip.selection() == ("clip", 1)  # the clip now at the removed one's place
    assert pane.seam_editor.isHidden()
