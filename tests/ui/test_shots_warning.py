"""Shot lines that no longer fit the duration while multi-shot is off: the composer warns under
the prompt, offers to rewrite their times, and lists the warning under Generate without
blocking it. With multi-shot on, the storyboard checks the shots instead (test_storyboard)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from ui_helpers import shown_composer

from wan_desktop.core.storyboard import parse


@pytest.fixture
def composer(qtbot, tasks, paths, good_image):
    return shown_composer(qtbot, tasks, paths, image=good_image)


def _set_duration(composer, seconds: int) -> None:
    combo = composer.options.duration
    combo.setCurrentIndex(combo.findData(seconds))


def test_changing_the_duration_warns_and_rewrite_fits_the_shots(qtbot, composer):
    _set_duration(composer, 5)
    composer.prompt.set_text(
        "A fox crosses a field.\n\nShot 1 [0-3s] it runs\nShot 2 [3-5s] it jumps"
    )
    assert not composer.options.multi_shots.isChecked()
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
    assert parse(composer.prompt.text())[-1].end_s == 10
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


def test_with_multi_shot_on_the_storyboard_says_it_instead(qtbot, composer):
    _set_duration(composer, 10)
    composer.prompt.set_text("Shot 1 [0-5s] a\nShot 2 [5-8s] b")
    assert composer.warnings()
    composer.options.multi_shots.setChecked(True)
    warning = composer.prompt.shots_warning
    assert not warning.isVisible() and warning.message() is None
    assert composer.warnings() == []
    assert not composer.generate_button.isEnabled()  # the storyboard's check blocks
    assert "Nothing is planned for 8–10 s" in composer.reason.text()
    composer.options.multi_shots.setChecked(False)
    assert warning.isVisible() and composer.generate_button.isEnabled()
