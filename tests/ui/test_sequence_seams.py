"""The seam editor on real clips: a continued clip's first frame is dropped and it says so;
the suggested out-point (the frame of A that matches the frame B starts on) is applied with
one click and saved; a crossfade is saved; the looped preview is rendered with those settings
(its length follows the out-point and the crossfade). And Play sequence renders the whole
sequence once (cached by its content) and marks the seams where the clips meet."""

from __future__ import annotations

import pytest
from sequence_helpers import add_grey_clip, open_library, shown_sequence_pane

from wan_desktop.media.video import probe
from wan_desktop.ui.seam_editor import SeamEditor
from wan_desktop.ui.sequence_clips import load_clips, seam_seconds
from wan_desktop.ui.sequence_render import seam_window

pytestmark = pytest.mark.timeout(180)

#: A ramps from black to light grey over 24 frames; B (continued from A) holds the grey of
#: A's frame 15 from its frame 1 on, so A's best out-point for B is frame 15.
RAMP = [10 * i for i in range(24)]
HOLD = [RAMP[-1]] + [RAMP[15]] * 23


@pytest.fixture
def seam(tmp_path, tasks, qtbot):
    lib = open_library(tmp_path)
    a = add_grey_clip(lib, tmp_path, RAMP)
    b = add_grey_clip(lib, tmp_path, HOLD, parent=a)
    pane = shown_sequence_pane(qtbot, tasks, lib, tmp_path / "cache")
    yield lib, a, b, pane
    lib.close()


def _done(qtbot, task, timeout=30000):
    qtbot.waitUntil(task.done, timeout=timeout)
    return task.result()


def test_seam_editor_applies_the_suggestion_and_a_crossfade(seam, run, qtbot):
    lib, a, b, pane = seam
    opened = run(pane.create("Grey", [a.id, b.id]))
    pane.strip.select_seam(1)
    editor: SeamEditor = pane.seam_editor
    assert editor.isVisible() and editor.objectName() == "seamEditor"
    assert editor.start_spin.value() == 1
    assert "dropped" in editor.start_note.text()  # the repeated first frame, said
    _done(qtbot, editor.suggest_task)
    frame, score = editor.suggested()
    assert frame == 15 and score > 0.95
    assert "frame 15" in editor.suggestion.text()
    assert editor.apply_button.isEnabled()
    editor.apply_button.click()
    _done(qtbot, pane.last_save)
    stored = lib.get_sequence(opened.sequence.id)
    assert stored.items[0].end_frame == 16  # frames 0..15 of A
    assert not editor.apply_button.isEnabled()  # in use now
    assert "(in use)" in editor.suggestion.text()
    editor.fade_spin.setValue(6)
    _done(qtbot, pane.last_save)
    stored = lib.get_sequence(opened.sequence.id)
    assert stored.items[1].crossfade_frames == 6
    assert stored.items[1].start_frame == 1
    assert pane.strip.cells()[1].crossfade == 6
    assert pane.strip.cells()[1].tail_frames == 8  # A loses its last 8 frames
    # The preview follows the settings: A's last second up to frame 15 plus the fade's 6,
    # then B's first second, less the 6 frames both show at once.
    qtbot.waitUntil(lambda: editor.preview_task is not None, timeout=2000)
    qtbot.waitUntil(lambda: len(editor.preview.frames()) > 0, timeout=30000)
    clips = load_clips(lib, [a.id, b.id])
    window = seam_window(stored.items[0], clips[a.id], stored.items[1], clips[b.id])
    assert (window.a_start, window.a_end, window.b_start, window.crossfade) == (0, 16, 1, 6)
    assert window.b_end == 24  # a second and the fade would pass B's 24 frames: its end
    expected = (window.a_end - window.a_start) + (window.b_end - window.b_start) - 6
    assert len(editor.preview.frames()) == expected
    # The frame before the fade is A's frame 9 (grey 90); the last is B's hold grey.
    first = editor.preview.frames()[9].pixelColor(40, 40).red()
    last = editor.preview.frames()[-1].pixelColor(40, 40).red()
    assert abs(first - 90) <= 6 and abs(last - 150) <= 6


def test_a_crossfade_longer_than_a_part_is_said_in_the_preview(seam, run, qtbot):
    _lib, a, b, pane = seam
    run(pane.create("Grey", [a.id, b.id]))
    pane.edit_seam(1)
    editor = pane.seam_editor
    editor.end_spin.setValue(0)  # A is one frame long now
    editor.fade_spin.setValue(12)
    qtbot.waitUntil(lambda: editor.preview.message().startswith("No preview"), timeout=30000)
    assert "crossfade_frames is 12" in editor.preview.message()


def test_play_sequence_renders_once_and_marks_the_seams(seam, run, qtbot):
    lib, a, b, pane = seam
    played = []
    pane.play_file = lambda path, title, marks: played.append((path, title, marks))
    opened = run(pane.create("Grey", [a.id, b.id]))
    items = list(opened.sequence.items)
    import msgspec

    items[1] = msgspec.structs.replace(items[1], crossfade_frames=4)
    _done(qtbot, pane.apply_items(items))
    path = run(pane.play_sequence(), timeout=60)
    assert path is not None and path.is_file()
    ((got, title, marks),) = played
    assert got == path and title == "Grey"
    clips = load_clips(lib, [a.id, b.id])
    assert [m.seconds for m in marks] == pytest.approx(seam_seconds(items, clips))
    assert [m.kind for m in marks] == ["seam"]
    assert marks[0].seconds == pytest.approx((24 - 4 + 2) / 24)  # the fade's middle
    info = probe(path)
    assert info.frame_count == 24 + 23 - 4
    assert info.height == 96  # the proxies' size (clips smaller than 360p keep theirs)
    stamp = path.stat().st_mtime_ns
    again = run(pane.play_sequence(), timeout=60)
    assert again == path  # cached by content
    assert path.stat().st_mtime_ns >= stamp
    assert len(played) == 2
