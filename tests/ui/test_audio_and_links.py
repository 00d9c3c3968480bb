"""The audio picker (checked like the API, duration and size shown, the note about cutting)
and dropping an image link (fetched over loopback HTTP, saved in the cache)."""

from __future__ import annotations

import http.server
import math
import struct
import threading
import wave
from pathlib import Path

import pytest
from ui_helpers import drop_urls

from wan_desktop.core import limits
from wan_desktop.ui.audio_picker import AudioPicker
from wan_desktop.ui.drop_zone import ImageDropZone


def _wav(path: Path, seconds: float) -> Path:
    rate = 16000
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        frames = b"".join(
            struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate)))
            for i in range(int(rate * seconds))
        )
        out.writeframes(frames)
    return path


@pytest.fixture
def picker(qtbot, tasks):
    widget = AudioPicker(tasks)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_audio_shows_duration_size_and_cut_note(qtbot, picker, tmp_path):
    picker.set_duration(5)
    picker.load(str(_wav(tmp_path / "song.wav", 8.0)))
    qtbot.waitUntil(lambda: not picker.is_loading(), timeout=10000)
    assert picker.problem() is None
    text = picker.label.text()
    assert "song.wav" in text and "8.0 s" in text and "KB" in text
    assert "first 5 s" in picker.note.text() and picker.note.isVisible()
    picker.set_duration(15)
    assert "silent" in picker.note.text()
    assert picker.play_button.isEnabled()
    picker.clear()
    assert picker.path() is None and not picker.note.isVisible()


def test_audio_too_short_names_the_limit(qtbot, picker, tmp_path):
    picker.load(str(_wav(tmp_path / "blip.wav", 1.0)))
    qtbot.waitUntil(lambda: not picker.is_loading(), timeout=10000)
    assert picker.problem() is not None
    assert f"{limits.AUDIO_MIN_S:g}" in picker.problem()


@pytest.fixture
def image_server(good_image):
    folder = good_image.parent

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(folder), **kwargs)

        def log_message(self, *_args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_drop_an_image_link(qtbot, tasks, paths, image_server, good_image):
    zone = ImageDropZone(tasks, paths.cache)
    qtbot.addWidget(zone)
    zone.show()
    drop_urls(zone, [f"{image_server}/{good_image.name}"])
    qtbot.waitUntil(lambda: zone.source() is not None and not zone.is_loading(), timeout=10000)
    assert zone.problem() is None, zone.problem()
    source = Path(zone.source())
    assert source.is_relative_to(paths.cache)
    assert source.read_bytes() == good_image.read_bytes()
