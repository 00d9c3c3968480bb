"""Tool buttons that show an icon with a short text beside it (GUI thread)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton

from .icons import set_icon
from .naming import named

__all__ = ["text_tool_button"]


def text_tool_button(
    name: str, accessible: str, text: str, icon_name: str, *, auto_raise: bool = False
) -> QToolButton:
    """A named tool button with ``text`` beside the ``icon_name`` icon; ``auto_raise``: flat
    until hovered."""
    button = named(QToolButton(), name, accessible)
    button.setText(text)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    set_icon(button, icon_name)
    button.setAutoRaise(auto_raise)
    return button
