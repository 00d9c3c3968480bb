"""The theme without an application-wide style sheet: label roles from the palette and font,
the few widget style sheets, both re-applied when the scheme changes."""

from __future__ import annotations

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QPushButton

from wan_desktop.ui import theme


def _text_colour(label: QLabel) -> str:
    return label.palette().color(QPalette.ColorRole.WindowText).name()


def test_roles_and_widget_styles_follow_the_scheme(qapp, qtbot, qasync_loop):
    manager = qapp._wan_theme
    assert qapp.styleSheet() == ""  # Qt's style-sheet engine stays off for the other widgets
    muted, heading, plain = QLabel("muted"), QLabel("heading"), QLabel("plain")
    button = QPushButton("Generate")
    for widget in (muted, heading, plain, button):
        qtbot.addWidget(widget)
    theme.set_role(muted, "muted")
    theme.set_role(heading, "heading")
    theme.apply_style(button, "primaryButton")
    try:
        assert _text_colour(muted) == theme.colors().muted == "#6b6f76"
        assert heading.font().bold() and not muted.font().bold()
        assert _text_colour(plain) == qapp.palette().color(QPalette.ColorRole.WindowText).name()
        assert "#5b4bdb" in button.styleSheet()

        manager.force("dark")
        assert theme.is_dark()
        assert _text_colour(muted) == theme.colors().muted == "#9aa0a6"
        assert _text_colour(heading) == "#e8e8ee"  # a heading keeps the palette's text colour
        assert theme.colors().accent in button.styleSheet()

        theme.set_role(muted, "")  # back to plain text: the palette's colour again
        assert _text_colour(muted) == "#e8e8ee"
    finally:
        manager.force("light")
    assert _text_colour(heading) == "#1d1d22"


def test_the_counter_turns_bold_and_red_past_the_limit(qtbot):
    from wan_desktop.ui.prompt_editor import PromptEditor

    editor = PromptEditor("Prompt", 10, edit_name="promptEdit", counter_name="promptCounter")
    qtbot.addWidget(editor)
    editor.edit.setPlainText("short")
    assert _text_colour(editor.counter) == theme.colors().muted
    assert not editor.counter.font().bold()
    editor.edit.setPlainText("x" * 11)
    assert _text_colour(editor.counter) == theme.colors().error
    assert editor.counter.font().bold()
