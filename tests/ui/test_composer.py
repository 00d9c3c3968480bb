"""Generate is disabled with its reason (tooltip and the line under it) for each invalid state,
and enabled once everything is valid."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from ui_helpers import load_picture, shown_composer

from wan_desktop.core import limits


@pytest.fixture
def composer(qtbot, tasks, paths):
    return shown_composer(qtbot, tasks, paths)


def _disabled_because(composer, words: str) -> None:
    composer.refresh()
    assert not composer.generate_button.isEnabled()
    assert words in composer.reason.text(), composer.reason.text()
    assert composer.reason.isVisible()
    assert words in composer.generate_button.toolTip()


def test_no_image(composer):
    composer.prompt.set_text("a slow pan")
    _disabled_because(composer, "Add an image")


def test_blank_prompt(qtbot, composer, good_image):
    load_picture(qtbot, composer, good_image)
    composer.prompt.set_text("   ")
    _disabled_because(composer, "Prompt is required")


def test_prompt_over_the_limit(qtbot, composer, good_image):
    load_picture(qtbot, composer, good_image)
    composer.prompt.set_text("a" * (limits.PROMPT_MAX_CHARS + 1))
    _disabled_because(composer, f"the limit is {limits.PROMPT_MAX_CHARS}")
    over = limits.PROMPT_MAX_CHARS + 1
    assert composer.prompt.counter.text() == f"{over} / {limits.PROMPT_MAX_CHARS}"


def test_image_too_small(qtbot, composer, small_image):
    composer.prompt.set_text("a slow pan")
    load_picture(qtbot, composer, small_image)
    _disabled_because(composer, str(limits.IMAGE_MIN_SIDE_PX))


def test_negative_prompt_over_the_limit(qtbot, composer, good_image):
    load_picture(qtbot, composer, good_image)
    composer.prompt.set_text("a slow pan")
    composer.negative.set_text("n" * (limits.NEGATIVE_PROMPT_MAX_CHARS + 1))
    _disabled_because(composer, f"the limit is {limits.NEGATIVE_PROMPT_MAX_CHARS}")
    assert composer.negative.level() == "error"


def test_engine_not_ready(qtbot, composer, good_image):
    load_picture(qtbot, composer, good_image)
    composer.prompt.set_text("a slow pan")
    composer.set_ready("Starting the engine …")
    _disabled_because(composer, "Starting the engine")


def test_valid_form_generates_the_request(qtbot, composer, good_image):
    load_picture(qtbot, composer, good_image)
    qtbot.keyClicks(composer.prompt.edit, "Waves roll in ")
    # QTest cannot type characters outside the BMP (it aborts): insert the emoji instead.
    composer.prompt.edit.insertPlainText("🌊")
    composer.options.duration.setCurrentIndex(composer.options.duration.findData(10))
    assert composer.generate_button.isEnabled()
    assert composer.reason_text() == ""
    assert not composer.reason.isVisible()
    with qtbot.waitSignal(composer.generateRequested) as signal:
        qtbot.mouseClick(composer.generate_button, Qt.MouseButton.LeftButton)
    request = signal.args[0]
    assert request.prompt == "Waves roll in 🌊"
    assert request.image == str(good_image)
    assert request.duration == 10 and request.resolution == "1080p" and request.seed is None


def test_cost_follows_the_options(composer):
    assert composer.cost.estimate_text() == "$0.38 · 5 s · 1080p"
    composer.options.resolution.setCurrentIndex(composer.options.resolution.findData("720p"))
    composer.options.duration.setCurrentIndex(composer.options.duration.findData(15))
    assert composer.cost.estimate_text() == "$0.75 · 15 s · 720p"
    composer.cost.set_today_total(1.125)
    assert "today\u00a0$1.13" in composer.cost.text()  # wrapped as one


def test_shots_button_turns_on_multi_shot(qtbot, composer):
    composer.options.expansion.setChecked(False)
    qtbot.mouseClick(composer.prompt.shots_button, Qt.MouseButton.LeftButton)
    assert composer.options.values()["multi_shots"] is True
    assert composer.prompt.text().startswith("Shot 1 [0-3s]")
    before = composer.prompt.text()
    qtbot.mouseClick(composer.prompt.shots_button, Qt.MouseButton.LeftButton)
    assert composer.prompt.text() == before  # no second, overlapping set of shots
