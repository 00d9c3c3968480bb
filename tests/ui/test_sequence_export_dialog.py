"""Exporting a sequence through its dialog: the MP4 (and the .otio when asked) with the
expected length, the folder shown when done; Cancel leaves nothing; a sequence that cannot be
exported says which clip and which limit; a bad destination is refused before any work."""

from __future__ import annotations

import msgspec
import pytest
from sequence_helpers import add_clip, open_library

from wan_desktop.media.video import probe
from wan_desktop.ui.sequence_export_dialog import SequenceExportDialog, default_export_path

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def film(tmp_path):
    """A sequence of A (1 s at 12 fps) → B (2 s, continued from A), crossfade 6."""
    lib = open_library(tmp_path)
    a = add_clip(lib, tmp_path, hue=0.55, seconds=1.0, audio=True)
    b = add_clip(lib, tmp_path, hue=0.1, seconds=2.0, parent=a)
    sequence = lib.new_sequence("Harbour / dusk", [a.id, b.id])
    items = list(sequence.items)
    items[1] = msgspec.structs.replace(items[1], crossfade_frames=6)
    sequence = lib.save_sequence(msgspec.structs.replace(sequence, items=items))
    yield lib, sequence
    lib.close()


def _dialog(qtbot, tasks, lib, sequence, dest):
    dialog = SequenceExportDialog(lib, sequence, tasks, dest, "2 clips · 0:03")
    qtbot.addWidget(dialog)
    opened = []
    dialog.open_url = lambda url: opened.append(url.toLocalFile()) or True
    dialog.opened = opened
    dialog.show()
    return dialog


def test_export_writes_the_film_and_the_timeline_and_shows_the_folder(film, tasks, qtbot,
                                                                      tmp_path):  # fmt: skip
    lib, sequence = film
    out = tmp_path / "out"
    out.mkdir()
    dest = default_export_path(out, sequence.name)
    assert dest.name == "Harbour _ dusk.mp4"
    dialog = _dialog(qtbot, tasks, lib, sequence, dest)
    assert not dialog.reveal_button.isVisible()  # nothing to show yet
    assert default_export_path(out, "Chain: dawn").name == "Chain - dawn.mp4"
    dialog.otio_check.setChecked(True)
    dialog.export_button.click()
    assert dialog.is_running() and not dialog.export_button.isEnabled()
    qtbot.waitUntil(dialog.task.done, timeout=60000)
    assert dialog.exported == dest and dest.is_file()
    assert dest.with_suffix(".otio").is_file()
    info = probe(dest)
    # A: 12 frames at 12 fps = 24 output frames; B from frame 1: 23 frames = 46; less 6.
    assert info.frame_count == 24 + 46 - 6
    assert info.duration_s == pytest.approx(64 / 24, abs=0.05)
    assert info.has_audio
    assert dialog.opened == [str(out)]
    assert "Exported Harbour _ dusk.mp4 and Harbour _ dusk.otio" in dialog.message.text()
    assert dialog.reveal_button.isVisible() and dialog.cancel_button.text() == "Close"
    assert sorted(p.name for p in out.iterdir()) == ["Harbour _ dusk.mp4", "Harbour _ dusk.otio"]


def test_cancel_leaves_nothing(film, tasks, qtbot, tmp_path):
    lib, sequence = film
    out = tmp_path / "out"
    out.mkdir()
    dialog = _dialog(qtbot, tasks, lib, sequence, out / "film.mp4")
    dialog.otio_check.setChecked(True)
    progressed = []
    dialog.progressed.connect(lambda done, total: progressed.append(done))
    task = dialog.start()
    dialog.cancel_button.click()  # Cancel while running: stops, then closes
    qtbot.waitUntil(task.done, timeout=60000)
    assert "nothing was written" in dialog.message.text()
    assert list(out.iterdir()) == []
    assert dialog.exported is None and dialog.opened == []
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=2000)


def test_a_sequence_that_cannot_be_exported_says_why(film, tasks, qtbot, tmp_path):
    lib, sequence = film
    items = list(sequence.items)
    items[0] = msgspec.structs.replace(items[0], end_frame=500)
    broken = msgspec.structs.replace(sequence, items=items)
    dialog = _dialog(qtbot, tasks, lib, broken, tmp_path / "film.mp4")
    task = dialog.start()
    qtbot.waitUntil(task.done, timeout=60000)
    text = dialog.message.text()
    assert text.startswith("The export failed: clip 1: end_frame is 500")
    assert "12 frames" in text
    assert not (tmp_path / "film.mp4").exists()
    assert dialog.export_button.isEnabled()  # try again after a fix


def test_a_bad_destination_is_refused_before_any_work(film, tasks, qtbot, tmp_path):
    lib, sequence = film
    dialog = _dialog(qtbot, tasks, lib, sequence, tmp_path / "nowhere" / "film.mp4")
    assert dialog.start() is None
    assert "nowhere" in dialog.message.text() and "does not exist" in dialog.message.text()
    dialog.path_edit.setText("  ")
    assert dialog.start() is None
    assert "Save as is empty" in dialog.message.text()
    dialog.path_edit.setText(str(tmp_path / "film"))
    assert dialog.destination() == tmp_path / "film.mp4"
