"""Shot lines that no longer fit the duration: the composer warns under the prompt, offers to
rewrite their times, and lists the warning under Generate without blocking it."""

from __future__ import annotations

import itertools

import pytest
from PySide6.QtCore import Qt
from ui_helpers import drop_urls

from wan_desktop.ui.composer import Composer
from wan_desktop.ui.shot_times import rescale_shots, shot_spans, shots_misfit


def test_spans_of_the_forms_people_write():
    text = "A fox.\nShot 1 [0–4s] runs\nshot 2 [4 - 8 s] jumps\nShot 3 [8s-10s] lands\nShot x"
    assert [(s.start_s, s.end_s) for s in shot_spans(text)] == [(0, 4), (4, 8), (8, 10)]


def test_misfit_says_both_lengths():
    text = "Shot 1 [0–3s] a\nShot 2 [3–5s] b"
    assert shots_misfit(text, 5) is None
    assert shots_misfit("no shots here", 10) is None
    longer = shots_misfit(text, 10)
    assert longer is not None and "5 s" in longer and "10 s" in longer
    shorter = shots_misfit("Shot 1 [0–8s] a\nShot 2 [8–15s] b", 5)
    assert shorter is not None and "15 s" in shorter and "cut" in shorter


@pytest.mark.parametrize(
    ("text", "duration", "expected"),
    [
        ("Shot 1 [0–3s] a\nShot 2 [3–5s] b", 10, "Shot 1 [0–6s] a\nShot 2 [6–10s] b"),
        (
            "Intro.\n\nShot 1 [0–4s] x\nShot 2 [4–8s] y\nShot 3 [8–11s] z\nShot 4 [11–15s] w",
            5,
            "Intro.\n\nShot 1 [0–1s] x\nShot 2 [1–3s] y\nShot 3 [3–4s] z\nShot 4 [4–5s] w",
        ),
        # Eight one-second shots into five seconds: whole seconds would merge shots.
        ("\n".join(f"Shot {i + 1} [{i}–{i + 1}s]" for i in range(8)), 5, None),
    ],
)
def test_rescale_keeps_each_share_and_the_words(text, duration, expected):
    rewritten = rescale_shots(text, duration)
    spans = shot_spans(rewritten)
    assert spans[-1].end_s == duration
    assert all(a.end_s == b.start_s for a, b in itertools.pairwise(spans))
    assert all(s.start_s < s.end_s for s in spans)
    if expected is not None:
        assert rewritten == expected
    else:
        assert "Shot 2 [0.6–1.2s]" in rewritten


@pytest.fixture
def composer(qtbot, tasks, paths, good_image):
    widget = Composer(tasks, paths.cache)
    widget.set_ready(None)
    qtbot.addWidget(widget)
    widget.resize(460, 900)
    widget.show()
    drop_urls(widget.drop_zone, [good_image])
    qtbot.waitUntil(lambda: not widget.drop_zone.is_loading(), timeout=10000)
    return widget


def _set_duration(composer, seconds: int) -> None:
    combo = composer.options.duration
    combo.setCurrentIndex(combo.findData(seconds))


def test_changing_the_duration_warns_and_rewrite_fits_the_shots(qtbot, composer):
    _set_duration(composer, 5)
    composer.prompt.set_text("A fox crosses a field.")
    qtbot.mouseClick(composer.prompt.shots_button, Qt.MouseButton.LeftButton)
    warning = composer.prompt.shots_warning
    assert not warning.isVisible()
    assert composer.warnings() == []

    _set_duration(composer, 10)
    assert warning.isVisible()
    assert "10 s" in warning.label.text() and "5 s" in warning.label.text()
    # A warning, not a blocker: Generate works and says what to look at.
    assert composer.generate_button.isEnabled()
    assert composer.warnings() == [warning.message()]
    assert composer.reason.isVisible()
    assert "no longer fit" in composer.reason.text()

    before = composer.prompt.text()
    assert "10 s" in warning.rewrite_button.text()
    qtbot.mouseClick(warning.rewrite_button, Qt.MouseButton.LeftButton)
    assert shot_spans(composer.prompt.text())[-1].end_s == 10
    assert composer.prompt.text().startswith("A fox crosses a field.")
    assert not warning.isVisible()
    assert composer.warnings() == []
    assert not composer.reason.isVisible()
    composer.prompt.edit.undo()  # the rewrite is one undoable edit
    assert composer.prompt.text() == before


def test_the_warning_follows_hand_edits(qtbot, composer):
    _set_duration(composer, 10)
    composer.prompt.set_text("Shot 1 [0–5s] a\nShot 2 [5–10s] b")
    assert composer.warnings() == []
    composer.prompt.set_text("Shot 1 [0–5s] a\nShot 2 [5–12s] b")
    assert composer.warnings() and "12 s" in composer.warnings()[0]
    assert composer.generate_button.isEnabled()
