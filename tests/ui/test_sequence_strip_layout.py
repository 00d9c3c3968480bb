"""The sequence strip's layout maths (``sequence_strip_layout``): cell widths from the zoom,
the fitting zoom and its limits, and what a point is over."""

from __future__ import annotations

from wan_desktop.ui.sequence_strip_layout import (
    CELL_H,
    FIT_RANGE,
    GAP,
    MIN_CELL,
    PAD,
    TOP,
    StripCell,
    cell_rects,
    fit_zoom,
    hit_test,
    insert_index,
    seam_rect,
    timeline_width,
)


def _cells(*seconds: float) -> list[StripCell]:
    return [StripCell(f"e{n}", s, f"clip {n}") for n, s in enumerate(seconds)]


def test_cells_are_as_wide_as_their_seconds_with_a_seam_between() -> None:
    rects = cell_rects(_cells(2.0, 0.1, 3.0), 20.0)
    assert [r.width() for r in rects] == [40, MIN_CELL, 60]  # a sliver stays clickable
    assert rects[0].left() == PAD and rects[0].top() == TOP and rects[0].height() == CELL_H
    assert rects[1].left() == rects[0].right() + 1 + GAP
    assert timeline_width(rects) == rects[2].right() + 1 + PAD
    assert timeline_width([]) == 0


def test_the_fitting_zoom_fills_the_width_within_its_range() -> None:
    cells = _cells(4.0, 6.0)
    px = fit_zoom(cells, 2 * PAD + GAP + 300)
    assert px == 30.0
    assert fit_zoom(cells, 100_000) == FIT_RANGE[1]
    assert fit_zoom(_cells(*[60.0] * 20), 800) == FIT_RANGE[0]  # long: scrolls instead
    assert fit_zoom(_cells(0.0), 800) is None


def test_a_point_is_over_a_seam_a_clip_or_nothing() -> None:
    rects = cell_rects(_cells(2.0, 2.0), 20.0)
    seam = seam_rect(rects, 1)
    assert seam.left() == rects[0].right() + 1 and seam.width() == GAP
    assert hit_test(rects, seam.center().x(), TOP + 10) == ("seam", 1)
    assert hit_test(rects, rects[1].center().x(), TOP + CELL_H + 5) == ("clip", 1)  # caption
    assert hit_test(rects, rects[0].center().x(), 2) is None  # above the cells
    assert hit_test(rects, timeline_width(rects) + 5, TOP + 10) is None


def test_a_drop_goes_before_the_first_cell_whose_middle_is_to_its_right() -> None:
    rects = cell_rects(_cells(2.0, 2.0), 20.0)
    assert insert_index(rects, 0) == 0
    assert insert_index(rects, rects[0].center().x() + 1) == 1
    assert insert_index(rects, rects[1].right()) == 2
    assert insert_index([], 50) == 0
