"""The contact sheet: one cell per take, every cell on the clock's frame after playing, seeking
and stepping (pixel-checked against PyAV decodes of the proxies), culling keys that set the
library's fields, Keep picks and its undo."""

from __future__ import annotations

import av
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from sheet_helpers import add_group

from wan_desktop.media.proxy import proxy_for
from wan_desktop.ui.contact_sheet import ContactSheet
from wan_desktop.ui.sheet_cell import SheetCell, stars_text
from wan_desktop.ui.sheet_culling import SheetCulling, SheetRequestError, load_takes
from wan_desktop.ui.sheet_feed import RING_FRAMES
from wan_desktop.ui.sheet_grid import best_columns

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def group(lib, tmp_path):
    return add_group(lib, tmp_path, 3)


@pytest.fixture
def sheet(qtbot, tasks, lib, group, monkeypatch):
    monkeypatch.setenv("WAN_DESKTOP_NO_MULTIMEDIA", "1")  # no sound device here: silent sheet
    takes, group_id = load_takes(lib, [group[1].id])
    view = ContactSheet(takes, SheetCulling(lib), tasks, group_id=group_id)
    qtbot.addWidget(view)
    view.resize(960, 600)
    view.show()
    qtbot.waitExposed(view)
    view.start()
    qtbot.waitUntil(view.playback.is_ready, timeout=30000)
    yield view
    view.close()


def _settled(view) -> bool:
    return view.playback.is_settled() and all(c.frame_index >= 0 for c in view.cells)


def _frames(view) -> list[int]:
    return [cell.frame_index for cell in view.cells if cell.isVisible()]


def _proxy_pixel(video, index: int, x: float, y: float) -> tuple[int, int, int]:
    """The pixel at (``x``, ``y``) (fractions of the size) of frame ``index`` of the proxy of
    ``video``, by a plain PyAV decode."""
    with av.open(str(proxy_for(video))) as container:
        for number, frame in enumerate(container.decode(video=0)):
            if number == index:
                image = frame.to_image()
                return image.getpixel((int(x * image.width), int(y * image.height)))
    raise AssertionError(f"the proxy has no frame {index}")


def _cell_pixel(cell: SheetCell, x: float, y: float) -> tuple[int, int, int]:
    image = cell.image()
    colour = image.pixelColor(int(x * image.width()), int(y * image.height()))
    return colour.red(), colour.green(), colour.blue()


def _check_pictures(view, index: int) -> None:
    """Every cell shows frame ``index``, and its picture is that frame of its proxy."""
    assert _frames(view) == [index] * len(view.cells)
    for cell, take in zip(view.cells, view.takes, strict=True):
        got = _cell_pixel(cell, 0.5, 0.6)
        want = _proxy_pixel(take.video_path, index, 0.5, 0.6)
        assert all(abs(a - b) <= 3 for a, b in zip(got, want, strict=True)), (got, want)


def test_a_cell_per_take_in_group_order(sheet, group):
    cells = sheet.findChildren(SheetCell)
    assert len(cells) == len(group) == 3
    assert [t.id for t in sheet.takes] == [e.id for e in group]
    assert [c.label for c in sheet.cells] == ["seed 100", "seed 101", "seed 102"]
    assert sheet.objectName() == "contactSheet"
    assert sheet.group_id == group[0].group_id
    assert sheet.playback.frame_count() == 36


def test_seek_and_step_put_every_cell_on_the_same_frame(qtbot, sheet):
    sheet.playback.pause()
    sheet.playback.seek_frame(10)
    qtbot.waitUntil(lambda: _settled(sheet), timeout=30000)
    _check_pictures(sheet, 10)
    QTest.keyClick(sheet, Qt.Key.Key_Period)
    qtbot.waitUntil(lambda: _settled(sheet), timeout=30000)
    _check_pictures(sheet, 11)
    for _ in range(3):
        QTest.keyClick(sheet, Qt.Key.Key_Comma)
    qtbot.waitUntil(lambda: _settled(sheet), timeout=30000)
    _check_pictures(sheet, 8)
    QTest.keyClick(sheet, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: _settled(sheet), timeout=30000)
    _check_pictures(sheet, 9)
    assert sheet.current() == 0  # a step with a modifier is not a move between cells
    assert sheet.seek.value() == 9
    assert sheet.frame_label.text().startswith("Frame 9 / 35 · ")


def test_stepping_back_from_the_first_frame_wraps_to_the_last(qtbot, sheet):
    sheet.playback.pause()
    sheet.playback.seek_frame(0)
    qtbot.waitUntil(lambda: _settled(sheet), timeout=30000)
    sheet.step(-1)
    qtbot.waitUntil(lambda: _settled(sheet), timeout=30000)
    _check_pictures(sheet, 35)


def test_playing_keeps_every_cell_on_the_clock(qtbot, sheet):
    assert sheet.playback.is_playing()  # it starts playing once every take is known
    seen: set[int] = set()

    def played_on() -> bool:
        seen.add(sheet.cells[0].frame_index)
        return len(seen) >= 12

    qtbot.waitUntil(played_on, timeout=30000)
    # Memory is bounded: each cell holds its ring ahead of the clock and the frame it shows.
    assert all(feed.buffered() <= RING_FRAMES + 1 for feed in sheet.playback.feeds)
    QTest.keyClick(sheet, Qt.Key.Key_Space)
    assert not sheet.playback.is_playing()
    qtbot.waitUntil(lambda: _settled(sheet), timeout=30000)
    index = sheet.playback.frame()
    _check_pictures(sheet, index)  # how close they stay while playing: bench_contact_sheet
    assert sheet.playback.lags() == [0, 0, 0]


def test_culling_keys_set_the_library_fields(qtbot, sheet, lib, group):
    first, second, third = (e.id for e in group)
    QTest.keyClick(sheet, Qt.Key.Key_4)
    qtbot.waitUntil(lambda: lib.get(first).rating == 4, timeout=30000)
    assert sheet.cells[0].rating == 4
    assert stars_text(4) == "★★★★☆"
    QTest.keyClick(sheet, Qt.Key.Key_P)
    qtbot.waitUntil(lambda: lib.get(first).flag == "picked", timeout=30000)
    QTest.keyClick(sheet, Qt.Key.Key_Right)
    assert sheet.current() == 1
    QTest.keyClick(sheet, Qt.Key.Key_X)
    qtbot.waitUntil(lambda: lib.get(second).flag == "rejected", timeout=30000)
    QTest.keyClick(sheet, Qt.Key.Key_2)
    qtbot.waitUntil(lambda: lib.get(second).rating == 2, timeout=30000)
    QTest.keyClick(sheet, Qt.Key.Key_0)
    qtbot.waitUntil(
        lambda: (lib.get(second).rating, lib.get(second).flag) == (0, ""), timeout=30000
    )
    QTest.keyClick(sheet, Qt.Key.Key_Right)
    QTest.keyClick(sheet, Qt.Key.Key_X)
    qtbot.waitUntil(lambda: lib.get(third).flag == "rejected", timeout=30000)
    QTest.keyClick(sheet, Qt.Key.Key_X)  # the same key again takes the mark off
    qtbot.waitUntil(lambda: lib.get(third).flag == "", timeout=30000)
    assert lib.get(first).rating == 4 and lib.get(first).flag == "picked"
    assert sheet.counts.text() == "1 picked · 0 rejected"


def test_keep_picks_trashes_the_rejects_and_undo_restores_them(qtbot, sheet, lib, group):
    rejected = group[2].id
    QTest.keyClick(sheet, Qt.Key.Key_P)
    sheet.set_current(2)
    QTest.keyClick(sheet, Qt.Key.Key_X)
    qtbot.waitUntil(lambda: lib.get(rejected).flag == "rejected", timeout=30000)
    qtbot.waitUntil(lambda: sheet.keep_button.isEnabled(), timeout=30000)
    with qtbot.waitSignal(sheet.trashed, timeout=30000) as trashed:
        sheet.keep_button.click()
    assert trashed.args == [[rejected]]
    assert lib.get(rejected).trashed_at is not None
    assert lib.get(group[0].id).trashed_at is None
    assert not sheet.cells[2].isVisible()
    assert [t.id for t in sheet.shown_takes()] == [group[0].id, group[1].id]
    assert sheet.current() == 0  # the current take left: the first one still shown is
    assert sheet.notice.action_text() == "Undo"
    with qtbot.waitSignal(sheet.restored, timeout=30000):
        QTest.keyClick(sheet, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert lib.get(rejected).trashed_at is None
    assert sheet.cells[2].isVisible()
    assert "Restored 1 take" in sheet.notice.text()


def test_enter_opens_the_current_take_and_pauses(qtbot, sheet, group):
    assert sheet.grid.columns() == 2  # 3 wide takes in a 960×600 sheet: 2 + 1
    QTest.keyClick(sheet, Qt.Key.Key_Down)
    assert sheet.current() == 2
    QTest.keyClick(sheet, Qt.Key.Key_Down)  # nothing below
    QTest.keyClick(sheet, Qt.Key.Key_Right)  # the last take: nothing further
    assert sheet.current() == 2
    QTest.keyClick(sheet, Qt.Key.Key_Up)
    QTest.keyClick(sheet, Qt.Key.Key_Right)
    with qtbot.waitSignal(sheet.openRequested, timeout=2000) as opened:
        QTest.keyClick(sheet, Qt.Key.Key_Return)
    assert opened.args == [group[1].id]
    assert not sheet.playback.is_playing()


def test_sound_follows_the_take_under_the_pointer(sheet):
    sheet.cells[2].hovered.emit(2)
    assert sheet.playback.audio_take() == 2
    assert sheet.playback.audio.path == sheet.takes[2].video_path
    sheet.cells[2].left.emit(2)
    assert sheet.playback.audio_take() is None
    assert sheet.playback.audio.problem  # said why the sheet is silent here


def test_which_clips_open_as_a_sheet(lib, tmp_path, group):
    takes, group_id = load_takes(lib, [group[0].id, group[2].id])
    assert [t.id for t in takes] == [group[0].id, group[2].id]
    assert group_id == group[0].group_id
    alone = add_group(lib, tmp_path / "alone", 1)[0]
    with pytest.raises(SheetRequestError, match="2 to 9"):
        load_takes(lib, [])
    with pytest.raises(SheetRequestError, match="at most 9"):
        load_takes(lib, [alone.id] * 10)
    takes, group_id = load_takes(lib, [alone.id, group[0].id])
    assert group_id is None and len(takes) == 2


def test_the_grid_gives_the_takes_the_largest_tiles():
    # 16:9 takes in a 16:9 space: 4 in 2 × 2; 8 in 3 × 3 (4 × 2 would make them smaller).
    assert [best_columns(n, 1600, 900, 16 / 9, 8) for n in (2, 4, 8, 9)] == [2, 2, 3, 3]
    assert best_columns(3, 1600, 400, 16 / 9, 8) == 3  # a wide, low sheet: one row
    assert best_columns(4, 500, 1200, 16 / 9, 8) == 1  # a tall one: a column


def test_closing_while_the_proxies_are_made_stops_them(qtbot, tasks, lib, tmp_path, monkeypatch):
    monkeypatch.setenv("WAN_DESKTOP_NO_MULTIMEDIA", "1")
    group = add_group(lib, tmp_path, 2, frames=96, size=(1280, 720))
    takes, group_id = load_takes(lib, [group[0].id])
    view = ContactSheet(takes, SheetCulling(lib), tasks, group_id=group_id)
    qtbot.addWidget(view)
    view.show()
    view.start()
    qtbot.waitUntil(lambda: "repar" in view.cells[1]._message, timeout=30000)
    view.close()
    for feed in view.playback.feeds:
        assert feed._thread is not None and not feed._thread.is_alive()
    for take in takes:  # no half-written proxy: made whole, or not at all
        leftovers = [p.name for p in take.video_path.parent.iterdir() if "proxy" in p.name]
        assert leftovers in ([], ["proxy.mp4"])


def test_a_shorter_take_holds_its_last_frame_until_the_loop_starts_again(
    qtbot, tasks, lib, tmp_path, monkeypatch
):
    monkeypatch.setenv("WAN_DESKTOP_NO_MULTIMEDIA", "1")
    group = add_group(lib, tmp_path, 2, frames=[36, 24])
    takes, group_id = load_takes(lib, [group[0].id])
    view = ContactSheet(takes, SheetCulling(lib), tasks, group_id=group_id)
    qtbot.addWidget(view)
    view.show()
    view.start()
    qtbot.waitUntil(view.playback.is_ready, timeout=30000)
    assert view.playback.frame_count() == 36  # the loop is the longest take
    view.playback.pause()
    view.playback.seek_frame(30)
    qtbot.waitUntil(lambda: _settled(view), timeout=30000)
    assert _frames(view) == [30, 23]
    view.step(6)  # wraps: both start again together
    qtbot.waitUntil(lambda: _settled(view), timeout=30000)
    _check_pictures(view, 0)
    view.close()


def test_a_resized_sheet_decodes_again_at_the_new_size_on_the_same_frame(qtbot, sheet):
    sheet.playback.pause()
    sheet.playback.seek_frame(20)
    qtbot.waitUntil(lambda: _settled(sheet), timeout=30000)
    before = sheet.cells[0].image().size()
    sheet.resize(640, 420)
    qtbot.waitUntil(
        lambda: (
            _settled(sheet)
            and all(c.image().size() != before for c in sheet.cells)
            and all(c.image().width() <= c.width() for c in sheet.cells)
        ),
        timeout=30000,
    )
    _check_pictures(sheet, 20)


def test_keep_picks_right_after_a_reject_waits_for_it_to_be_saved(qtbot, sheet, lib, group):
    sheet.set_current(1)
    for key in (Qt.Key.Key_5, Qt.Key.Key_P, Qt.Key.Key_X):  # three saves of one take, in order
        QTest.keyClick(sheet, key)
    with qtbot.waitSignal(sheet.trashed, timeout=30000) as trashed:
        sheet.keep_button.click()  # at once: the saves may still be running
    assert trashed.args == [[group[1].id]]
    entry = lib.get(group[1].id)
    assert (entry.rating, entry.flag, entry.trashed_at is not None) == (5, "rejected", True)
