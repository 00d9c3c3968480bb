"""The seams of a played sequence are painted on the player's seek bar: after Play sequence,
the seek bar (given the preview's length, as the media engine reports it) shows one amber
seam mark per join, each where the bar's handle stands when playback reaches that seam, and
no amber between them. Painted without QtMultimedia: the bar is a plain ``MarkedSlider``."""

from __future__ import annotations

from pathlib import Path

import pytest
from library_window import close_player, open_window
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QStyle, QStyleOptionSlider
from sequence_helpers import add_clip
from ui_fakes import FakeServices

from wan_desktop.media.video import probe
from wan_desktop.ui.theme import colors

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def played(qtbot, tasks, paths, lib, tmp_path, monkeypatch):
    """A window that played a sequence of three one-second clips (two seams)."""
    monkeypatch.setenv("WAN_DESKTOP_NO_MULTIMEDIA", "1")  # no sound device here
    a = add_clip(lib, tmp_path, hue=0.55, seconds=1.0, prompt="dawn")
    b = add_clip(lib, tmp_path, hue=0.08, seconds=1.0, parent=a, prompt="noon")
    c = add_clip(lib, tmp_path, hue=0.8, seconds=1.0, parent=b, prompt="dusk")
    win, _pane = open_window(qtbot, tasks, FakeServices(paths), lib)
    link = win.sequence_link
    link.show_dock()
    task = link._spawn(link.sequences.create("Day", [a.id, b.id, c.id]), "create")
    qtbot.waitUntil(task.done, timeout=20000)
    link.sequences.play_button.click()
    qtbot.waitUntil(lambda: win.player.path() is not None, timeout=60000)
    yield win
    close_player(win)


def _handle_x(slider, ms: int) -> float:
    """The centre of the slider's handle when its value is ``ms`` (its playhead then)."""
    slider.setValue(ms)
    option = QStyleOptionSlider()
    slider.initStyleOption(option)
    handle = slider.style().subControlRect(
        QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderHandle, slider
    )
    return handle.x() + handle.width() / 2


def _amber_runs(image: QImage, amber: QColor) -> list[float]:
    """The centres (x, logical pixels) of the runs of amber columns in the bar's middle rows."""
    ratio = image.devicePixelRatio()
    mid = image.height() // 2
    columns = []
    for x in range(image.width()):
        for y in range(mid - round(3 * ratio), mid + round(3 * ratio) + 1):
            c = image.pixelColor(x, y)
            if (abs(c.red() - amber.red()) + abs(c.green() - amber.green())
                    + abs(c.blue() - amber.blue())) < 40:  # fmt: skip
                columns.append(x)
                break
    runs: list[list[int]] = []
    for x in columns:
        if runs and x - runs[-1][-1] <= 1:
            runs[-1].append(x)
        else:
            runs.append([x])
    return [(run[0] + run[-1]) / 2 / ratio for run in runs]


def test_the_seams_are_painted_where_the_playhead_meets_them(played, qtbot):
    win = played
    player = win.player
    marks = player.marks()
    assert [m.kind for m in marks] == ["seam", "seam"]
    # Three 12-frame clips at 12 fps, each continuation from its frame 1: 24 + 22 + 22
    # frames at 24 fps; the seams at 1 s and 46/24 s.
    assert [round(m.seconds * 24) for m in marks] == [24, 46]
    duration_ms = round(probe(Path(player.path())).duration_s * 1000)
    slider = player.seek
    slider.resize(600, slider.height())
    slider.setRange(0, duration_ms)  # what the media engine reports once the file is loaded
    expected = [_handle_x(slider, round(m.seconds * 1000)) for m in marks]
    slider.setValue(0)  # the handle well away from the marks
    image = slider.grab().toImage()
    found = _amber_runs(image, QColor(colors().warning))
    assert len(found) == len(marks), found
    for got, want in zip(found, expected, strict=True):
        assert got == pytest.approx(want, abs=1.5)
    # Placed by time: from the start (the handle's centre at 0) the first seam is 1 s in, the
    # second 22/24 s after it (within the pixels' rounding).
    px_per_s = (found[0] - _handle_x(slider, 0)) / marks[0].seconds
    gap_s = marks[1].seconds - marks[0].seconds
    assert found[1] - found[0] == pytest.approx(px_per_s * gap_s, rel=0.02)
    slider.setValue(0)
    # With the marks cleared (another clip loads) nothing amber is left.
    player.set_marks([])
    assert _amber_runs(slider.grab().toImage(), QColor(colors().warning)) == []
