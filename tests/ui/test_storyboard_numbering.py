"""Shot lines typed with a duplicate or out-of-order number (issue 18): the prompt is sent as
typed, so the storyboard names each such line as a check that blocks Generate, and an edit of
any card numbers the lines again."""

from __future__ import annotations

import pytest
from test_storyboard import composer  # noqa: F401  (the fixture: a composer, multi-shot on)

from wan_desktop.core.storyboard import numbering_checks, parse_board

pytestmark = pytest.mark.timeout(60)

SWAPPED = "Shot 2 [0-5s] a fox sniffs\nShot 1 [5-10s] it pounces"
TWICE = "Shot 1 [0-5s] a fox sniffs\nShot 1 [5-10s] it pounces"


def test_numbers_are_read_as_typed_and_checked_in_place():
    board = parse_board(SWAPPED)
    assert board.numbers == (2, 1)
    assert board == parse_board("Shot 1 [0-5s] a fox sniffs\nShot 2 [5-10s] it pounces")
    swapped = numbering_checks(board.numbers)
    assert [c.shots for c in swapped] == [(1,), (2,)]
    assert swapped[0].message.startswith('Shot 1 is written as "Shot 2": number the shot lines')
    (twice,) = numbering_checks(parse_board(TWICE).numbers)
    assert twice.shots == (2,)
    assert twice.message.startswith('Shot 2 is written as "Shot 1" again')
    assert numbering_checks((1, 2, 3)) == []


def test_a_wrong_number_blocks_generate_until_the_cards_renumber(qtbot, composer):  # noqa: F811
    composer.prompt.set_text(SWAPPED)
    problems = composer.storyboard.problems()
    assert len(problems) == 2 and 'Shot 1 is written as "Shot 2"' in problems[0]
    assert not composer.generate_button.isEnabled()
    assert all(card.is_flagged() for card in composer.storyboard.cards)
    composer.storyboard.spread()  # any card edit compiles the lines, numbered in order
    assert composer.prompt.text() == "Shot 1 [0-5s] a fox sniffs\nShot 2 [5-10s] it pounces"
    assert composer.storyboard.problems() == []
    assert composer.generate_button.isEnabled()

    composer.prompt.set_text(TWICE)
    assert any('"Shot 1" again' in p for p in composer.storyboard.problems(with_limit=False))
