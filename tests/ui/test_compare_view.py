"""The compare view: at position K both sides show the frames a plain PyAV decode gives for K,
in every view (side by side, wipe, difference, A/B), and paint them; clips of other rates are
matched by time; one transport steps, scrubs, loops a range; the wipe's divider drags."""

from __future__ import annotations

import pytest
from compare_helpers import grab_rgb, image_rgb, left_colour, plain_frames, write_compare_clip
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from wan_desktop.ui.compare_timeline import CompareTimeline
from wan_desktop.ui.compare_transport import CompareTransport
from wan_desktop.ui.compare_view import CompareClip, CompareView

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(autouse=True)
def _silent(monkeypatch):
    monkeypatch.setenv("WAN_DESKTOP_NO_MULTIMEDIA", "1")  # no sound device here


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    folder = tmp_path_factory.mktemp("compare")
    a = write_compare_clip(folder / "a.mp4", 0, frames=36)
    b = write_compare_clip(folder / "b.mp4", 1, frames=36)
    return a, b, plain_frames(a), plain_frames(b)


def open_view(qtbot, a, b, *, ids=(None, None)) -> CompareView:
    view = CompareView(CompareClip(a, "A take", ids[0]), CompareClip(b, "B take", ids[1]))
    qtbot.addWidget(view)
    view.resize(900, 520)
    view.show()
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: view.picture() is not None, timeout=10000)
    return view


def go_to(qtbot, view: CompareView, position: int) -> None:
    view.seek_frame(position)
    qtbot.waitUntil(lambda: view.picture().position == position, timeout=5000)


def close(view: CompareView) -> None:
    view.close()
    assert view.feed.wait_closed()


def difference(a: bytes, b: bytes, gain: int) -> bytes:
    return bytes(min(255, abs(x - y) * gain) for x, y in zip(a, b, strict=True))


def near(colour, expected, tolerance=12) -> bool:
    return all(abs(c - e) <= tolerance for c, e in zip(colour, expected, strict=True))


@pytest.mark.parametrize("mode", ["side", "wipe", "difference", "toggle"])
def test_position_k_shows_frame_k_of_both_clips(qtbot, clips, mode):
    a, b, frames_a, frames_b = clips
    view = open_view(qtbot, a, b)
    view.set_mode(mode)
    for k in (17, 0, 35, 9, 10):  # forward, back to the start, the end, across a keyframe
        go_to(qtbot, view, k)
        if mode == "difference":
            qtbot.waitUntil(lambda: view.picture().difference is not None, timeout=5000)
        picture = view.picture()
        assert (picture.a_index, picture.b_index) == (k, k)
        assert image_rgb(picture.a) == frames_a[k], f"A at {k}"
        assert image_rgb(picture.b) == frames_b[k], f"B at {k}"
        if mode == "difference":
            assert picture.gain == 4
            assert image_rgb(picture.difference) == difference(frames_a[k], frames_b[k], 4)
    assert view.bar.time_label.text().startswith("Frame 10 / 35 · ")
    close(view)


def test_the_canvas_paints_what_each_view_shows(qtbot, clips):
    a, b, _frames_a, _frames_b = clips
    view = open_view(qtbot, a, b)
    go_to(qtbot, view, 12)
    canvas = view.canvas
    left, right = canvas.side_rects()
    assert left.right() < right.left()
    assert near(grab_rgb(canvas, left.x() + left.width() // 4, left.center().y()),
                left_colour(0, 12))  # fmt: skip
    assert near(grab_rgb(canvas, right.x() + right.width() // 4, right.center().y()),
                left_colour(1, 12))  # fmt: skip

    view.set_mode("wipe")
    rect = canvas.full_rect()
    canvas.set_wipe_fraction(0.1)  # B from 10 % across: B's coloured half shows at 25 %
    assert near(grab_rgb(canvas, rect.x() + rect.width() // 4, rect.center().y()),
                left_colour(1, 12))  # fmt: skip
    canvas.set_wipe_fraction(0.4)  # A up to 40 %
    assert near(grab_rgb(canvas, rect.x() + rect.width() // 4, rect.center().y()),
                left_colour(0, 12))  # fmt: skip

    view.set_mode("difference")
    qtbot.waitUntil(lambda: view.picture().difference is not None, timeout=5000)
    expected = tuple(min(255, abs(x - y) * 4) for x, y in
                     zip(left_colour(0, 12), left_colour(1, 12), strict=True))  # fmt: skip
    rect = canvas.full_rect()
    assert near(grab_rgb(canvas, rect.x() + rect.width() // 4, rect.center().y()), expected, 40)
    # The grey right halves are alike: black there, apart from the moving bar's edges.
    assert near(grab_rgb(canvas, rect.right() - 4, rect.bottom() - 4), (0, 0, 0), 24)
    close(view)


def test_tab_and_the_letter_keys_flip_between_a_and_b(qtbot, clips):
    a, b, _frames_a, _frames_b = clips
    view = open_view(qtbot, a, b)
    go_to(qtbot, view, 5)
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_Tab)
    assert view.canvas.mode == "toggle" and not view.canvas.showing_b
    assert view.header.mode_buttons["toggle"].isChecked()
    QTest.keyClick(view, Qt.Key.Key_Tab)
    assert view.canvas.showing_b
    rect = view.canvas.full_rect()
    at = (rect.x() + rect.width() // 4, rect.center().y())
    assert near(grab_rgb(view.canvas, *at), left_colour(1, 5))
    QTest.keyClick(view, Qt.Key.Key_A)
    assert not view.canvas.showing_b
    assert near(grab_rgb(view.canvas, *at), left_colour(0, 5))
    QTest.keyClick(view, Qt.Key.Key_2)
    assert view.canvas.mode == "wipe"
    close(view)


def test_steps_keys_and_the_seek_bar_move_both_sides_together(qtbot, clips):
    a, b, frames_a, frames_b = clips
    view = open_view(qtbot, a, b)
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: view.picture().position == 1, timeout=5000)
    QTest.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: view.picture().position == 11, timeout=5000)
    QTest.keyClick(view, Qt.Key.Key_Left)
    qtbot.waitUntil(lambda: view.picture().position == 10, timeout=5000)
    QTest.keyClick(view, Qt.Key.Key_End)
    qtbot.waitUntil(lambda: view.picture().position == 35, timeout=5000)
    view.bar.seek.setValue(22)  # scrubbing
    qtbot.waitUntil(lambda: view.picture().position == 22, timeout=5000)
    picture = view.picture()
    assert image_rgb(picture.a) == frames_a[22] and image_rgb(picture.b) == frames_b[22]
    view.bar.back_button.click()
    qtbot.waitUntil(lambda: view.picture().position == 21, timeout=5000)
    close(view)


def test_other_rates_are_matched_by_time(qtbot, tmp_path):
    a = write_compare_clip(tmp_path / "a24.mp4", 0, frames=24, fps=24)  # 1 s
    b = write_compare_clip(tmp_path / "b30.mp4", 1, frames=45, fps=30)  # 1.5 s
    frames_b = plain_frames(b)
    view = open_view(qtbot, a, b)
    assert view.timeline.length == 36  # A's frames, then on at A's rate to B's end
    assert "24 fps" in view.status.text() and "30 fps" in view.status.text()
    for k in (0, 7, 13, 23, 30, 35):
        go_to(qtbot, view, k)
        picture = view.picture()
        expected_b = int(k / 24 * 30 + 1e-6)
        assert picture.a_index == min(k, 23)  # A holds its last frame past its end
        assert picture.b_index == expected_b, k
        assert image_rgb(picture.b) == frames_b[expected_b]
    close(view)


def test_the_wipe_divider_drags(qtbot, clips):
    a, b, _frames_a, _frames_b = clips
    view = open_view(qtbot, a, b)
    view.set_mode("wipe")
    canvas = view.canvas
    rect = canvas.full_rect()
    y = rect.center().y()
    moved: list[float] = []
    canvas.wipe_moved.connect(moved.append)
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, pos=QPoint(canvas.divider_x(), y))
    QTest.mouseMove(canvas, QPoint(rect.x() + rect.width() // 5, y))
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton,
                       pos=QPoint(rect.x() + rect.width() // 5, y))  # fmt: skip
    assert canvas.wipe_fraction == pytest.approx(0.2, abs=0.01)
    assert moved and moved[-1] == canvas.wipe_fraction
    QTest.keyClick(view, Qt.Key.Key_BracketRight)
    assert canvas.wipe_fraction == pytest.approx(0.25, abs=0.01)
    close(view)


def test_a_file_that_is_not_a_video_is_said_plainly(qtbot, clips, tmp_path):
    a, _b, _frames_a, _frames_b = clips
    bad = tmp_path / "notes.mp4"
    bad.write_text("<b>not</b> a video\n" * 20)
    view = CompareView(CompareClip(a, "A"), CompareClip(bad, "B"))
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: "notes.mp4" in view.status.text(), timeout=10000)
    assert "not a video file" in view.status.text()
    assert view.status.textFormat() == Qt.TextFormat.PlainText
    assert not view.header.a_wins_button.isEnabled()
    close(view)


def test_promote_asks_with_the_winner_first(qtbot, clips):
    a, b, _frames_a, _frames_b = clips
    view = open_view(qtbot, a, b, ids=("id-a", "id-b"))
    assert view.header.b_wins_button.isEnabled()
    with qtbot.waitSignal(view.promote_requested) as signal:
        view.header.b_wins_button.click()
    assert signal.args == ["id-b", "id-a"]
    view.show_promoted(a_won=False)
    assert view.status.text() == "B is marked picked and A rejected."
    close(view)
    outside = open_view(qtbot, a, b)  # files outside the library cannot be promoted
    assert not outside.header.a_wins_button.isEnabled()
    close(outside)


# ---- the timeline and the transport, without pictures ----------------------------------------


def test_timeline_extends_at_a_rate_to_the_longer_clip():
    timeline = CompareTimeline([i / 24 for i in range(24)], 24.0, 1.5)
    assert timeline.length == 36 and timeline.a_frames == 24
    assert timeline.a_index(30) == 23 and timeline.a_index(-5) == 0
    assert timeline.time_at(30) == pytest.approx(30 / 24)
    assert timeline.position_at(10 / 24) == 10  # exactly a frame's start: that frame
    assert timeline.position_at(99.0) == 35
    shorter = CompareTimeline([i / 24 for i in range(24)], 24.0, 0.5)
    assert shorter.length == 24
    with pytest.raises(ValueError, match="a_times"):
        CompareTimeline([], 24.0, 1.0)


def test_transport_loops_the_range_by_the_clock(qtbot):
    clock = [100.0]
    transport = CompareTransport(now=lambda: clock[0])
    transport.set_timeline(CompareTimeline([i / 24 for i in range(48)], 24.0, 2.0))
    transport.seek(5)
    transport.set_in()
    transport.set_out(9)
    assert (transport.in_point, transport.out_point) == (5, 9) and transport.has_range()
    wraps: list[None] = []
    transport.wrapped.connect(lambda: wraps.append(None))
    transport.seek(9)
    transport.play()  # at the out point: from the in point
    assert transport.position == 5
    seen = []
    for _ in range(40):
        clock[0] += 1 / 48  # half a frame a tick
        transport.tick()
        seen.append(transport.position)
    assert set(seen) == {5, 6, 7, 8, 9}
    assert len(wraps) >= 3
    transport.step(1)
    assert not transport.is_playing()
    transport.clear_range()
    assert (transport.in_point, transport.out_point) == (0, 47) and not transport.has_range()
    transport.set_out(3)  # before the in point? the in point moves
    transport.set_in(10)
    assert (transport.in_point, transport.out_point) == (10, 10)


def test_side_by_side_pictures_are_made_for_half_the_canvas(qtbot, tmp_path):
    a = write_compare_clip(tmp_path / "big-a.mp4", 0, frames=6, size=(1280, 720))
    b = write_compare_clip(tmp_path / "big-b.mp4", 1, frames=6, size=(1280, 720))
    view = open_view(qtbot, a, b)
    slot = view.canvas.slot_device_size()
    qtbot.waitUntil(lambda: view.picture().a.width() <= slot.width(), timeout=5000)
    assert view.picture().a.height() <= slot.height()
    assert view.picture().a.width() in (slot.width(), slot.width() - 1) or (
        view.picture().a.height() in (slot.height(), slot.height() - 1)
    )  # fitted, so painting copies it
    view.set_mode("wipe")  # the whole canvas: larger pictures, same frame, no seek needed
    full = view.canvas.slot_device_size()
    qtbot.waitUntil(lambda: view.picture().a.width() > slot.width(), timeout=5000)
    assert view.picture().a.width() <= full.width()
    assert view.picture().position == 0
    close(view)


def test_a_deleted_view_stops_its_workers(qtbot, clips):
    a, b, _frames_a, _frames_b = clips
    view = open_view(qtbot, a, b)
    thread = view.feed._thread
    view.deleteLater()
    qtbot.waitUntil(lambda: not thread.is_alive(), timeout=5000)


def test_sound_follows_the_choice_of_clip(qtbot, tmp_path, monkeypatch):
    monkeypatch.delenv("WAN_DESKTOP_NO_MULTIMEDIA")
    from wan_desktop.ui.player import quiet_multimedia_logs

    quiet_multimedia_logs()
    a = write_compare_clip(tmp_path / "a.mp4", 0, frames=24, audio=True)
    b = write_compare_clip(tmp_path / "b.mp4", 1, frames=24, audio=True)
    silent = write_compare_clip(tmp_path / "silent.mp4", 1, frames=24)
    view = open_view(qtbot, a, b)
    if not view.audio.available:
        pytest.skip(view.audio.reason)
    combo = view.header.sound_combo
    qtbot.waitUntil(lambda: view.audio.source == "a", timeout=5000)
    assert combo.currentData() == "a"
    player = view.audio._player
    assert player.source().toLocalFile() == str(a)
    combo.setCurrentIndex(combo.findData("b"))
    assert view.audio.source == "b" and player.source().toLocalFile() == str(b)
    combo.setCurrentIndex(combo.findData("off"))
    assert player.source().isEmpty()
    close(view)
    # A clip without sound cannot be chosen; the other one's sound is the default.
    view = open_view(qtbot, silent, b)
    model = view.header.sound_combo.model()
    assert not model.item(0).isEnabled() and model.item(1).isEnabled()
    assert view.header.sound_combo.currentData() == "b"
    close(view)


def test_long_titles_are_shortened_and_the_facts_are_in_the_tooltips(qtbot, clips):
    a, b, _frames_a, _frames_b = clips
    long = "A very long prompt about a lighthouse " * 10
    view = CompareView(CompareClip(a, long), CompareClip(b, "<b>B</b> take"))
    qtbot.addWidget(view)
    view.resize(900, 520)
    view.show()
    qtbot.waitUntil(lambda: view.picture() is not None, timeout=10000)
    title = view.header.a_title
    assert title.text().startswith("A  A very long") and title.text().endswith("…")
    assert view.minimumSizeHint().width() < 900
    assert "160×90 · 24 fps · 36 frames · 1.50 s" in title.toolTip()
    assert view.header.b_title.text() == "B  <b>B</b> take"  # data: shown as it is
    assert view.header.b_title.textFormat() == Qt.TextFormat.PlainText
    close(view)
