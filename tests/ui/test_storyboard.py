"""The storyboard in the composer (multi-shot on): shot cards and the prompt's Shot lines stay in
step both ways without loops or cursor jumps; add, remove, reorder and spread keep the video
covered; the live checks name the shot and the seconds, follow the duration and the live
prompt limit, and block Generate only while multi-shot is on."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QWidget
from test_composer_live import _doc
from ui_helpers import shown_composer

from wan_desktop.core.model_schema import ModelSchema, set_current_schema
from wan_desktop.core.storyboard import Shot, parse, parse_board

pytestmark = pytest.mark.timeout(60)
STORY = (
    "A fox in the snow.\n\n"
    "Shot 1 [0-4s] it sniffs the air\n"
    "Shot 2 [4-7s] it pounces\n"
    "Shot 3 [7-10s] it shakes off the snow"
)


@pytest.fixture
def composer(qtbot, tasks, paths, good_image):
    widget = shown_composer(qtbot, tasks, paths, size=(520, 1000), image=good_image)
    combo = widget.options.duration
    combo.setCurrentIndex(combo.findData(10))
    widget.options.multi_shots.setChecked(True)
    return widget


def _times(board) -> list[tuple[float, float]]:
    return [(s.start_s, s.end_s) for s in board.shots()]


def test_found_by_its_object_name_only_while_multi_shot_is_on(qtbot, composer):
    board = composer.findChild(QWidget, "storyboard")
    assert board is composer.storyboard and board.isVisible()
    composer.options.multi_shots.setChecked(False)
    assert not board.isVisible()
    composer.options.multi_shots.setChecked(True)
    assert board.isVisible()


def test_the_prompt_parses_into_cards(qtbot, composer):
    composer.prompt.set_text(STORY)
    board = composer.storyboard
    assert _times(board) == [(0, 4), (4, 7), (7, 10)]
    assert [c.text_edit.toPlainText() for c in board.cards] == [
        "it sniffs the air",
        "it pounces",
        "it shakes off the snow",
    ]
    assert [c.title.text() for c in board.cards] == ["Shot 1", "Shot 2", "Shot 3"]
    assert board.problems() == [] and board.summary.text() == "3 shots · 10 of 10 s"
    assert composer.generate_button.isEnabled()
    assert not board.cards[0].up_button.isEnabled() and not board.cards[2].down_button.isEnabled()


def test_typing_in_the_prompt_updates_the_cards_without_moving_its_cursor(qtbot, composer):
    composer.prompt.set_text(STORY)
    edit = composer.prompt.edit
    edit.setFocus()
    edit.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(edit, " and runs")
    assert composer.prompt.text() == STORY + " and runs"  # not rewritten by the cards
    assert edit.textCursor().position() == len(STORY) + len(" and runs")
    assert composer.storyboard.cards[2].text_edit.toPlainText() == "it shakes off the snow and runs"
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.keyClicks(edit, "Shot 4 [10-12s] it sleeps")
    board = composer.storyboard
    assert len(board.cards) == 4 and board.cards[3].shot() == Shot(10, 12, "it sleeps")
    assert board.problems() == ["Shot 4 (10–12 s) starts after the 10 s video ends."]


def test_a_card_edit_rewrites_the_prompt_once(qtbot, composer):
    composer.prompt.set_text(STORY)
    board = composer.storyboard
    edits = []
    composer.prompt.textChanged.connect(lambda: edits.append(composer.prompt.text()))
    card = board.cards[1]
    card.text_edit.setFocus()
    card.text_edit.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(card.text_edit, "!")
    assert len(edits) == 1  # one rewrite per keystroke, no echo back into the cards
    assert "Shot 2 [4-7s] it pounces!" in composer.prompt.text()
    assert composer.prompt.text().startswith("A fox in the snow.\n\n")  # the intro kept
    assert card.text_edit.hasFocus()
    assert card.text_edit.textCursor().position() == len("it pounces!")
    card.end.setValue(8)
    card.end.editingFinished.emit()
    assert parse(composer.prompt.text())[1] == Shot(4, 8, "it pounces!")
    assert "Shots 2 and 3 overlap at 7–8 s" in board.problems()[0]
    assert board.cards[1].is_flagged() and board.cards[2].is_flagged()
    assert not board.cards[0].is_flagged()
    composer.prompt.edit.undo()  # each card edit is one undoable edit of the prompt
    assert parse(composer.prompt.text())[1] == Shot(4, 7, "it pounces!")
    assert board.cards[1].shot().end_s == 7 and board.problems() == []


def test_buttons_keep_the_video_covered(qtbot, composer):
    board = composer.storyboard
    composer.prompt.set_text("A fox in the snow.")
    assert board.empty.isVisible() and board.split_button.text() == "Split into 3 shots"
    qtbot.mouseClick(board.split_button, Qt.MouseButton.LeftButton)
    assert _times(board) == [(0, 3), (3, 7), (7, 10)]
    assert not board.empty.isVisible()
    board_text = parse_board(composer.prompt.text())
    assert board_text.intro == "A fox in the snow." and len(board_text.shots) == 3
    for card, words in zip(board.cards, ("sniffs", "pounces", "shakes"), strict=True):
        card.text_edit.setPlainText(words)
    assert board.problems() == []

    qtbot.mouseClick(board.add_button, Qt.MouseButton.LeftButton)
    assert _times(board)[-2:] == [(7, 8.5), (8.5, 10)]
    assert board.cards[3].text_edit.hasFocus()
    assert board.problems() == ["Shot 4 (8.5–10 s) has no words: say what happens in it."]
    qtbot.mouseClick(board.cards[1].remove_button, Qt.MouseButton.LeftButton)
    assert _times(board) == [(0, 7), (7, 8.5), (8.5, 10)]
    qtbot.mouseClick(board.cards[2].up_button, Qt.MouseButton.LeftButton)
    assert [c.text_edit.toPlainText() for c in board.cards] == ["sniffs", "", "shakes"]
    assert _times(board) == [(0, 7), (7, 8.5), (8.5, 10)]
    qtbot.mouseClick(board.spread_button, Qt.MouseButton.LeftButton)
    assert _times(board) == [(0, 3), (3, 7), (7, 10)]
    assert [s.start_s for s in parse(composer.prompt.text())] == [0, 3, 7]


def test_checks_block_generate_and_name_the_shot_and_seconds(qtbot, composer):
    composer.prompt.set_text("Shot 1 [0-4s] a\nShot 2 [5-10s] b")
    gap = "Nothing is planned for 4–5 s, between shot 1 (ends at 4 s) and shot 2 (starts at 5 s)."
    assert composer.storyboard.problems() == [gap]
    assert composer.storyboard.problem_label.isVisible()
    assert not composer.generate_button.isEnabled()
    assert composer.reason.text() == gap
    # Multi-shot off: the lines are words like any other, nothing blocks.
    composer.options.multi_shots.setChecked(False)
    assert composer.generate_button.isEnabled()


def test_the_duration_and_the_fit_link(qtbot, composer):
    composer.prompt.set_text(STORY)
    board = composer.storyboard
    assert not board.fit_button.isVisible()
    combo = composer.options.duration
    combo.setCurrentIndex(combo.findData(15))
    assert board.problems() == [
        "Nothing is planned for 10–15 s: the shots end at 10 s and the video is 15 s long."
    ]
    assert board.fit_button.isVisible() and board.fit_button.text() == "Fit the shots to 15 s"
    qtbot.mouseClick(board.fit_button, Qt.MouseButton.LeftButton)
    assert _times(board) == [(0, 6), (6, 10), (10, 15)]  # whole seconds, each share kept
    assert composer.prompt.text().startswith("A fox in the snow.")
    assert board.problems() == [] and composer.generate_button.isEnabled()


def test_the_live_prompt_limit_holds(qtbot, composer, restore_schema):
    composer.prompt.set_text(STORY)
    length = len(STORY)
    schema = ModelSchema.from_openapi(_doc(prompt_max=length - 5))
    set_current_schema(schema)
    composer.apply_schema(schema)
    found = composer.storyboard.problems()
    assert found == [
        f"With its shot lines the prompt is {length} characters; the limit is {length - 5} "
        "(remove 5)."
    ]
    # Generate says it once, in the prompt's own words.
    assert not composer.generate_button.isEnabled()
    assert composer.problems().count(found[0]) == 0
    assert any(f"the limit is {length - 5}" in p for p in composer.problems())
