"""``libraryView``: the grid of clips over :class:`LibraryModel`, cards painted by
:class:`LibraryDelegate`; hovering a card scrubs through its clip; clips drag out as file URLs
and MP4 files dropped in are imported.

A ``QAbstractItemView`` with its own grid geometry rather than a ``QListView`` in icon mode:
every card has the same size, so a row's place follows from its number (:class:`GridLayout`).
``QListView`` lays out all its rows again whenever a page of rows arrives (~56 ms at 10,000
rows, a visible stall while scrolling); here rows arriving only change the scrollbar's range.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QMimeData,
    QModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QAccessible,
    QColor,
    QCursor,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QMouseEvent,
    QPainter,
    QPalette,
    QPen,
    QRegion,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QRubberBand,
    QStyle,
    QStyleOptionRubberBand,
    QStyleOptionViewItem,
    QWidget,
)

from .grid_accessible import AccessibleItems, GridAccessible, notify
from .grid_layout import GridLayout
from .library_delegate import CARD_SIZE, LibraryDelegate, thumb_rect
from .library_model import LibraryModel, LibraryRole
from .theme import colors

__all__ = ["VIDEO_SUFFIXES", "LibraryView", "video_paths_in"]

VIDEO_SUFFIXES = (".mp4", ".m4v", ".mov")
SPACING = 5
SCROLL_STEP = 24  # px per scrollbar step (a wheel notch is three)
_Action = QAbstractItemView.CursorAction
_Hint = QAbstractItemView.ScrollHint
_State = QStyle.StateFlag


def video_paths_in(mime: QMimeData | None) -> list[str]:
    """Local video files among the URLs of a drag."""
    if mime is None or not mime.hasUrls():
        return []
    out = []
    for url in mime.urls():
        if url.isLocalFile():
            path = url.toLocalFile()
            if path.lower().endswith(VIDEO_SUFFIXES):
                out.append(path)
    return out


class LibraryView(QAbstractItemView):
    """The grid. ``importRequested(paths)`` when video files are dropped on it; the context
    menu comes through ``customContextMenuRequested``, double-click or Enter ``activated``.

    Cards flow left to right in as many columns as fit, the grid centred in the width.
    Arrows move by card and by grid row, Page Up/Down by a viewport, Home/End to the ends;
    a rubber band (dragged from between cards) or a shift-click selects the cards of the
    rectangle. Only the cards on screen are ever painted or looked at.
    """

    importRequested = Signal(list)

    def __init__(self, model: LibraryModel, parent: QWidget | None = None):
        super().__init__(parent)
        self._spacing = SPACING
        self._centred = True
        self._grid = GridLayout(CARD_SIZE.width(), CARD_SIZE.height(), SPACING, 0)
        self._hover_row = -1
        self._band_origin: QPoint | None = None  # content coordinates of a rubber band's start
        self._band = QRect()  # the rubber band, content coordinates
        self._band_autoscroll = False
        self._drop_active = False
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

    def _cell_size(self) -> QSize:
        """Every card's size: the delegate's size hint (uniform, so asked once per layout)."""
        delegate = self.itemDelegate()
        if delegate is None or self.model() is None:
            return QSize(CARD_SIZE)
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        size = delegate.sizeHint(option, self._index(0))
        return size if size.isValid() and not size.isEmpty() else QSize(CARD_SIZE)

    def _relayout(self) -> None:
        """Recompute the grid for the viewport's width: O(1), whatever the row count."""
        size = self._cell_size()
        self._grid = GridLayout(
            size.width(), size.height(), self._spacing, self.viewport().width(), self._centred
        )

    def _offset(self) -> QPoint:
        return QPoint(self.horizontalOffset(), self.verticalOffset())

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
        bar.setValue(self._scroll_target(y, h, bar.value(), self.viewport().height(), hint))
        hbar = self.horizontalScrollBar()
        if hbar.maximum() > 0:  # narrower than one card: top/bottom mean nothing sideways
            hint_x = _Hint.EnsureVisible if hint != _Hint.PositionAtCenter else hint
            hbar.setValue(self._scroll_target(x, w, hbar.value(), self.viewport().width(), hint_x))

    def _scroll_target(self, start: int, length: int, value: int, page: int, hint: _Hint) -> int:
        """The scroll value that shows ``start .. start + length`` as ``hint`` asks, keeping the
        spacing around the card in view."""
        lead = start - self._spacing
        tail = start + length + self._spacing - page
        if hint == _Hint.PositionAtTop:
            return lead
        if hint == _Hint.PositionAtBottom:
            return tail
        if hint == _Hint.PositionAtCenter:
            return start + length // 2 - page // 2
        if lead < value or length + 2 * self._spacing > page:
            return lead  # above, or taller than the viewport: show its top
        return max(value, tail)

    def moveCursor(self, action: _Action, _modifiers) -> QModelIndex:  # Qt override
        """Where a key takes the current card (Qt then selects and scrolls to it)."""
        count = self._row_count()
        if count == 0:
            return QModelIndex()
        current = self.currentIndex()
        if not current.isValid():
            return self._index(0)
        return self._index(self._moved_row(action, current.row(), count))

    def _moved_row(self, action: _Action, row: int, count: int) -> int:
        """Where ``action`` takes the cursor from ``row``: arrows by card and grid row, pages
        by a viewport of grid rows, Home/End to the first/last row; never off the grid."""
        cols = self._grid.columns
        page = max(1, self.viewport().height() // self._grid.pitch_y) * cols
        if action in (_Action.MoveLeft, _Action.MovePrevious):
            return max(0, row - 1)
        if action in (_Action.MoveRight, _Action.MoveNext):
            return min(count - 1, row + 1)
        if action == _Action.MoveUp:
            return row - cols if row >= cols else row
        if action == _Action.MoveDown:
            return self._row_below(row, cols, count)
        if action == _Action.MovePageUp:
            return row - page if row >= page else row % cols
        if action == _Action.MovePageDown:
            return self._row_below(row, page, count)
        if action == _Action.MoveHome:
            return 0
        if action == _Action.MoveEnd:
            return count - 1
        return row

    def _row_below(self, row: int, step: int, count: int) -> int:
        """``step`` rows on from ``row``. Past the end: the last grid row, in the same column
        when it reaches that far, else its last card; already on the last grid row: stay."""
        if row + step < count:
            return row + step
        cols = self._grid.columns
        last_grid_row = (count - 1) // cols
        if row // cols == last_grid_row:
            return row
        same_column = last_grid_row * cols + row % cols
        return min(count - 1, same_column)

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
        vbar.setRange(0, max(0, self._grid.content_height(count) - viewport.height()))
        vbar.setPageStep(viewport.height())
        vbar.setSingleStep(SCROLL_STEP)
        hbar = self.horizontalScrollBar()
        hbar.setRange(0, max(0, self._grid.content_width() - viewport.width()))
        hbar.setPageStep(viewport.width())
        hbar.setSingleStep(SCROLL_STEP)
        super().updateGeometries()  # editors, and a fetchMore when the last row shows

    def resizeEvent(self, event) -> None:  # Qt override
        """Re-flow the columns, keeping the card at the top left of the view in view."""
        anchor = self._top_anchor()
        super().resizeEvent(event)  # → updateGeometries() with the new width
        if anchor is not None:
            row, offset = anchor
            self.verticalScrollBar().setValue(self._grid.cell(row)[1] + offset)

    def _top_anchor(self) -> tuple[int, int] | None:
        """The top-left card in view (the first of the top grid row whose cards show) and how
        far the view is scrolled past its top (negative: the spacing above it shows)."""
        value = self.verticalOffset()
        count = self._row_count()
        if value <= 0 or count == 0:
            return None
        grid = self._grid
        first, _last = grid.grid_row_span(value, value, count)
        row = min(first, grid.grid_rows(count) - 1) * grid.columns
        return row, value - grid.cell(row)[1]

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

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # Qt override
        super().scrollContentsBy(dx, dy)
        self._refresh_hover()  # another card is under the pointer now

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

    def _paint_band(self, painter: QPainter) -> None:
        if self._band.isNull():
            return
        option = QStyleOptionRubberBand()
        option.initFrom(self)
        option.shape = QRubberBand.Shape.Rectangle
        option.opaque = False
        option.rect = self._band.translated(-self._offset()).intersected(self.viewport().rect())
        painter.save()
        self.style().drawControl(QStyle.ControlElement.CE_RubberBand, option, painter)
        painter.restore()

    def _paint_drop_highlight(self, painter: QPainter) -> None:
        """While video files are dragged over the grid: an accent outline (drop to import)."""
        if not self._drop_active:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        pen = QPen(QColor(colors().accent), 2, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(self.viewport().rect().adjusted(2, 2, -2, -2), 8, 8)
        painter.restore()

    # ---- hover and scrubbing ------------------------------------------------------------------

    def _set_hover_row(self, row: int) -> None:
        """The card under the pointer (-1: none); repaints the old and the new one."""
        if row == self._hover_row:
            return
        count = self._row_count()
        for old_or_new in (self._hover_row, row):
            if 0 <= old_or_new < count:
                self.viewport().update(self._cell_rect(old_or_new))
        self._hover_row = row

    def _refresh_hover(self) -> None:
        """Hover the card under the pointer after the cards moved under it."""
        if self.viewport().underMouse():
            pos = self.viewport().mapFromGlobal(QCursor.pos())
            self._set_hover_row(self.indexAt(pos).row())

    def scrub_at(self, x: int, y: int) -> None:
        """Scrub the card under viewport point (x, y): its left edge is the first frame, its
        right edge the last."""
        index = self.indexAt(QPoint(x, y))
        model = self.library_model()
        if not index.isValid():
            model.set_scrub(None)
            return
        rect = thumb_rect(self.visualRect(index))
        if not rect.contains(x, y):
            model.set_scrub(None)
            return
        fraction = (x - rect.left()) / max(1, rect.width() - 1)
        model.set_scrub(index.data(LibraryRole.Id), fraction)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # Qt override
        pos = event.position().toPoint()
        self._set_hover_row(self.indexAt(pos).row())
        if not event.buttons():
            self.scrub_at(pos.x(), pos.y())
        banding = self._band_origin is not None and event.buttons() & Qt.MouseButton.LeftButton
        if banding:
            # Before Qt's own handling: it makes the card under the pointer current and would
            # scroll to it, unless autoscrolling already runs.
            self._autoscroll_near_edge(pos)
        super().mouseMoveEvent(event)
        if banding:
            self._drag_band(pos, event)

    def viewportEvent(self, event: QEvent) -> bool:  # Qt override
        if event.type() == QEvent.Type.Leave:  # onto a scrollbar or out of the view
            self._set_hover_row(-1)
            self.library_model().set_scrub(None)
        return super().viewportEvent(event)

    # ---- rubber band --------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:  # Qt override
        self._end_band()
        pos = event.position().toPoint()
        if event.button() == Qt.MouseButton.LeftButton and not self.indexAt(pos).isValid():
            # A press between cards starts a rubber band. Qt's own drag-select only runs while
            # the pointer is over a card, so the band is tracked here.
            self._band_origin = pos + self._offset()
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # Qt override
        self._end_band()
        super().mouseReleaseEvent(event)

    def _drag_band(self, pos: QPoint, event: QMouseEvent) -> None:
        """Select what the band from the press to ``pos`` covers and show the band."""
        self.setState(QAbstractItemView.State.DragSelectingState)  # a release keeps the band's pick
        band = QRect(self._band_origin, pos + self._offset()).normalized()
        old = self._band
        self._band = band
        viewport_band = QRect(self._band_origin - self._offset(), pos)
        self.setSelection(viewport_band, self.selectionCommand(self.indexAt(pos), event))
        dirty = QRegion(old.translated(-self._offset()).adjusted(-1, -1, 1, 1))
        dirty += band.translated(-self._offset()).adjusted(-1, -1, 1, 1)
        self.viewport().update(dirty)

    def _autoscroll_near_edge(self, pos: QPoint) -> None:
        """Start Qt's autoscroll when the band reaches the top or bottom margin (Qt only does so
        by itself over a card)."""
        margin = self.autoScrollMargin()
        near = pos.y() < margin or pos.y() > self.viewport().height() - margin
        if near and not self._band_autoscroll and self.hasAutoScroll():
            self.startAutoScroll()
        self._band_autoscroll = near

    def _end_band(self) -> None:
        if self._band_autoscroll:
            self.stopAutoScroll()  # Qt would keep scrolling after the release
        if not self._band.isNull():
            self.viewport().update(self._band.translated(-self._offset()).adjusted(-1, -1, 1, 1))
        self._band_origin = None
        self._band = QRect()
        self._band_autoscroll = False

    # ---- drops (import) -----------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # Qt override
        if event.source() is self:
            event.ignore()
            return
        if video_paths_in(event.mimeData()):
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
            self._drop_active = True
            self.viewport().update()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # Qt override
        if event.source() is not self and video_paths_in(event.mimeData()):
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        else:
            event.ignore()

    def dragLeaveEvent(self, event) -> None:  # Qt override
        self._drop_active = False
        self.viewport().update()
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:  # Qt override
        self._drop_active = False
        self.viewport().update()
        paths = video_paths_in(event.mimeData())
        if event.source() is self or not paths:
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
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
