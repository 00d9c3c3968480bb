"""The sequence strip's layout maths: where each cell and seam of a sequence lies on the
timeline, the zoom that fits a sequence to a width, and which cell, seam or gap a point is
over. Pure functions of the cells and the zoom (``QRect`` geometry, no widget), so the strip's
painting and its mouse and drop handling read one set of rules.

Timeline coordinates: x from the strip's left edge before scrolling, y from its top."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRect

__all__ = [
    "CAPTION",
    "CELL_H",
    "DEFAULT_PX_PER_SECOND",
    "FIT_RANGE",
    "GAP",
    "MIN_CELL",
    "PAD",
    "SCROLL_H",
    "TOP",
    "StripCell",
    "cell_rects",
    "fit_zoom",
    "hit_test",
    "insert_index",
    "seam_rect",
    "timeline_width",
]

#: Pixels per second of video before the strip fits itself to its width.
DEFAULT_PX_PER_SECOND = 28
#: The zooms the strip picks from when it fits the sequence to its width, pixels a second:
#: a long sequence scrolls rather than shrink its clips to slivers.
FIT_RANGE = (14.0, 72.0)
MIN_CELL = 18  # a clip of a few frames stays clickable
PAD = 10  # left and right of the first and last cell
GAP = 14  # the seam between two cells
TOP = 22  # above the cells: the crossfades
CELL_H = 64
CAPTION = 20  # below the cells: the titles
SCROLL_H = 12


@dataclass(frozen=True, slots=True)
class StripCell:
    """One clip as the strip draws it: ``seconds`` of it used, its ``title``, the ``poster``
    image's path (``None``: none), and the seam before it: ``head_frames`` of the clip
    dropped at its start, ``crossfade`` frames with the clip before, ``tail_frames`` of the
    clip before cut off at its end. ``missing``: the entry is gone from the library."""

    entry_id: str
    seconds: float
    title: str
    poster: str | None = None
    head_frames: int = 0
    tail_frames: int = 0
    crossfade: int = 0
    missing: bool = False


def fit_zoom(cells: list[StripCell], width: int) -> float | None:
    """The pixels a second that fit ``cells`` with their seams into ``width``, within
    :data:`FIT_RANGE` (``None``: no length to fit)."""
    seconds = sum(cell.seconds for cell in cells)
    if seconds <= 0:
        return None
    room = width - 2 * PAD - GAP * (len(cells) - 1)
    low, high = FIT_RANGE
    return max(low, min(high, room / seconds))


def cell_rects(cells: list[StripCell], px_per_second: float) -> list[QRect]:
    """Each cell's rectangle at ``px_per_second``: as wide as its seconds (at least
    :data:`MIN_CELL`), a seam's :data:`GAP` between two."""
    x = PAD
    rects = []
    for cell in cells:
        width = max(MIN_CELL, round(cell.seconds * px_per_second))
        rects.append(QRect(x, TOP, width, CELL_H))
        x += width + GAP
    return rects


def seam_rect(rects: list[QRect], index: int) -> QRect:
    """The clickable seam before cell ``index`` (1..)."""
    left = rects[index - 1].right() + 1
    return QRect(left, TOP - 6, GAP, CELL_H + 12)


def timeline_width(rects: list[QRect]) -> int:
    """The width of all cells and seams with the padding after the last, pixels."""
    return (rects[-1].right() + 1 + PAD) if rects else 0


def hit_test(rects: list[QRect], x: int, y: int) -> tuple[str, int] | None:
    """What the timeline point (``x``, ``y``) is over: ``("seam", i)`` (checked first: a seam
    is narrow), ``("clip", i)`` (its picture or its caption) or ``None``."""
    for index in range(1, len(rects)):
        if seam_rect(rects, index).contains(x, y):
            return ("seam", index)
    for index, rect in enumerate(rects):
        if rect.left() <= x <= rect.right() and TOP - 6 <= y <= TOP + CELL_H + CAPTION:
            return ("clip", index)
    return None


def insert_index(rects: list[QRect], x: int) -> int:
    """Where a clip dropped at timeline ``x`` goes: before the first cell whose middle is to
    its right (``len(rects)``: at the end)."""
    for index, rect in enumerate(rects):
        if x < rect.center().x():
            return index
    return len(rects)
