"""The library toolbar's Play and "Continue from the last frame" icons are tinted from the
palette (light ink on the dark bar, dark ink on the light one), like its » button, and follow
a change of scheme."""

from __future__ import annotations

import pytest
from library_ui_helpers import add_entry, shown_pane
from PySide6.QtWidgets import QToolButton

from wan_desktop.library import Library


@pytest.fixture
def pane(qtbot, tasks, tmp_path):
    library = Library.open(tmp_path / "lib")
    add_entry(library, tmp_path / "in", seed=11, prompt="an old lighthouse in a storm")
    with shown_pane(qtbot, tasks, library, size=(900, 760)) as p:
        yield p
    library.close()


def _ink(button: QToolButton) -> float:
    """The mean lightness (0-255) of the opaque pixels of the button's icon."""
    image = button.icon().pixmap(16, 16).toImage()
    values = [
        image.pixelColor(x, y).lightness()
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y).alpha() > 160
    ]
    assert values, "the icon draws nothing"
    return sum(values) / len(values)


@pytest.mark.parametrize("first", ["dark", "light"])
def test_play_and_continue_are_tinted_in_both_schemes(qapp, pane, first):
    manager = qapp._wan_theme
    buttons = [
        pane.toolbar.widgetForAction(action) for action in (pane.play_action, pane.continue_action)
    ]
    try:
        for scheme in (first, "dark" if first == "light" else "light"):
            manager.force(scheme)
            for button in buttons:
                ink = _ink(button)
                assert ink > 170 if scheme == "dark" else ink < 90, (scheme, button.text())
    finally:
        manager.force("light")
