"""The player: first frame painted at once, playback advancing (at 8×), frames captured by
grab(), transport controls, and a plain message when video playback is unavailable."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSize, Qt

from wan_desktop.ui.player import VideoPlayer, first_frame, format_ms

pytestmark = pytest.mark.timeout(60)


def _mean_brightness(image) -> float:
    small = image.scaled(16, 16)
    total = 0
    for y in range(16):
        for x in range(16):
            c = small.pixelColor(x, y)
            total += c.red() + c.green() + c.blue()
    return total / (16 * 16 * 3)


def test_first_frame_decodes(clip):
    image = first_frame(str(clip))
    assert image is not None and image.width() == 320 and image.height() == 180


def test_first_frame_is_made_at_the_size_shown(clip):
    # Fitted into the canvas (aspect kept, even sides), never enlarged past the frame.
    small = first_frame(str(clip), QSize(100, 100))
    assert small is not None and (small.width(), small.height()) == (100, 56)
    assert _mean_brightness(small) > 20
    big = first_frame(str(clip), QSize(4000, 4000))
    assert big is not None and (big.width(), big.height()) == (320, 180)


def test_the_first_frame_fills_a_shown_canvas_at_its_size(qtbot, player, clip, monkeypatch):
    import wan_desktop.ui.player as player_module

    boxes = []
    real = player_module.first_frame
    monkeypatch.setattr(
        player_module, "first_frame", lambda p, box: boxes.append(box) or real(p, box)
    )
    player.load(str(clip), autoplay=False)
    qtbot.waitUntil(lambda: player.canvas.image() is not None, timeout=5000)
    assert boxes == [player.canvas.device_size()]


def test_loads_shows_first_frame_and_plays(qtbot, player, clip):
    assert player.engine is not None, player.unavailable_reason
    player.load(str(clip), autoplay=False)
    qtbot.waitUntil(lambda: player.canvas.image() is not None, timeout=5000)
    assert player.position_ms() == 0
    player.engine.set_rate(8.0)
    player.engine.set_loop(False)
    player.engine.play()
    qtbot.waitUntil(lambda: player.position_ms() > 800, timeout=10000)
    qtbot.waitUntil(lambda: player.engine.frames_received >= 5, timeout=10000)
    assert player.seek.maximum() > 1500
    assert "/ 0:02.0" in player.time_label.text()
    shot = player.grab().toImage()
    # The canvas paints the frames itself, so grab() sees the picture, not an empty widget.
    assert _mean_brightness(shot) > 20


def test_transport_controls(qtbot, player, clip):
    player.load(str(clip), autoplay=False)
    qtbot.waitUntil(lambda: player.engine.duration_ms() > 0, timeout=5000)
    player.engine.seek_ms(1000)
    qtbot.waitUntil(lambda: player.position_ms() >= 900, timeout=5000)
    before = player.position_ms()
    qtbot.mouseClick(player.forward_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: player.position_ms() > before, timeout=5000)
    qtbot.mouseClick(player.back_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: player.position_ms() <= before, timeout=5000)
    player.loop_button.setChecked(False)
    assert not player.engine.loop()
    player.speed.setCurrentIndex(player.speed.findData(2.0))
    assert player.engine.rate() == 2.0
    player.volume.setValue(30)
    assert abs(player.engine.volume() - 0.3) < 0.01
    with qtbot.waitSignal(player.fullScreenRequested) as signal:
        qtbot.mouseClick(player.full_button, Qt.MouseButton.LeftButton)
    assert signal.args == [True]


def test_space_toggles_play(qtbot, player, clip):
    player.load(str(clip), autoplay=False)
    qtbot.waitUntil(lambda: player.engine.duration_ms() > 0, timeout=5000)
    player.setFocus()
    qtbot.keyClick(player, Qt.Key.Key_Space)
    qtbot.waitUntil(player.engine.is_playing, timeout=5000)
    qtbot.keyClick(player, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: not player.engine.is_playing(), timeout=5000)


def test_says_so_when_playback_is_unavailable(qtbot, tasks, monkeypatch, clip):
    monkeypatch.setenv("WAN_DESKTOP_NO_MULTIMEDIA", "1")
    widget = VideoPlayer(tasks)
    qtbot.addWidget(widget)
    widget.show()
    assert widget.engine is None
    assert "unavailable" in widget.notice.text() or "turned off" in widget.notice.text()
    assert widget.notice.isVisible()
    widget.load(str(clip))  # still shows the first frame
    qtbot.waitUntil(lambda: widget.canvas.image() is not None, timeout=5000)


def test_format_ms():
    assert format_ms(0) == "0:00.0"
    assert format_ms(4_560) == "0:04.5"
    assert format_ms(75_000) == "1:15.0"


def test_engine_starts_on_first_use_with_the_controls_as_set(qtbot, tasks):
    widget = VideoPlayer(tasks)
    qtbot.addWidget(widget)
    assert widget._engine is None  # Qt Multimedia is not started with the widget
    widget.loop_button.setChecked(False)
    widget.mute_button.setChecked(True)
    widget.speed.setCurrentIndex(widget.speed.findData(2.0))
    widget.unload()  # unloading an empty player does not start it either
    assert widget._engine is None
    engine = widget.engine
    assert engine is not None, widget.unavailable_reason
    assert engine is widget.engine  # made once
    assert engine.loop() is False
    assert engine.is_muted()
    assert engine.rate() == 2.0


def test_public_api_for_the_window(qtbot, player, clip):
    player.step_frame(1)  # nothing loaded: nothing happens
    assert not player.is_playing()
    player.load(str(clip), autoplay=False)
    qtbot.waitUntil(lambda: player.engine.duration_ms() > 0, timeout=5000)
    player.seek_ms(1000)
    qtbot.waitUntil(lambda: player.position_ms() >= 900, timeout=5000)
    before = player.position_ms()
    player.step_frame(2)
    qtbot.waitUntil(lambda: player.position_ms() > before, timeout=5000)
    player.step_frame(-2)
    qtbot.waitUntil(lambda: player.position_ms() <= before, timeout=5000)
    player.toggle()
    qtbot.waitUntil(player.is_playing, timeout=5000)
    player.toggle()
    qtbot.waitUntil(lambda: not player.is_playing(), timeout=5000)
    with qtbot.waitSignal(player.fullScreenRequested) as signal:
        player.toggle_full_screen()
    assert signal.args == [True] and player.is_full_screen()
    player.toggle_full_screen()
    assert not player.is_full_screen()


def test_frames_are_converted_off_the_gui_thread_at_the_canvas_size(qtbot, player, tmp_path):
    """``QVideoFrame.toImage`` never runs on the GUI thread, and the frame reaches the canvas
    shrunk to the canvas's own size (painting then copies it unscaled)."""
    import threading

    from PySide6.QtMultimedia import QVideoFrame
    from ui_helpers import make_clip

    clip = make_clip(tmp_path / "wide.mp4", seconds=1.0, size=(1280, 720))
    original = QVideoFrame.toImage
    threads: list[int] = []

    def recording(frame):
        threads.append(threading.get_ident())
        return original(frame)

    QVideoFrame.toImage = recording
    try:
        player.canvas.set_image(None)
        assert player.engine is not None, player.unavailable_reason
        player.engine.set_loop(False)
        player.load(str(clip), autoplay=True)
        qtbot.waitUntil(lambda: player.engine.frames_received >= 10, timeout=10000)
        qtbot.waitUntil(lambda: player.engine.frames_shown >= 3, timeout=10000)
        player.engine.pause()
    finally:
        QVideoFrame.toImage = original
    assert threads, "no frame was converted"
    assert threading.get_ident() not in threads
    image = player.canvas.image()
    box = player.canvas.device_size()
    assert image is not None
    assert box.width() < 1280 and box.height() < 720  # so the picture must shrink
    assert image.width() <= box.width() and image.height() <= box.height()
    assert image.width() >= 0.9 * box.width() or image.height() >= 0.9 * box.height()
    assert _mean_brightness(player.grab().toImage()) > 20
