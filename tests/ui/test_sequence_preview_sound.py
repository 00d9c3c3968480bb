"""The sequence previews play with sound: Play sequence and the seam preview take their pictures
from the silent 360p proxies and their sound from the original clips, so the preview has a
sound track as long as its pictures, crossfaded where the pictures are; the seam preview's
loop plays the rendered file's sound (off with its Sound box), kept on the loop's clock (put
back at each wrap, paused with the loop, silent while hidden), and removes the file when it is
replaced or the editor stops."""

from __future__ import annotations

import math
from pathlib import Path

import av
import msgspec
import pytest
from PySide6.QtGui import QImage
from sequence_helpers import add_clip, open_library, shown_sequence_pane
from wan_testkit import mono_sound, rms

from wan_desktop.media.proxy import proxy_for
from wan_desktop.ui.seam_editor import SeamPreview

pytestmark = pytest.mark.timeout(180)

PER_FRAME = 2000  # samples of 48 kHz sound per frame at 24 fps
TONE_RMS = 0.2 / math.sqrt(2)  # the test clips' tone: 0.2 peak


def lengths_s(path: Path) -> tuple[float, float]:
    """(pictures, sound) lengths of ``path``, seconds."""
    with av.open(str(path)) as container:
        video, audio = container.streams.video[0], container.streams.audio[0]
        return (float(video.duration * video.time_base), float(audio.duration * audio.time_base))


@pytest.fixture
def sounding(tmp_path, tasks, qtbot, monkeypatch):
    """A sounding clip (a tone, 1 s at 12 fps) continued by a silent one, and a pane."""
    monkeypatch.setenv("WAN_DESKTOP_NO_MULTIMEDIA", "1")  # no sound device here
    lib = open_library(tmp_path)
    a = add_clip(lib, tmp_path, hue=0.55, seconds=1.0, audio=True, prompt="surf")
    b = add_clip(lib, tmp_path, hue=0.08, seconds=1.0, parent=a, prompt="calm")
    pane = shown_sequence_pane(qtbot, tasks, lib, tmp_path / "cache")
    yield lib, a, b, pane
    pane.stop_work()
    lib.close()


def _with_fade(pane, run, qtbot, a, b, fade: int):
    opened = run(pane.create("Surf", [a.id, b.id]))
    items = list(opened.sequence.items)
    items[1] = msgspec.structs.replace(items[1], start_frame=0, crossfade_frames=fade)
    task = pane.apply_items(items)
    qtbot.waitUntil(task.done, timeout=30000)
    return items


def test_play_sequence_has_the_clips_sound_crossfaded(sounding, run, qtbot):
    lib, a, b, pane = sounding
    pane.play_file = lambda *_args: None
    _with_fade(pane, run, qtbot, a, b, 12)
    path = run(pane.play_sequence(), timeout=90)
    assert path is not None
    with av.open(str(proxy_for(lib.get(a.id).video_path))) as proxy:
        assert not proxy.streams.audio  # the pictures' source is silent…
    pictures_s, sound_s = lengths_s(path)  # …the preview is not
    assert pictures_s == pytest.approx((24 + 24 - 12) / 24, abs=1e-3)
    assert sound_s == pytest.approx(pictures_s, abs=0.03)
    samples = mono_sound(path)
    # A alone (output frames 0-11): the tone; the fade (12-23): the tone going out; B alone
    # (24-35): silence.
    assert rms(samples[1 * PER_FRAME : 11 * PER_FRAME]) == pytest.approx(TONE_RMS, rel=0.15)
    fade = [rms(samples[(12 + k) * PER_FRAME : (13 + k) * PER_FRAME]) for k in range(12)]
    assert fade[0] > fade[4] > fade[8] > fade[11]
    assert fade[0] == pytest.approx(TONE_RMS * 23.5 / 24, rel=0.2)
    assert fade[11] < TONE_RMS * 0.15
    assert rms(samples[25 * PER_FRAME : 35 * PER_FRAME]) < 0.005


def test_the_seam_preview_plays_its_rendered_sound(sounding, run, qtbot):
    _lib, a, b, pane = sounding
    _with_fade(pane, run, qtbot, a, b, 6)
    pane.strip.select_seam(1)
    editor = pane.seam_editor
    preview = editor.preview
    qtbot.waitUntil(lambda: len(preview.frames()) > 0, timeout=60000)
    first = preview.audio.path
    assert first is not None and first.is_file()  # the sound follows the rendered file
    pictures_s, sound_s = lengths_s(first)
    assert pictures_s == pytest.approx(len(preview.frames()) / 24, abs=1e-3)
    assert sound_s == pytest.approx(pictures_s, abs=0.03)
    window = editor.last_window
    assert window.has_audio and window.crossfade == 6
    samples = mono_sound(first)
    a_frames = round((window.a_end - window.a_start) * 24 / 12)
    before = rms(samples[(a_frames - 10) * PER_FRAME : (a_frames - 7) * PER_FRAME])
    inside = rms(samples[(a_frames - 2) * PER_FRAME : (a_frames - 1) * PER_FRAME])
    after = rms(samples[(a_frames + 2) * PER_FRAME : (a_frames + 8) * PER_FRAME])
    assert before == pytest.approx(TONE_RMS, rel=0.15)
    assert after < 0.005 < inside < before  # faded out over the crossfade, then silent
    # Without a sound device the box says why and cannot be ticked.
    assert not editor.sound_check.isEnabled()
    assert "WAN_DESKTOP_NO_MULTIMEDIA" in editor.sound_check.toolTip()
    # A new setting renders anew: the sound moves to the new file and the old one goes.
    editor.fade_spin.setValue(0)
    qtbot.waitUntil(lambda: preview.audio.path not in (None, first), timeout=60000)
    second = preview.audio.path
    assert second.is_file() and not first.exists()
    editor.stop_work()
    assert not second.exists() and preview.audio.path is None


class _Recorder:
    """Stands in for the preview's ``SheetAudio``: what it was told."""

    problem = None

    def __init__(self) -> None:
        self.path = None
        self.calls: list[tuple] = []

    def follow(self, path, position_s: float, playing: bool) -> None:
        self.path = path
        self.calls.append(("follow", path, round(position_s, 3), playing))

    def sync(self, position_s: float, playing: bool, *, force: bool = False) -> None:
        self.calls.append(("sync", round(position_s, 3), playing, force))


def test_the_loop_leads_its_sound(qtbot, tmp_path):
    preview = SeamPreview()
    qtbot.addWidget(preview)
    preview.audio = audio = _Recorder()
    preview.show()
    qtbot.waitExposed(preview)
    frames = [QImage(32, 18, QImage.Format.Format_RGB888) for _ in range(6)]
    sound = tmp_path / "seam.mp4"
    preview.set_frames(frames, 0.1, sound)
    assert audio.calls[-1] == ("follow", sound, 0.0, True)  # looping: it plays from 0
    # Every frame keeps the sound on the clock; coming round to frame 0 puts it back.
    qtbot.waitUntil(lambda: any(c[0] == "sync" and c[1] == 0.0 and c[3] for c in audio.calls),
                    timeout=5000)  # fmt: skip
    assert all(c[2] for c in audio.calls if c[0] == "sync")  # playing all along
    preview.set_paused(True)
    assert audio.calls[-1][0] == "sync" and audio.calls[-1][2] is False
    preview.show_index(3)  # a step while paused: the sound moves, silent
    assert audio.calls[-1] == ("sync", round(3 / 24, 3), False, False)
    preview.set_paused(False)
    assert audio.calls[-1] == ("sync", round(3 / 24, 3), True, True)  # from the frame shown
    preview.set_sound_on(False)
    assert audio.calls[-1][2] is False
    qtbot.wait(120)
    assert all(not c[2] for c in audio.calls[-3:] if c[0] == "sync")  # the loop goes on, mute
    preview.set_sound_on(True)
    preview.hide()
    assert audio.calls[-1][0] == "sync" and audio.calls[-1][2] is False  # hidden: no sound
    preview.set_message("Rendering the preview …")
    assert audio.calls[-1] == ("follow", None, 0.0, False)
