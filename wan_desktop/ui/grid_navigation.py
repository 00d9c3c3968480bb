"""Where the keyboard takes the current card, and where to scroll to show one: the grid view's
answers to Qt's ``moveCursor`` and ``scrollTo``, as plain functions of a :class:`GridLayout`
(GUI thread, no widget needed)."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView

from .grid_layout import GridLayout

__all__ = ["moved_row", "scroll_target"]

Action = QAbstractItemView.CursorAction
Hint = QAbstractItemView.ScrollHint


def moved_row(grid: GridLayout, action: Action, row: int, count: int, page_height: int) -> int:
    """Where ``action`` takes the cursor from ``row`` of ``count``: arrows by card and grid row,
    pages by the grid rows that fit in ``page_height`` pixels, Home/End to the first/last row;
    never off the grid."""
    cols = grid.columns
    page = max(1, page_height // grid.pitch_y) * cols
    if action in (Action.MoveLeft, Action.MovePrevious):
        return max(0, row - 1)
    if action in (Action.MoveRight, Action.MoveNext):
        return min(count - 1, row + 1)
    if action == Action.MoveUp:
        return row - cols if row >= cols else row
    if action == Action.MoveDown:
        return grid.row_below(row, cols, count)
    if action == Action.MovePageUp:
        return row - page if row >= page else row % cols
    if action == Action.MovePageDown:
        return grid.row_below(row, page, count)
    if action == Action.MoveHome:
        return 0
    if action == Action.MoveEnd:
        return count - 1
    return row


def scroll_target(start: int, length: int, value: int, page: int, spacing: int, hint: Hint) -> int:
    """The scroll value that shows pixels ``start .. start + length`` (scrolled to ``value``
    now, ``page`` pixels in view) as ``hint`` asks, keeping ``spacing`` around them in view."""
    lead = start - spacing
    tail = start + length + spacing - page
    if hint == Hint.PositionAtTop:
        return lead
    if hint == Hint.PositionAtBottom:
        return tail
    if hint == Hint.PositionAtCenter:
        return start + length // 2 - page // 2
    if lead < value or length + 2 * spacing > page:
        return lead  # above, or taller than the viewport: show its top
    return max(value, tail)
