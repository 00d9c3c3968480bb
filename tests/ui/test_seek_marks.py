"""Marks on the player's seek bar (planned shots, cuts, seams: placed by time, drawn apart,
labelled on hover as plain text, cleared with the clip) and the shot marks of multi-shot
clips: planned starts at once, detected cuts from one worker detection shared by the player
and the details, cached beside the clip, stopped when nobody waits."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

import pytest
from library_ui_helpers import new_entry
from PIL import Image, ImageDraw
from PySide6.QtCore import QEvent, QPoint
from PySide6.QtGui import QColor, QHelpEvent
from PySide6.QtWidgets import QToolTip
from wan_testkit import record_calls, write_clip

from wan_desktop.media import cut_cache
from wan_desktop.media.cuts import CutDetectionCancelled
from wan_desktop.ui import shot_marks
from wan_desktop.ui.details_panel import DetailsPanel
from wan_desktop.ui.seek_marks import Mark, MarkedSlider, marks_description
from wan_desktop.ui.shot_facts import planned_shots, shots_text
from wan_desktop.ui.theme import colors

pytestmark = pytest.mark.timeout(60)
FPS = 24
MULTI = "A lighthouse at night.\n\nShot 1 [0-2s] waves\nShot 2 [2-4s] the lamp\nShot 3 [4-5s] gulls"


# ---- the slider ---------------------------------------------------------------------------


@pytest.fixture
def slider(qtbot):
    widget = MarkedSlider()
    qtbot.addWidget(widget)
    widget.resize(400, 30)
    widget.setRange(0, 5000)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_mark_checks_its_fields():
    with pytest.raises(ValueError, match="kind must be one of seam, planned, cut"):
        Mark(1.0, "chapter", "x")
    with pytest.raises(ValueError, match="seconds must be 0 or more"):
        Mark(-0.5, "cut", "x")
    with pytest.raises(ValueError, match="seconds must be 0 or more"):
        Mark(float("nan"), "cut", "x")


def test_marks_are_placed_by_time(slider):
    marks = [Mark(1.0, "cut", "Cut at 1.0 s"), Mark(2.5, "planned", "Shot 2"),
             Mark(4.0, "seam", "Seam 1"), Mark(9.0, "cut", "past the end")]  # fmt: skip
    slider.set_marks(marks)
    xs = {m.label: slider.mark_x(m) for m in slider.marks()}
    assert xs["past the end"] is None
    assert xs["Cut at 1.0 s"] < xs["Shot 2"] < xs["Seam 1"] < slider.width()
    # The middle of the range is the middle of the handle's travel.
    assert xs["Shot 2"] == pytest.approx(slider.width() / 2, abs=6)
    assert slider.marks_near(xs["Seam 1"] + 3) == [marks[2]]
    assert slider.marks_near(xs["Seam 1"] + 20) == []
    assert slider.accessibleDescription() == ("Marks: Cut at 1.0 s; Shot 2; Seam 1; past the end.")
    slider.setRange(0, 0)  # no clip: nothing is placed
    assert slider.mark_x(marks[0]) is None
    assert marks_description([]) == ""


def _has_colour(image, x: int, rows: range, colour: QColor, tolerance=40) -> bool:
    for y in rows:
        for dx in (-1, 0, 1):
            c = image.pixelColor(x + dx, y)
            if (abs(c.red() - colour.red()) + abs(c.green() - colour.green())
                    + abs(c.blue() - colour.blue())) < tolerance:  # fmt: skip
                return True
    return False


def test_each_kind_is_drawn_in_its_own_place_and_colour(slider):
    before = slider.grab().toImage()
    cut, seam = Mark(1.0, "cut", "c"), Mark(4.0, "seam", "s")
    slider.set_marks([cut, seam])
    after = slider.grab().toImage()
    height = after.height()
    cut_x, seam_x = round(slider.mark_x(cut)), round(slider.mark_x(seam))
    red, amber = QColor(colors().error), QColor(colors().warning)
    # The cut's triangle sits in the lower part; the seam's diamond on the groove.
    assert _has_colour(after, cut_x, range(height // 2 + 3, height), red)
    assert not _has_colour(before, cut_x, range(height // 2 + 3, height), red)
    assert _has_colour(after, seam_x, range(height // 2 - 3, height // 2 + 4), amber)
    assert not _has_colour(after, seam_x, range(height), red)
    slider.set_marks([Mark(2.5, "planned", "p")])
    planned = slider.grab().toImage()
    x = round(slider.mark_x(slider.marks()[0]))
    ink = slider.palette().windowText().color()
    assert _has_colour(planned, x, range(0, height // 2 - 3), ink, tolerance=90)


def test_the_handle_stays_whole_over_a_mark(slider):
    slider.setValue(2500)
    plain = slider.grab().toImage()
    slider.set_marks([Mark(2.5, "cut", "under the handle")])
    marked = slider.grab().toImage()
    _groove, handle = slider._rects()
    centre = handle.center()
    assert _has_colour(marked, centre.x(), range(centre.y(), centre.y() + 1),
                       plain.pixelColor(centre), tolerance=12)  # fmt: skip
    assert not _has_colour(marked, centre.x(), range(handle.top() + 2, handle.bottom() - 1),
                           QColor(colors().error))  # fmt: skip


def test_hovering_a_mark_shows_its_label_as_plain_text(qtbot, slider):
    hostile = '<img src="x"><b>Shot</b> 2'
    marks = [Mark(2.5, "planned", hostile), Mark(2.52, "cut", "Cut found at 2.5 s")]
    slider.set_marks(marks)
    x = slider.mark_x(marks[0])
    at = QPoint(round(x), slider.height() // 2)
    event = QHelpEvent(QEvent.Type.ToolTip, at, slider.mapToGlobal(at))
    slider.event(event)
    qtbot.waitUntil(QToolTip.isVisible, timeout=3000)
    text = QToolTip.text()
    assert "&lt;img" in text and "<img" not in text  # escaped: shown literally
    assert "Cut found at 2.5 s" in text
    away = QPoint(5, slider.height() // 2)
    slider.event(QHelpEvent(QEvent.Type.ToolTip, away, slider.mapToGlobal(away)))
    qtbot.waitUntil(lambda: not QToolTip.isVisible(), timeout=3000)


# ---- the player -----------------------------------------------------------------------------


def test_the_player_clears_marks_with_the_clip(player, clip, qtbot):
    loaded: list[str] = []
    player.clipLoaded.connect(loaded.append)
    player.set_marks([Mark(0.5, "seam", "Seam 1")])
    assert player.seek.marks() == [Mark(0.5, "seam", "Seam 1")]
    player.load(str(clip), autoplay=False)
    assert player.marks() == []
    player.set_marks([Mark(0.5, "cut", "Cut")])
    player.unload()
    assert player.marks() == []
    assert loaded == [str(clip), ""]


# ---- shot marks of multi-shot clips -----------------------------------------------------------


def _scene(seed: int) -> Image.Image:
    image = Image.new("RGB", (320, 180), ((seed * 80) % 256, 90, (255 - seed * 60) % 256))
    draw = ImageDraw.Draw(image)
    for k in range(12):
        x = (k * 53 + seed * 31) % 300
        draw.ellipse([x, 20 + (k * 29) % 120, x + 30, 50 + (k * 29) % 120],
                     fill=((k * 70) % 256, (seed * 90) % 256, 200))  # fmt: skip
    return image


def _shots_clip(path: Path) -> Path:
    """5 s: shot 1 to frame 47, shot 2 from frame 48 (2.0 s), shot 3 from frame 100 (4.17 s)."""
    scenes = [_scene(1), _scene(2), _scene(3)]
    return write_clip(path, lambda i, _n: scenes[0 if i < 48 else 1 if i < 100 else 2],
                      frames=120, fps=FPS)  # fmt: skip


def _add(lib, tmp: Path, prompt: str):
    new = new_entry(tmp / "incoming", prompt=prompt, actual_prompt=prompt)
    clip = _shots_clip(Path(new.video_path))
    return lib.add(dataclasses.replace(new, video_path=clip))


@pytest.fixture
def marks(qtbot, tasks, lib, player):
    details = DetailsPanel()
    qtbot.addWidget(details)
    keeper = shot_marks.ShotMarks(tasks, lambda: lib)
    keeper.watch_player(player)
    keeper.watch_details(details)
    keeper.details = details
    yield keeper
    keeper.cancel_all()


def test_planned_and_found_on_the_seek_bar_and_in_the_details(
    qtbot, marks, player, lib, tmp_path, monkeypatch
):
    calls = record_calls(monkeypatch, shot_marks, "cuts_for")
    entry = _add(lib, tmp_path, MULTI)
    details = marks.details
    details.show_entry(entry)
    assert details.shots.isVisibleTo(details)
    assert details.shots.text() == "Shots: planned 0 · 2 · 4 s; finding the cuts…"
    player.load(str(entry.video_path), autoplay=False)
    player.set_marks([Mark(1.0, "seam", "Seam 1")])  # another kind: left alone
    qtbot.waitUntil(lambda: "cut at" in details.shots.text(), timeout=20000)
    assert details.shots.text() == "Shots: planned 0 · 2 · 4 s; cut at 0 · 2.0 · 4.2 s"
    qtbot.waitUntil(lambda: any(m.kind == "cut" for m in player.marks()), timeout=20000)
    by_kind = {
        k: [m.seconds for m in player.marks() if m.kind == k] for k in ("planned", "cut", "seam")
    }
    assert by_kind["planned"] == [2.0, 4.0]
    assert by_kind["cut"] == pytest.approx([2.0, 100 / FPS], abs=0.01)
    assert by_kind["seam"] == [1.0]
    labels = [m.label for m in player.marks()]
    assert "Shot 2 planned to start at 2 s" in labels and "Cut found at 2.0 s" in labels
    assert calls == [entry.video_path]  # one detection for the player and the details
    assert cut_cache.cache_path(entry.video_path).is_file()
    # Shown again: remembered, no detection.
    details.show_entry(None)
    details.show_entry(entry)
    qtbot.waitUntil(lambda: "cut at" in details.shots.text(), timeout=5000)
    assert len(calls) == 1


def test_a_single_shot_clip_gets_no_marks_and_no_detection(
    qtbot, marks, player, lib, tmp_path, monkeypatch, tasks
):
    calls = record_calls(monkeypatch, shot_marks, "cuts_for")
    entry = _add(lib, tmp_path, "a lighthouse at night, waves below")
    marks.details.show_entry(entry)
    assert not marks.details.shots.isVisibleTo(marks.details)
    player.load(str(entry.video_path), autoplay=False)
    qtbot.waitUntil(lambda: not tasks.pending(), timeout=10000)
    assert player.marks() == [] and calls == []


def test_a_detection_nobody_waits_for_is_stopped(qtbot, marks, player, lib, tmp_path, monkeypatch):
    started, stopped = threading.Event(), threading.Event()

    def slow(path, *, cancel, **_kwargs):
        started.set()
        if cancel.wait(10):
            stopped.set()
            raise CutDetectionCancelled("stopped")
        return []

    monkeypatch.setattr(shot_marks, "cuts_for", slow)
    entry = _add(lib, tmp_path, MULTI)
    player.load(str(entry.video_path), autoplay=False)
    qtbot.waitUntil(started.is_set, timeout=10000)  # the loop runs while the test waits
    assert any(m.kind == "planned" for m in player.marks())
    player.unload()  # the user moved on: nobody waits for these cuts any more
    qtbot.waitUntil(stopped.is_set, timeout=10000)
    qtbot.waitUntil(lambda: player.marks() == [], timeout=5000)


def test_a_new_multi_shot_entry_is_detected_ahead(qtbot, marks, lib, tmp_path, monkeypatch):
    calls = record_calls(monkeypatch, shot_marks, "cuts_for")
    entry = _add(lib, tmp_path, MULTI)
    single = _add(lib, tmp_path, "one shot only")
    for entry_id in (entry.id, single.id):
        task = marks.warm(entry_id)
        qtbot.waitUntil(task.done, timeout=20000)
    assert calls == [entry.video_path]
    assert cut_cache.cache_path(entry.video_path).is_file()


def test_the_shots_line():
    assert shots_text([0, 4, 7], [4.1, 7.0]) == "Shots: planned 0 · 4 · 7 s; cut at 0 · 4.1 · 7.0 s"
    assert shots_text([0, 2.5], None) == "Shots: planned 0 · 2.5 s; finding the cuts…"
    assert shots_text([0, 2.5], []) == "Shots: planned 0 · 2.5 s; no cut found (one shot)"
    assert shots_text([0], None, "damaged").endswith("the cuts could not be found (damaged)")

    class Entry:
        prompt = "no shots here"
        actual_prompt = "Shot 1 [0-3s] a\nShot 2 [3-5s] b"

    assert planned_shots(Entry()) == [0.0, 3.0]
    Entry.actual_prompt = ""
    assert planned_shots(Entry()) is None
