"""``libraryView``: the grid of clips over :class:`LibraryModel`, cards painted by
:class:`LibraryDelegate`; hovering a card scrubs through its clip; clips drag out as file URLs
and MP4 files dropped in are imported.

A ``QAbstractItemView`` with its own grid geometry rather than a ``QListView`` in icon mode:
every card has the same size, so a row's place follows from its number (:class:`GridLayout`).
``QListView`` lays out all its rows again whenever a page of rows arrives (~56 ms at 10,000
rows, a visible stall while scrolling); here rows arriving only change the scrollbar's range.

The view's behaviours each live in their own module: hovering and scrubbing
(:class:`HoverScrubMixin`), the rubber band (:class:`RubberBandMixin`), dropped videos
(:class:`VideoDropMixin`), what an empty grid says (:class:`EmptyStateMixin`) and how big
the cards are (:class:`GridSizingMixin`) are mixins; where keys move the cursor and where
``scrollTo`` scrolls are plain functions (``grid_navigation``).
"""

from __future__ import annotations

from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QAccessible, QPainter, QPalette, QRegion
from PySide6.QtWidgets import QAbstractItemView, QStyle, QStyleOptionViewItem, QWidget

from .grid_accessible import AccessibleItems, GridAccessible, notify
from .grid_band import RubberBandMixin
from .grid_drops import VIDEO_SUFFIXES, VideoDropMixin, video_paths_in
from .grid_layout import GridLayout
from .grid_navigation import moved_row, scroll_target
from .grid_sizing import MAX_THUMBNAIL, MIN_THUMBNAIL, GridSizingMixin
from .library_delegate import CARD_SIZE, LibraryDelegate
from .library_empty import EmptyStateMixin
from .library_model import LibraryModel, LibraryRole
from .library_scrub import HoverScrubMixin

__all__ = ["MAX_THUMBNAIL", "MIN_THUMBNAIL", "VIDEO_SUFFIXES", "LibraryView", "video_paths_in"]

SPACING = 5
SCROLL_STEP = 24  # px per scrollbar step (a wheel notch is three)
_Action = QAbstractItemView.CursorAction
_Hint = QAbstractItemView.ScrollHint
_State = QStyle.StateFlag


class LibraryView(
    HoverScrubMixin,
    RubberBandMixin,
    VideoDropMixin,
    EmptyStateMixin,
    GridSizingMixin,
    QAbstractItemView,
):
    """The grid. ``importRequested(paths)`` when video files are dropped on it; the context
    menu comes through ``customContextMenuRequested``, double-click or Enter ``activated``.

    Cards at least :meth:`thumbnail_width` wide flow left to right in as many columns as fit,
    widened to fill the row. Arrows move by card and by grid row, Page Up/Down by a
    viewport, Home/End to the ends; a rubber band (dragged from between cards) or a
    shift-click selects the cards of the rectangle. Only the cards on screen are ever painted
    or looked at. A model given without a Qt parent becomes the view's child (deleted with it).
    """

    importRequested = Signal(list)

    def __init__(self, model: LibraryModel, parent: QWidget | None = None):
        super().__init__(parent)
        self._spacing = SPACING
        self._centred = True
        self._init_sizing()
        self._grid = GridLayout(CARD_SIZE.width(), CARD_SIZE.height(), SPACING, 0)
        self._init_hover()
        self._init_band()
        self._init_drops()
        self._init_empty()
        self._a11y_items = AccessibleItems()
        self.destroyed.connect(self._a11y_items.clear)
        _install_accessible_factory()
        self.setObjectName("libraryView")
        self.setAccessibleName("Library")
        self.setAccessibleDescription("Your clips; hover to scrub, double-click to play")
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setMouseTracking(True)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)  # Qt delivers drags to widgets that accept drops
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.setDropIndicatorShown(False)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.setItemDelegate(LibraryDelegate(self))
        if model.parent() is None:
            # A model nobody owns would be deleted by Python's garbage collector, on whichever
            # thread it runs (the proxy maker's, seen in tests): its timers then stay
            # registered with the GUI thread and the next one to fire crashes Qt. Owned by
            # the view, it goes with the view, on the GUI thread.
            model.setParent(self)
        self.setModel(model)

    def library_model(self) -> LibraryModel:
        """The model shown (the one given at construction)."""
        return self.model()  # type: ignore[return-value]

    def showEvent(self, event) -> None:  # Qt override
        self.library_model().device_pixel_ratio = self.devicePixelRatioF()
        super().showEvent(event)

    def sizeHint(self) -> QSize:  # Qt override
        return QSize(460, 420)

    # ---- grid ---------------------------------------------------------------------------------

    def spacing(self) -> int:
        """Pixels between cards and around the grid."""
        return self._spacing

    def setSpacing(self, spacing: int) -> None:
        """Change the gap between cards (re-flows the grid)."""
        self._spacing = max(0, int(spacing))
        self.updateGeometries()
        self.viewport().update()

    def grid_layout(self) -> GridLayout:
        """The geometry in use (cell size, columns) for the current viewport width."""
        return self._grid

    def _row_count(self) -> int:
        model = self.model()
        return model.rowCount(self.rootIndex()) if model is not None else 0

    def _index(self, row: int) -> QModelIndex:
        return self.model().index(row, 0, self.rootIndex())

    def _cell_rect(self, row: int) -> QRect:
        """``row``'s card in viewport coordinates."""
        x, y, w, h = self._grid.cell(row)
        return QRect(x - self.horizontalOffset(), y - self.verticalOffset(), w, h)

    def _visible_rows(self, rect: QRect | None = None) -> range:
        """Rows whose cards meet ``rect`` (viewport coordinates; default the whole viewport)."""
        rect = self.viewport().rect() if rect is None else rect
        return self._grid.visible_rows(
            rect.top() + self.verticalOffset(), rect.height(), self._row_count()
        )

    # ---- QAbstractItemView: geometry ----------------------------------------------------------

    def visualRect(self, index: QModelIndex) -> QRect:  # Qt override
        if not index.isValid() or index.column() != 0 or index.parent() != self.rootIndex():
            return QRect()
        return self._cell_rect(index.row())

    def indexAt(self, point: QPoint) -> QModelIndex:  # Qt override
        row = self._grid.row_at(
            point.x() + self.horizontalOffset(),
            point.y() + self.verticalOffset(),
            self._row_count(),
        )
        return self._index(row) if row >= 0 else QModelIndex()

    def horizontalOffset(self) -> int:  # Qt override
        return self.horizontalScrollBar().value()

    def verticalOffset(self) -> int:  # Qt override
        return self.verticalScrollBar().value()

    def isIndexHidden(self, _index: QModelIndex) -> bool:  # Qt override
        return False  # every row has a card

    def scrollTo(
        self, index: QModelIndex, hint: _Hint = _Hint.EnsureVisible
    ) -> None:  # Qt override
        """Scroll so ``index``'s card shows as ``hint`` asks (its spacing too)."""
        if not index.isValid():
            return
        x, y, w, h = self._grid.cell(index.row())
        bar = self.verticalScrollBar()
        bar.setValue(
            scroll_target(y, h, bar.value(), self.viewport().height(), self._spacing, hint)
        )
        hbar = self.horizontalScrollBar()
        if hbar.maximum() > 0:  # narrower than one card: top/bottom mean nothing sideways
            hint_x = _Hint.EnsureVisible if hint != _Hint.PositionAtCenter else hint
            page = self.viewport().width()
            hbar.setValue(scroll_target(x, w, hbar.value(), page, self._spacing, hint_x))

    def moveCursor(self, action: _Action, _modifiers) -> QModelIndex:  # Qt override
        """Where a key takes the current card (Qt then selects and scrolls to it)."""
        count = self._row_count()
        if count == 0:
            return QModelIndex()
        current = self.currentIndex()
        if not current.isValid():
            return self._index(0)
        height = self.viewport().height()
        return self._index(moved_row(self._grid, action, current.row(), count, height))

    def setSelection(
        self, rect: QRect, command: QItemSelectionModel.SelectionFlag
    ) -> None:  # Qt override
        """Select the rows whose cards meet ``rect`` (a rubber band, a shift-click): from the
        rectangle's column and grid-row span, never a walk over every row."""
        selection = QItemSelection()
        model = self.model()
        for first, last in self._grid.rows_in_rect(self._content_rect(rect), self._row_count()):
            selection.select(
                model.index(first, 0, self.rootIndex()), model.index(last, 0, self.rootIndex())
            )
        self.selectionModel().select(selection, command)

    def _content_rect(self, rect: QRect) -> tuple[int, int, int, int]:
        """``rect`` (viewport coordinates, either corner first) as content ``(x, y, w, h)``."""
        left, right = sorted((rect.left(), rect.right()))
        top, bottom = sorted((rect.top(), rect.bottom()))
        return (
            left + self.horizontalOffset(),
            top + self.verticalOffset(),
            right - left + 1,
            bottom - top + 1,
        )

    def visualRegionForSelection(self, selection: QItemSelection) -> QRegion:  # Qt override
        """The visible cards of ``selection`` (rows scrolled away need no repaint)."""
        region = QRegion()
        visible = self._visible_rows()
        if not visible:
            return region
        for span in selection:
            if span.parent() != self.rootIndex():
                continue
            for row in range(max(span.top(), visible.start), min(span.bottom(), visible[-1]) + 1):
                region += self._cell_rect(row)
        return region

    def selectedIndexes(self) -> list[QModelIndex]:  # Qt override
        selection = self.selectionModel()
        return selection.selectedIndexes() if selection is not None else []  # nothing is hidden

    def updateGeometries(self) -> None:  # Qt override
        """Scrollbar ranges and steps from the row count: O(1), no per-row layout."""
        self._relayout()
        viewport = self.viewport().size()
        count = self._row_count()
        vbar = self.verticalScrollBar()
        least = 1 if self._needs_bar else 0  # keep the bar this area needs (see _relayout)
        vbar.setRange(0, max(least, self._grid.content_height(count) - viewport.height()))
        vbar.setPageStep(viewport.height())
        vbar.setSingleStep(SCROLL_STEP)
        hbar = self.horizontalScrollBar()
        hbar.setRange(0, max(0, self._grid.content_width() - viewport.width()))
        hbar.setPageStep(viewport.width())
        hbar.setSingleStep(SCROLL_STEP)
        super().updateGeometries()  # editors, and a fetchMore when the last row shows

    def resizeEvent(self, event) -> None:  # Qt override
        """Re-flow the columns, keeping the card at the top left of the view in view."""
        anchor = self._grid.top_anchor(self.verticalOffset(), self._row_count())
        super().resizeEvent(event)  # → updateGeometries() with the new width
        self._sync_empty()
        if anchor is not None:
            row, offset = anchor
            self.verticalScrollBar().setValue(self._grid.cell(row)[1] + offset)

    # ---- model changes ------------------------------------------------------------------------

    def setModel(self, model) -> None:  # Qt override
        old = self.model()
        if old is not None:
            old.rowsRemoved.disconnect(self._on_rows_removed)
        super().setModel(model)
        if model is not None:
            model.rowsRemoved.connect(self._on_rows_removed)
        self._rows_moved()

    def rowsInserted(self, parent: QModelIndex, start: int, end: int) -> None:  # Qt override
        super().rowsInserted(parent, start, end)
        if parent != self.rootIndex():
            return
        self._rows_moved()
        visible = self._visible_rows()
        if visible and start <= visible[-1]:  # rows appended below the view need no paint
            self.viewport().update()

    def _on_rows_removed(self, parent: QModelIndex, _start: int, _end: int) -> None:
        if parent == self.rootIndex():
            self._rows_moved()
            self.viewport().update()

    def reset(self) -> None:  # Qt override
        super().reset()
        self._end_band()
        self._rows_moved()
        self.viewport().update()

    def _rows_moved(self) -> None:
        """Rows were added, removed or replaced: a new scroll range; the hovered card and the
        accessible rows may be others now."""
        self._a11y_items.clear()
        self.updateGeometries()
        self._hover_row = -1
        self._refresh_hover()
        self._sync_empty()

    def dataChanged(
        self, top_left: QModelIndex, bottom_right: QModelIndex, _roles=()
    ) -> None:  # Qt override
        """Repaint the changed cards that are on screen, nothing else."""
        if not top_left.isValid() or top_left.parent() != self.rootIndex():
            return
        visible = self._visible_rows()
        first = max(top_left.row(), visible.start)
        last = min(bottom_right.row(), visible.stop - 1)
        if first > last:
            return  # a thumbnail landed for a row scrolled away
        self.viewport().update(self._cell_rect(first).united(self._cell_rect(last)))

    def currentChanged(self, current: QModelIndex, previous: QModelIndex) -> None:  # Qt override
        super().currentChanged(current, previous)
        if current.isValid() and self.hasFocus():
            notify(self, QAccessible.Event.Focus, current.row())

    def selectionChanged(
        self, selected: QItemSelection, deselected: QItemSelection
    ) -> None:  # Qt override
        super().selectionChanged(selected, deselected)
        notify(self, QAccessible.Event.SelectionWithin)

    def verticalScrollbarValueChanged(self, value: int) -> None:  # Qt override
        """Qt fetches more at the very bottom; ask for the next page a viewport earlier so it
        is usually in before the user gets there."""
        super().verticalScrollbarValueChanged(value)
        model = self.model()
        bar = self.verticalScrollBar()
        near_end = bar.maximum() - value <= bar.pageStep()
        if near_end and model is not None and model.canFetchMore(self.rootIndex()):
            model.fetchMore(self.rootIndex())

    # ---- painting -----------------------------------------------------------------------------

    def paintEvent(self, event) -> None:  # Qt override
        """Paint the cards in the damaged area through the delegate, then the rubber band and
        the drop highlight."""
        painter = QPainter(self.viewport())
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        base_state = option.state
        current = self.currentIndex()
        focused = (self.hasFocus() or self.viewport().hasFocus()) and current.isValid()
        damaged = event.region()  # cards between two damaged ones need no paint
        for row in self._visible_rows(damaged.boundingRect()):
            rect = self._cell_rect(row)
            if not damaged.intersects(rect):
                continue
            index = self._index(row)
            option.rect = rect
            option.state = self._item_state(base_state, index, focused and index == current)
            if base_state & _State.State_Enabled:
                enabled = bool(option.state & _State.State_Enabled)
                option.palette.setCurrentColorGroup(
                    QPalette.ColorGroup.Normal if enabled else QPalette.ColorGroup.Disabled
                )
            self.itemDelegateForIndex(index).paint(painter, option, index)
        self._paint_empty(painter)
        self._paint_band(painter)
        self._paint_drop_highlight(painter)
        painter.end()

    def _item_state(self, base: _State, index: QModelIndex, has_focus: bool) -> _State:
        state = base
        if self.selectionModel().isSelected(index):
            state |= _State.State_Selected
        if not index.flags() & Qt.ItemFlag.ItemIsEnabled:
            state &= ~_State.State_Enabled
        if has_focus:
            state |= _State.State_HasFocus
        if index.row() == self._hover_row:
            state |= _State.State_MouseOver
        else:
            state &= ~_State.State_MouseOver
        return state

    def videos_dropped(self, paths: list[str]) -> None:
        """Video files dropped on the grid: ``importRequested(paths)``."""
        self.importRequested.emit(paths)

    # ---- helpers ------------------------------------------------------------------------------

    def selected_ids(self) -> list[str]:
        """Ids of the selected rows, top to bottom."""
        rows = sorted(i.row() for i in self.selectionModel().selectedIndexes())
        model = self.library_model()
        return [model.summary(r).id for r in rows if model.summary(r) is not None]

    def current_id(self) -> str | None:
        """The current row's id, else the first selected one's."""
        index = self.currentIndex()
        if index.isValid():
            return index.data(LibraryRole.Id)
        ids = self.selected_ids()
        return ids[0] if ids else None

    def select_id(self, entry_id: str) -> bool:
        """Make ``entry_id``'s row current and scroll to it (``False``: not loaded)."""
        index = self.library_model().index_of(entry_id)
        if not index.isValid():
            return False
        self.setCurrentIndex(index)
        self.scrollTo(index)
        return True

    def accessible_items(self) -> AccessibleItems:
        """The accessible interfaces made for the rows so far (for :class:`GridAccessible`)."""
        return self._a11y_items


_factory_installed = False


def _accessible_factory(_class_name: str, obj) -> GridAccessible | None:
    if isinstance(obj, LibraryView):
        return GridAccessible(obj, obj.accessible_items())
    return None


def _install_accessible_factory() -> None:
    """Once: let Qt ask us for the grid's accessible interface (it has none for a bare
    ``QAbstractItemView``)."""
    global _factory_installed
    if not _factory_installed:
        QAccessible.installFactory(_accessible_factory)
        _factory_installed = True
