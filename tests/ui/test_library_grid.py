"""The library grid (``libraryView``): cell geometry from the row number alone, hit testing,
scrolling to a row, keyboard moves, rubber-band and shift-click selection, paging as the user
scrolls, rows arriving without any re-layout, what each card is painted with, and the
accessible rows."""

from __future__ import annotations

import pytest
from library_ui_helpers import bulk_rows
from PySide6.QtCore import QEvent, QModelIndex, QPoint, QPointF, QRect, Qt
from PySide6.QtGui import QAccessible, QMouseEvent
from PySide6.QtWidgets import QAbstractItemView, QApplication, QStyle

from wan_desktop.ui.grid_layout import GridLayout
from wan_desktop.ui.grid_navigation import moved_row, scroll_target
from wan_desktop.ui.library_delegate import CARD_SIZE, LibraryDelegate
from wan_desktop.ui.library_model import PAGE_SIZE, LibraryModel
from wan_desktop.ui.library_view import SPACING, LibraryView

pytestmark = pytest.mark.timeout(60)
Hint = QAbstractItemView.ScrollHint
CELL_W, CELL_H = CARD_SIZE.width(), CARD_SIZE.height()


# ---- the arithmetic ---------------------------------------------------------------------------


def test_columns_fit_the_width():
    pitch = CELL_W + SPACING
    assert GridLayout(CELL_W, CELL_H, SPACING, 0).columns == 1  # never none
    assert GridLayout(CELL_W, CELL_H, SPACING, SPACING + pitch - 1).columns == 1
    assert GridLayout(CELL_W, CELL_H, SPACING, SPACING + pitch).columns == 1
    assert GridLayout(CELL_W, CELL_H, SPACING, SPACING + 2 * pitch - 1).columns == 1
    assert GridLayout(CELL_W, CELL_H, SPACING, SPACING + 2 * pitch).columns == 2
    assert GridLayout(CELL_W, CELL_H, SPACING, SPACING + 4 * pitch + 50).columns == 4


def test_cells_flow_left_to_right_then_down_and_are_centred():
    grid = GridLayout(100, 50, 10, 10 + 3 * 110 + 20)  # 3 columns, 20 px to spare
    assert grid.columns == 3 and grid.left == 10 + 10  # half the slack on each side
    assert grid.cell(0) == (20, 10, 100, 50)
    assert grid.cell(2) == (20 + 220, 10, 100, 50)
    assert grid.cell(3) == (20, 10 + 60, 100, 50)
    assert grid.position(7) == (1, 2)
    left = GridLayout(100, 50, 10, 10 + 3 * 110 + 20, centred=False)
    assert left.cell(0) == (10, 10, 100, 50)
    assert grid.content_height(0) == 0
    assert grid.content_height(1) == grid.content_height(3) == 10 + 60
    assert grid.content_height(4) == 10 + 2 * 60


def test_row_at_is_the_inverse_of_cell_and_misses_the_gaps():
    grid = GridLayout(100, 50, 10, 500)
    count = 10
    for row in range(count):
        x, y, w, h = grid.cell(row)
        for px, py in ((x, y), (x + w - 1, y + h - 1), (x + w // 2, y + h // 2)):
            assert grid.row_at(px, py, count) == row
    x, y, w, h = grid.cell(0)
    assert grid.row_at(x + w, y, count) == -1  # the spacing to the right
    assert grid.row_at(x, y + h, count) == -1  # the spacing below
    assert grid.row_at(x - 1, y, count) == -1  # the left margin
    assert grid.row_at(*grid.cell(count)[:2], count) == -1  # past the last row


def test_rows_in_a_rectangle_come_from_its_spans():
    grid = GridLayout(100, 50, 10, 10 + 4 * 110)  # 4 columns, no slack
    assert grid.columns == 4 and grid.left == 10
    # Columns 1-2 of grid rows 0-1: two runs of two rows.
    assert grid.rows_in_rect((130, 20, 150, 60), 100) == [(1, 2), (5, 6)]
    # The whole width: one run, however many grid rows.
    assert grid.rows_in_rect((0, 0, 450, 10 + 60 * 20), 100) == [(0, 79)]
    # Only spacing: nothing. Past the last row: clipped.
    assert grid.rows_in_rect((110, 0, 10, 500), 100) == []
    assert grid.rows_in_rect((0, 0, 450, 10_000), 6) == [(0, 5)]
    assert grid.rows_in_rect((240, 0, 200, 200), 6) == [(2, 3)]  # row 6, 7 do not exist
    assert grid.visible_rows(70, 60, 100) == range(4, 8)  # y 70..129: grid row 1 only
    assert grid.visible_rows(70, 61, 100) == range(4, 12)  # y 70..130: grid rows 1 and 2
    assert grid.visible_rows(0, 10, 100) == range(0)  # the top margin


def test_the_row_below_stops_on_the_last_grid_row():
    grid = GridLayout(100, 50, 10, 10 + 3 * 110)  # 3 columns; 10 rows: grid rows 0-2 … 9
    assert grid.row_below(5, 3, 10) == 8
    assert grid.row_below(7, 3, 10) == 9  # no row 10: the last grid row's last card
    assert grid.row_below(6, 3, 10) == 9  # same column on the last grid row
    assert grid.row_below(9, 3, 10) == 9  # already there: stay


def test_the_top_anchor_is_the_first_card_showing_and_how_far_past_its_top():
    grid = GridLayout(100, 50, 10, 10 + 3 * 110)  # grid row 1 spans y 70..119
    assert grid.top_anchor(0, 10) is None and grid.top_anchor(75, 0) is None
    assert grid.top_anchor(75, 10) == (3, 5)
    assert grid.top_anchor(65, 10) == (3, -5)  # in the spacing above it


def test_keys_move_by_card_grid_row_page_and_to_the_ends():
    grid = GridLayout(100, 50, 10, 10 + 3 * 110)  # 3 columns, 60 px a grid row
    Move = QAbstractItemView.CursorAction

    def moved(action, row):
        return moved_row(grid, action, row, 10, 130)  # a page: 2 grid rows, 6 cards

    assert (moved(Move.MoveLeft, 0), moved(Move.MoveRight, 9)) == (0, 9)
    assert (moved(Move.MoveRight, 4), moved(Move.MoveNext, 4), moved(Move.MovePrevious, 4)) == (
        5,
        5,
        3,
    )
    assert (moved(Move.MoveUp, 1), moved(Move.MoveUp, 4), moved(Move.MoveDown, 7)) == (1, 1, 9)
    assert (moved(Move.MovePageDown, 1), moved(Move.MovePageUp, 7)) == (7, 1)
    assert moved(Move.MovePageUp, 4) == 1  # less than a page up: the top grid row
    assert (moved(Move.MoveHome, 5), moved(Move.MoveEnd, 5)) == (0, 9)


def test_scroll_targets_keep_the_spacing_in_view():
    def target(start, length, value, hint=Hint.EnsureVisible):
        return scroll_target(start, length, value, 100, 5, hint)

    assert target(200, 50, 0) == 155  # below: its bottom and spacing at the bottom
    assert target(20, 50, 100) == 15  # above: its top and spacing at the top
    assert target(30, 50, 0) == 0  # already in view: stay
    assert target(200, 200, 0) == 195  # taller than the view: its top
    assert target(200, 50, 0, Hint.PositionAtTop) == 195
    assert target(200, 50, 0, Hint.PositionAtBottom) == 155
    assert target(200, 50, 0, Hint.PositionAtCenter) == 175


# ---- the view ---------------------------------------------------------------------------------


def _open(qtbot, tasks, lib, rows: int, size=(700, 500)) -> LibraryView:
    bulk_rows(lib, rows)
    model = LibraryModel(tasks)
    view = LibraryView(model)
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    with qtbot.waitSignal(model.queryApplied, timeout=5000):
        model.set_library(lib)
    return view


@pytest.fixture
def view(qtbot, tasks, lib):
    v = _open(qtbot, tasks, lib, 60)
    yield v
    v.library_model().loader.cancel_all()


def _index(view, row) -> QModelIndex:
    return view.model().index(row, 0)


def _expected_columns(view) -> int:
    return max(1, (view.viewport().width() - SPACING) // (CELL_W + SPACING))


def test_visual_rect_and_index_at_round_trip(view):
    model = view.model()
    assert view.grid_layout().columns == _expected_columns(view) >= 2
    for row in range(model.rowCount()):
        rect = view.visualRect(_index(view, row))
        grid = view.grid_layout()  # cards at least CARD_SIZE wide, widened to fill the row
        assert (rect.width(), rect.height()) == (grid.cell_width, grid.cell_height)
        assert rect.width() >= CARD_SIZE.width()
        for point in (rect.topLeft(), rect.center(), rect.bottomRight()):
            assert view.indexAt(point).row() == row
    first = view.visualRect(_index(view, 0))
    assert not view.indexAt(first.topRight() + QPoint(2, 0)).isValid()  # the gap
    assert view.visualRect(QModelIndex()) == QRect()


def test_columns_follow_the_width(qtbot, view):
    for width in (300, 480, 700, 1000):
        view.resize(width, 500)
        qtbot.waitUntil(lambda w=width: view.width() == w)
        cols = view.grid_layout().columns
        assert cols == _expected_columns(view)
        first, last_of_row, next_row = (
            view.visualRect(_index(view, r)) for r in (0, cols - 1, cols)
        )
        assert first.top() == last_of_row.top() < next_row.top()
        assert next_row.left() == first.left()
        assert last_of_row.right() < view.viewport().width()


def _top_left(view) -> int:
    """The row of the first card of the top grid row that shows."""
    x = view.grid_layout().left + 1
    for y in range(view.viewport().height()):
        index = view.indexAt(QPoint(x, y))
        if index.isValid():
            return index.row()
    return -1


def test_resize_keeps_the_top_left_card_in_view(qtbot, view):
    cols = view.grid_layout().columns
    view.scrollTo(_index(view, 13 * cols), Hint.PositionAtTop)  # far down
    assert _top_left(view) == 13 * cols
    for width in (330, 1000, 520):  # one column, then four, then two
        anchor = _top_left(view)
        view.resize(width, 500)
        qtbot.waitUntil(lambda w=width: view.width() == w)
        rect = view.visualRect(_index(view, anchor))
        assert view.viewport().rect().contains(rect), width
        assert rect.top() == SPACING, width  # at the top still: the view did not jump


def test_scroll_to_makes_a_far_row_visible(view):
    viewport = view.viewport().rect()
    far = _index(view, 57)
    assert not viewport.intersects(view.visualRect(far))
    view.scrollTo(far)
    assert viewport.contains(view.visualRect(far))
    view.scrollTo(_index(view, 0), Hint.PositionAtTop)
    assert view.verticalScrollBar().value() == 0
    middle = _index(view, 30)
    view.scrollTo(middle, Hint.PositionAtTop)
    assert view.visualRect(middle).top() == SPACING
    view.scrollTo(middle, Hint.PositionAtBottom)
    assert view.visualRect(middle).bottom() == viewport.bottom() - SPACING
    view.scrollTo(middle, Hint.PositionAtCenter)
    assert abs(view.visualRect(middle).center().y() - viewport.center().y()) <= 1
    before = view.verticalScrollBar().value()
    view.scrollTo(middle)  # already visible: no move
    assert view.verticalScrollBar().value() == before


def _key(qtbot, view, key) -> int:
    qtbot.keyClick(view, key)
    return view.currentIndex().row()


def test_keyboard_moves_by_card_grid_row_and_page(qtbot, view):
    cols = view.grid_layout().columns
    count = view.model().rowCount()
    view.setFocus()
    view.setCurrentIndex(_index(view, 0))
    assert _key(qtbot, view, Qt.Key.Key_Right) == 1
    assert _key(qtbot, view, Qt.Key.Key_Down) == 1 + cols
    assert _key(qtbot, view, Qt.Key.Key_Up) == 1
    assert _key(qtbot, view, Qt.Key.Key_Up) == 1  # top grid row: stays
    assert _key(qtbot, view, Qt.Key.Key_Left) == 0
    assert _key(qtbot, view, Qt.Key.Key_Left) == 0
    page = max(1, view.viewport().height() // (CELL_H + SPACING)) * cols
    assert _key(qtbot, view, Qt.Key.Key_PageDown) == page
    assert _key(qtbot, view, Qt.Key.Key_PageUp) == 0
    assert _key(qtbot, view, Qt.Key.Key_End) == count - 1
    assert view.viewport().rect().intersects(view.visualRect(_index(view, count - 1)))
    assert _key(qtbot, view, Qt.Key.Key_Right) == count - 1
    assert _key(qtbot, view, Qt.Key.Key_Home) == 0
    assert view.verticalScrollBar().value() == 0


def test_double_click_and_enter_activate_a_card(qtbot, view):
    activated = []
    view.activated.connect(lambda index: activated.append(index.row()))
    center = view.visualRect(_index(view, 4)).center()
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    for kind, buttons in (  # what a platform delivers for a double click
        (QEvent.Type.MouseButtonPress, left),
        (QEvent.Type.MouseButtonRelease, none),
        (QEvent.Type.MouseButtonDblClick, left),
        (QEvent.Type.MouseButtonRelease, none),
    ):
        _mouse(view, kind, center, buttons)
    assert activated == [4]
    view.setFocus()
    view.setCurrentIndex(_index(view, 2))
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert activated == [4, 2]


def _mouse(view, kind, pos: QPoint, buttons, modifiers=Qt.KeyboardModifier.NoModifier):
    button = Qt.MouseButton.LeftButton if kind != QEvent.Type.MouseMove else Qt.MouseButton.NoButton
    event = QMouseEvent(
        kind,
        QPointF(pos),
        QPointF(view.viewport().mapToGlobal(pos)),
        button,
        buttons,
        modifiers,
    )
    QApplication.sendEvent(view.viewport(), event)


def _selected_rows(view) -> set[int]:
    return {i.row() for i in view.selectionModel().selectedIndexes()}


def test_rubber_band_selects_the_cards_it_touches(qtbot, view):
    left = Qt.MouseButton.LeftButton
    start = view.visualRect(_index(view, 0)).topLeft() - QPoint(2, 2)  # the margin: no card
    assert not view.indexAt(start).isValid()
    end = view.visualRect(_index(view, view.grid_layout().columns + 1)).center()
    _mouse(view, QEvent.Type.MouseButtonPress, start, left)
    _mouse(view, QEvent.Type.MouseMove, (start + end) / 2, left)
    _mouse(view, QEvent.Type.MouseMove, end, left)
    cols = view.grid_layout().columns
    expected = {0, 1, cols, cols + 1}
    assert _selected_rows(view) == expected
    assert view.state() == QAbstractItemView.State.DragSelectingState
    _mouse(view, QEvent.Type.MouseButtonRelease, end, Qt.MouseButton.NoButton)
    assert _selected_rows(view) == expected  # the release keeps the band's pick
    # A click between cards clears it.
    _mouse(view, QEvent.Type.MouseButtonPress, start, left)
    _mouse(view, QEvent.Type.MouseButtonRelease, start, Qt.MouseButton.NoButton)
    assert _selected_rows(view) == set()


def test_rubber_band_scrolls_at_the_edge(qtbot, view):
    left = Qt.MouseButton.LeftButton
    start = view.visualRect(_index(view, 0)).topLeft() - QPoint(2, 2)
    edge = QPoint(view.viewport().width() // 2, view.viewport().height() - 3)
    _mouse(view, QEvent.Type.MouseButtonPress, start, left)
    _mouse(view, QEvent.Type.MouseMove, edge, left)
    before = len(_selected_rows(view))
    bar = view.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.value() > CELL_H + SPACING, timeout=5000)  # Qt speeds up slowly
    assert len(_selected_rows(view)) > before  # the band grew with the scroll
    _mouse(view, QEvent.Type.MouseButtonRelease, edge, Qt.MouseButton.NoButton)
    value = bar.value()
    qtbot.wait(150)
    assert bar.value() == value  # released: no more scrolling


def test_shift_click_selects_the_rectangle_of_cards(qtbot, view):
    cols = view.grid_layout().columns
    first = view.visualRect(_index(view, 1)).center()
    last = view.visualRect(_index(view, 2 * cols + 2)).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=first)
    qtbot.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, last
    )
    expected = {r + g * cols for g in range(3) for r in (1, 2)}
    assert _selected_rows(view) == expected
    assert view.currentIndex().row() == 2 * cols + 2


def test_scrolling_to_the_bottom_fetches_every_page(qtbot, tasks, lib):
    total = 3 * PAGE_SIZE + 40
    view = _open(qtbot, tasks, lib, total)
    model = view.library_model()
    bar = view.verticalScrollBar()
    assert model.rowCount() == PAGE_SIZE
    while model.rowCount() < total:
        rows = model.rowCount()
        bar.setValue(bar.maximum())
        qtbot.waitUntil(lambda r=rows: model.rowCount() > r, timeout=5000)
    assert model.rowCount() == model.total() == total
    grid = view.grid_layout()
    assert bar.maximum() == grid.content_height(total) - view.viewport().height()
    model.loader.cancel_all()


def test_a_page_arriving_moves_no_row(qtbot, tasks, lib):
    view = _open(qtbot, tasks, lib, 2 * PAGE_SIZE)
    model = view.library_model()
    qtbot.waitUntil(view.verticalScrollBar().isVisible)  # Qt shows it on the next turn
    view.scrollTo(_index(view, 50), Hint.PositionAtTop)
    rects = [view.visualRect(_index(view, r)) for r in range(PAGE_SIZE)]
    calls = []
    original = LibraryDelegate.sizeHint

    def counting(delegate, option, index):
        calls.append(index.row())
        return original(delegate, option, index)

    LibraryDelegate.sizeHint = counting
    try:
        with qtbot.waitSignal(model.pageLoaded, timeout=5000):
            if model.canFetchMore():  # else a prefetch is already on its way
                model.fetchMore()
    finally:
        LibraryDelegate.sizeHint = original
    assert model.rowCount() == 2 * PAGE_SIZE
    assert [view.visualRect(_index(view, r)) for r in range(PAGE_SIZE)] == rects
    assert len(calls) <= 2  # the cell size is asked for once per layout, not once per row
    grid = view.grid_layout()
    expected_max = grid.content_height(2 * PAGE_SIZE) - view.viewport().height()
    assert view.verticalScrollBar().maximum() == expected_max
    model.loader.cancel_all()


class _Recorder(LibraryDelegate):
    """Notes each card painted and the state it was painted with."""

    def __init__(self, parent):
        super().__init__(parent)
        self.painted: dict[int, QStyle.StateFlag] = {}

    def paint(self, painter, option, index):
        self.painted[index.row()] = option.state
        super().paint(painter, option, index)


def test_cards_are_painted_with_their_state(qtbot, view):
    recorder = _Recorder(view)
    view.setItemDelegate(recorder)
    view.activateWindow()
    view.setFocus()
    qtbot.waitUntil(view.hasFocus)
    view.selectionModel().select(_index(view, 1), view.selectionModel().SelectionFlag.Select)
    view.selectionModel().setCurrentIndex(
        _index(view, 2), view.selectionModel().SelectionFlag.NoUpdate
    )
    hover = view.visualRect(_index(view, 3)).center()
    _mouse(view, QEvent.Type.MouseMove, hover, Qt.MouseButton.NoButton)
    recorder.painted.clear()
    view.viewport().repaint()
    state = recorder.painted
    visible = {r for r in range(view.model().rowCount()) if view.viewport().rect().intersects(
        view.visualRect(_index(view, r)))}  # fmt: skip
    assert set(state) == visible  # every visible card, and only those
    flag = QStyle.StateFlag
    assert state[1] & flag.State_Selected and not state[0] & flag.State_Selected
    assert state[2] & flag.State_HasFocus and not state[1] & flag.State_HasFocus
    assert state[3] & flag.State_MouseOver
    assert not any(s & flag.State_MouseOver for r, s in state.items() if r != 3)
    assert all(s & flag.State_Enabled for s in state.values())


def test_data_changed_repaints_only_that_visible_card(qtbot, view):
    recorder = _Recorder(view)
    view.setItemDelegate(recorder)
    qtbot.waitUntil(lambda: 0 in recorder.painted)  # the full repaint a new delegate brings
    qtbot.wait(50)
    model = view.model()
    recorder.painted.clear()
    model.dataChanged.emit(_index(view, 59), _index(view, 59), [])  # scrolled away
    qtbot.wait(50)
    assert recorder.painted == {}
    model.dataChanged.emit(_index(view, 1), _index(view, 1), [])
    qtbot.waitUntil(lambda: 1 in recorder.painted)
    assert set(recorder.painted) == {1}


def test_accessible_rows(qtbot, view):
    model = view.model()
    iface = QAccessible.queryAccessibleInterface(view)
    assert iface.role() == QAccessible.Role.List
    assert iface.text(QAccessible.Text.Name) == "Library"
    assert iface.childCount() == model.rowCount()
    child = iface.child(2)
    assert child.role() == QAccessible.Role.ListItem
    assert child.text(QAccessible.Text.Name) == _index(view, 2).data(
        Qt.ItemDataRole.AccessibleTextRole
    )
    rect = view.visualRect(_index(view, 2))
    assert child.rect() == QRect(view.viewport().mapToGlobal(rect.topLeft()), rect.size())
    assert iface.indexOfChild(child) == 2
    assert iface.childAt(child.rect().center().x(), child.rect().center().y()).text(
        QAccessible.Text.Name
    ) == child.text(QAccessible.Text.Name)
    assert not child.state().selected
    view.selectionModel().select(_index(view, 2), view.selectionModel().SelectionFlag.Select)
    assert child.state().selected
    assert iface.child(59).state().offscreen
    assert iface.child(model.rowCount()) is None
    assert len(view.accessible_items()) == 2
    with qtbot.waitSignal(model.queryApplied, timeout=5000):
        model.refresh()  # a reset: the rows' interfaces are released
    assert len(view.accessible_items()) == 0
