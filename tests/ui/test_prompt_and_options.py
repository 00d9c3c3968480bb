"""Prompt counters (code points, warning and error levels), the shot helper, and the options:
defaults from core.limits, multi-shot enablement, the seed controls."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from wan_desktop.core import limits
from wan_desktop.ui.options_panel import OptionsPanel
from wan_desktop.ui.prompt_editor import PromptEditor, counter_level, shot_lines


@pytest.fixture
def prompt(qtbot):
    editor = PromptEditor(
        "Prompt",
        limits.PROMPT_MAX_CHARS,
        edit_name="promptEdit",
        counter_name="promptCounter",
        with_tools=True,
    )
    qtbot.addWidget(editor)
    return editor


def test_counter_follows_typing(qtbot, prompt):
    qtbot.keyClicks(prompt.edit, "hello")
    assert prompt.counter.text() == f"5 / {limits.PROMPT_MAX_CHARS}"
    assert prompt.counter.objectName() == "promptCounter"
    assert prompt.counter.accessibleName()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("👍", 1),
        ("👍🏽", 2),  # emoji + skin-tone modifier: two code points, as the API counts
        ("👨‍👩‍👧", 5),  # ZWJ family: three people, two joiners
        ("e\u0301", 2),  # e + combining acute accent
        ("日本語", 3),
    ],
)
def test_counter_counts_code_points(prompt, text, expected):
    prompt.set_text(text)
    assert prompt.count() == expected
    assert prompt.counter.text().startswith(f"{expected} / ")


def test_counter_levels(prompt):
    limit = limits.PROMPT_MAX_CHARS
    prompt.set_text("a" * (int(limit * 0.9) - 1))
    assert prompt.level() == "ok"
    prompt.set_text("a" * int(limit * 0.9))
    assert prompt.level() == "warning"
    prompt.set_text("a" * limit)
    assert prompt.level() == "warning"
    prompt.set_text("a" * (limit + 1))
    assert prompt.level() == "error"
    assert "remove 1" in prompt.counter.toolTip()
    assert counter_level(0, 500) == "ok"


def test_error_mark_and_clear_on_edit(qtbot, prompt):
    prompt.set_error("Prompt was refused by the content checker.")
    assert prompt.edit.property("invalid") is True
    assert prompt.error.text().startswith("Prompt was refused")
    qtbot.keyClicks(prompt.edit, "x")
    assert not prompt.edit.property("invalid")


@pytest.mark.parametrize(("duration", "shots"), [(5, 2), (10, 3), (15, 4)])
def test_shot_lines_fit_the_duration(duration, shots):
    lines = shot_lines(duration)
    assert len(lines) == shots
    assert lines[0].startswith("Shot 1 [0-")  # the model's own spelling
    assert lines[-1].strip().endswith(f"-{duration}s]")


def test_shot_helper_inserts_lines(qtbot, prompt):
    prompt.set_text("A fox in the snow.")
    prompt.set_duration(15)
    with qtbot.waitSignal(prompt.shotsInserted):
        qtbot.mouseClick(prompt.shots_button, Qt.MouseButton.LeftButton)
    text = prompt.text()
    assert text.startswith("A fox in the snow.\n\nShot 1 [0-4s]")
    assert "Shot 4 [11-15s]" in text


def test_recent_prompts_menu(prompt):
    prompt.set_recent(["first prompt", "second\nprompt"])
    actions = prompt.recent_button.menu().actions()
    assert [a.text() for a in actions] == ["first prompt", "second prompt"]
    actions[1].trigger()
    assert prompt.text() == "second\nprompt"


@pytest.fixture
def options(qtbot):
    panel = OptionsPanel()
    qtbot.addWidget(panel)
    return panel


def test_option_defaults_come_from_limits(options):
    values = options.values()
    assert values["resolution"] == limits.default_of("resolution") == "1080p"
    assert values["duration"] == int(str(limits.default_of("duration"))) == 5
    assert values["enable_prompt_expansion"] is True
    assert values["multi_shots"] is False
    assert values["enable_safety_checker"] is True
    assert values["seed"] is None
    assert options.seed.maximum() == limits.SEED_MAX
    assert [options.resolution.itemData(i) for i in range(options.resolution.count())] == list(
        limits.RESOLUTIONS
    )
    for name in (
        "resolutionCombo",
        "durationCombo",
        "seedSpin",
        "promptExpansionCheck",
        "multiShotsCheck",
        "safetyCheckerCheck",
    ):
        widget = options.findChild(object, name)
        assert widget is not None and widget.accessibleName(), name


def test_multi_shot_needs_expansion(options):
    options.multi_shots.setChecked(True)
    assert options.multi_shots.isEnabled()
    options.expansion.setChecked(False)
    assert not options.multi_shots.isEnabled()
    assert "prompt expansion" in options.multi_shots.toolTip().lower()
    assert options.values()["multi_shots"] is False
    options.expansion.setChecked(True)
    assert options.multi_shots.isEnabled()
    assert options.values()["multi_shots"] is True


def test_seed_random_dice_lock(qtbot, options):
    assert options.values()["seed"] is None and not options.seed.isEnabled()
    qtbot.mouseClick(options.dice, Qt.MouseButton.LeftButton)
    seed = options.values()["seed"]
    assert seed is not None and limits.SEED_MIN <= seed <= limits.SEED_MAX
    # Unlocked: the fixed seed is used once, then back to random.
    options.after_enqueue()
    assert options.values()["seed"] is None
    options.set_seed(42)
    options.lock.setChecked(True)
    options.after_enqueue()
    assert options.values()["seed"] == 42


def test_use_last_seed(qtbot, options):
    options.show()
    options.offer_seed(1234)
    assert options.use_last_seed.isVisible() and "1234" in options.use_last_seed.text()
    qtbot.mouseClick(options.use_last_seed, Qt.MouseButton.LeftButton)
    assert options.values()["seed"] == 1234


def _ink_rows_by_cluster(image) -> list[tuple[int, int]]:
    """(top, bottom) of each horizontal run of columns with ink, left to right."""
    from PySide6.QtGui import QColor

    back = QColor(image.pixel(1, 1))

    def ink(x: int, y: int) -> bool:
        c = QColor(image.pixel(x, y))
        return abs(c.red() - back.red()) + abs(c.green() - back.green()) > 90

    clusters: list[list[int]] = []
    blank = 99
    for x in range(image.width()):
        rows = [y for y in range(image.height()) if ink(x, y)]
        if not rows:
            blank += 1
            continue
        if blank >= 3 or not clusters:
            clusters.append([min(rows), max(rows)])
        else:
            clusters[-1] = [min(clusters[-1][0], min(rows)), max(clusters[-1][1], max(rows))]
        blank = 0
    return [(a, b) for a, b in clusters]


def test_the_recent_arrow_sits_on_the_text_line(qtbot, prompt):
    prompt.set_recent(["first prompt"])
    prompt.show()
    button = prompt.recent_button
    assert button.isEnabled()
    image = button.grab().toImage()
    clusters = _ink_rows_by_cluster(image)
    assert len(clusters) >= 3, clusters  # icon, word(s), arrow
    (arrow_top, arrow_bottom), text = clusters[-1], clusters[1:-1]
    text_top = min(a for a, _ in text)
    text_bottom = max(b for _, b in text)
    arrow_middle = (arrow_top + arrow_bottom) / 2
    text_middle = (text_top + text_bottom) / 2
    assert abs(arrow_middle - text_middle) <= 2, (clusters, image.height())
