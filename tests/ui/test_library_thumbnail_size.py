"""The thumbnail-size slider: the cards' least width, the columns filling the row (the arithmetic
without widgets, then the view), the size the window remembers, and a card's seed shown whole
at every size."""

from __future__ import annotations

import time

import pytest
from library_ui_helpers import bulk_rows, shown_pane
from PySide6.QtCore import QRect
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QLabel

from wan_desktop.library import Library
from wan_desktop.ui.grid_layout import GridLayout, fill_width
from wan_desktop.ui.grid_sizing import POSTER_SLACK
from wan_desktop.ui.library_actions import LibraryActions
from wan_desktop.ui.library_delegate import LibraryDelegate, thumb_rect
from wan_desktop.ui.library_pane import LibraryPane
from wan_desktop.ui.library_view import MAX_THUMBNAIL, MIN_THUMBNAIL, SPACING

pytestmark = pytest.mark.timeout(60)


@pytest.mark.parametrize("least", [100, 152, 212, 332])
@pytest.mark.parametrize("spacing", [0, 5, 12])
def test_the_columns_fill_the_width(least, spacing):
    for width in range(0, 2200, 7):
        columns, cell = fill_width(least, spacing, width)
        assert columns >= 1 and cell >= least
        grid = GridLayout(cell, 50, spacing, width)
        assert grid.columns == columns  # the grid agrees on the columns it was sized for
        used = spacing + columns * (cell + spacing)
        if width >= least + 2 * spacing:
            assert used <= width
            assert width - used < columns  # no leftover gap: at most a pixel per column
            assert columns == (width - spacing) // (least + spacing)  # as many as fit
        else:
            assert (columns, cell) == (1, least)  # too narrow: one card of the least width


def test_wider_cards_keep_their_proportions(qapp):
    delegate = LibraryDelegate()
    font = qapp.font()
    for width in (MIN_THUMBNAIL + 12, 212, 400, 800):
        card = delegate.card_size(width, font)
        assert card.width() == width
        thumb = thumb_rect(QRect(0, 0, card.width(), card.height()))
        assert thumb.width() == width - 12
        assert thumb.height() == pytest.approx(thumb.width() * 112 / 200, abs=1)
        lines = delegate.meta_line_count(font, thumb.width()) + 1  # and the title
        assert card.height() >= thumb.bottom() + lines * QFontMetrics(font).height()


@pytest.fixture
def pane(qtbot, tasks, tmp_path):
    lib = Library.open(tmp_path / "lib")
    bulk_rows(lib, 30, start_ms=int(time.time() * 1000) - 3_600_000, prompt="a quiet lake {i}")
    with shown_pane(qtbot, tasks, lib, size=(700, 800)) as p:
        yield p
    lib.close()


def _row_gap(view) -> int:
    """Pixels left over right of the first grid row's last card (past its spacing)."""
    grid = view.grid_layout()
    last = view.visualRect(view.model().index(grid.columns - 1, 0))
    return view.viewport().width() - (last.right() + 1) - SPACING


def test_the_slider_sets_the_cards_and_they_fill_the_row(qtbot, pane):
    view = pane.view
    sizes = []
    pane.thumbnail_size_changed.connect(sizes.append)
    columns = []
    for size in (MIN_THUMBNAIL, 200, MAX_THUMBNAIL):
        pane.thumbnail_slider.setValue(size)
        assert pane.thumbnail_size == size == view.thumbnail_width()
        grid = view.grid_layout()
        columns.append(grid.columns)
        assert grid.cell_width >= size  # at least the chosen size, widened to fill
        assert 0 <= _row_gap(view) <= grid.columns  # no gap at the right
        assert not view.horizontalScrollBar().isVisible()
    assert sizes == [MIN_THUMBNAIL, 200, MAX_THUMBNAIL]
    assert columns[0] > columns[1] >= columns[2] >= 1


def test_the_window_can_restore_the_size(qtbot, pane):
    sizes = []
    pane.thumbnail_size_changed.connect(sizes.append)
    pane.thumbnail_size = 260
    assert pane.thumbnail_slider.value() == 260 == pane.view.thumbnail_width()
    pane.thumbnail_size = 10_000  # a stored value from elsewhere: kept in range
    assert pane.thumbnail_size == MAX_THUMBNAIL
    pane.thumbnail_size = -5
    assert pane.thumbnail_size == MIN_THUMBNAIL
    assert sizes == [260, MAX_THUMBNAIL, MIN_THUMBNAIL]
    assert pane.thumbnail_slider.objectName() == "libraryThumbnailSize"
    assert pane.thumbnail_slider.accessibleName()


@pytest.mark.parametrize("seed", [745410674, 2147483647, 7])
def test_the_seed_is_never_cut_off(qtbot, pane, seed):
    """At the smallest slider size and the widths above it, the card's lines hold
    ``seed N`` whole, and every line fits the card's text width."""
    delegate = pane.view.itemDelegate()
    font = pane.view.font()
    for width in range(MIN_THUMBNAIL, MIN_THUMBNAIL + 200, 3):
        lines = delegate.meta_lines(font, "2026-05-28T22:48:00Z", seed, width)
        assert f"seed {seed}" in " ".join(lines), (width, lines)
        metrics = QFontMetrics(delegate.meta_font(font))
        assert all(metrics.horizontalAdvance(line) <= width for line in lines), (width, lines)
        assert not any("…" in line and "seed" in line for line in lines)
    pane.thumbnail_slider.setValue(MIN_THUMBNAIL)
    text_width = pane.view.grid_layout().cell_width - 2 * 6
    lines = delegate.meta_lines(font, "2026-05-28T22:48:00Z", seed, text_width)
    assert len(lines) == delegate.meta_line_count(font, text_width)


def test_wide_cards_get_posters_decoded_for_their_width(qtbot, tasks, tmp_path):
    from library_ui_helpers import add_entry

    from wan_desktop.ui.library_model import LibraryRole

    lib = Library.open(tmp_path / "posters")
    add_entry(lib, tmp_path / "in", hue=0.3, size=(854, 480))
    actions = LibraryActions()
    pane = LibraryPane(tasks, actions)
    qtbot.addWidget(pane)
    pane.resize(560, 800)
    pane.show()
    with qtbot.waitSignal(pane.model.queryApplied, timeout=5000):
        actions.set_library(lib)
    try:
        index = pane.model.index(0)
        for size in (200, MAX_THUMBNAIL):
            pane.thumbnail_size = size
            thumb = thumb_rect(pane.view.visualRect(index))
            index.data(LibraryRole.Thumbnail)

            want = thumb.width() / POSTER_SLACK

            def sharp(want=want) -> bool:
                image = index.data(LibraryRole.Thumbnail)
                return image is not None and image.width() >= want

            qtbot.waitUntil(sharp, timeout=5000)  # never a small poster blown up
    finally:
        pane.model.loader.cancel_all()
        lib.close()


def test_the_slider_does_not_widen_the_pane(qtbot, pane):
    """The pane must fit a laptop beside the composer: the slider takes no width of its own."""
    with_slider = pane.minimumSizeHint().width()
    slider = pane.thumbnail_slider
    label = next(w for w in pane.filter_bar.findChildren(QLabel) if w.buddy() is slider)
    slider.hide()
    label.hide()
    qtbot.waitUntil(lambda: not slider.isVisible())
    for layout in (pane.filter_bar.layout(), pane.layout()):
        layout.invalidate()
        layout.activate()
    assert pane.minimumSizeHint().width() == with_slider


def test_cards_a_little_wider_keep_the_usual_posters(qtbot, pane):
    """Filling the row widens the usual cards a little: that alone decodes nothing again."""
    pane.thumbnail_size = 200
    grid = pane.view.grid_layout()
    assert 200 < grid.cell_width - 12 <= 200 * POSTER_SLACK
    assert pane.model.thumb_scale == 1
    pane.thumbnail_size = MAX_THUMBNAIL
    assert pane.model.thumb_scale >= 2
