"""Stable names for widgets: the ``objectName`` scripts and tests find a control by, and the
accessible name a screen reader says (GUI thread)."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtWidgets import QWidget

__all__ = ["named"]

W = TypeVar("W", bound=QWidget)


def named(widget: W, name: str, accessible: str, tip: str = "") -> W:
    """Give ``widget`` its object name, accessible name and (when ``tip``) tooltip; returns it."""
    widget.setObjectName(name)
    widget.setAccessibleName(accessible)
    if tip:
        widget.setToolTip(tip)
    return widget
