"""Every reason Generate is unavailable can be read ("+N more" opens the list, by mouse or
keyboard), and the disabled Generate button still looks like a button in both schemes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette, QTextDocument
from PySide6.QtWidgets import QApplication

from wan_desktop.core import limits
from wan_desktop.ui.composer import Composer


@pytest.fixture
def composer(qtbot, tasks, paths):
    widget = Composer(tasks, paths.cache)
    qtbot.addWidget(widget)
    widget.resize(460, 900)
    widget.show()
    return widget


def _three_problems(composer) -> list[str]:
    composer.prompt.set_text("a" * (limits.PROMPT_MAX_CHARS + 1))
    composer.set_ready("Starting the engine …")
    problems = composer.problems()
    assert len(problems) == 3, problems
    return problems


def test_more_opens_every_problem(qtbot, composer):
    problems = _three_problems(composer)
    listing = composer.problem_list
    assert composer.reason.text() == problems[0]
    assert listing.more_button.isVisible()
    assert listing.more_button.text() == "+2 more"
    assert not listing.full_list.isVisible()

    qtbot.mouseClick(listing.more_button, Qt.MouseButton.LeftButton)
    assert listing.full_list.isVisible()
    assert listing.items() == problems
    shown = _plain(listing.full_list.text())
    assert shown.count("•") == len(problems)
    for problem in problems:
        assert problem in shown
    assert not composer.reason.isVisible()  # the list took the first line's place
    assert listing.more_button.text() == "Show less"
    qtbot.mouseClick(listing.more_button, Qt.MouseButton.LeftButton)
    assert not listing.full_list.isVisible()


def test_more_is_reached_and_opened_with_the_keyboard(qtbot, composer):
    _three_problems(composer)
    listing = composer.problem_list
    assert listing.more_button.focusPolicy() & Qt.FocusPolicy.TabFocus
    listing.more_button.setFocus()
    qtbot.keyClick(listing.more_button, Qt.Key.Key_Space)
    assert listing.full_list.isVisible()


def test_the_list_follows_the_problems(qtbot, composer, good_image):
    _three_problems(composer)
    composer.problem_list.set_open(True)
    composer.set_ready(None)
    composer.prompt.set_text("a slow pan")
    assert composer.problems() == [composer.reason.text()]  # only "Add an image" is left
    assert not composer.problem_list.more_button.isVisible()
    assert not composer.problem_list.full_list.isVisible()


def _plain(rich: str) -> str:
    document = QTextDocument()
    document.setHtml(rich)
    return document.toPlainText().replace("\u00a0", " ")


def _colour_at(image, x: int, y: int) -> QColor:
    return QColor(image.pixel(x, y))


def _distance(a: QColor, b: QColor) -> int:
    return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue())


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_disabled_generate_keeps_a_button_shape(qtbot, composer, scheme):
    theme = QApplication.instance()._wan_theme
    theme.force(scheme)
    try:
        button = composer.generate_button
        composer.refresh()
        assert not button.isEnabled()
        image = button.grab().toImage()
        window = QApplication.palette().color(QPalette.ColorRole.Window)
        # A face that stands off the pane, inside the rounded corners and away from the text.
        face = _colour_at(image, 12, image.height() // 2)
        assert _distance(face, window) >= 12, (face.name(), window.name())
        # A border around the face, so the button has an edge.
        edge = _colour_at(image, image.width() // 2, 0)
        assert _distance(edge, face) >= 12, (edge.name(), face.name())
        # The label still stands out from the face.
        middle = image.height() // 2
        ink = max(
            _distance(_colour_at(image, x, y), face)
            for x in range(image.width() // 3, 2 * image.width() // 3)
            for y in range(middle - 4, middle + 4)
        )
        assert ink >= 90, ink
    finally:
        theme.force("light")
