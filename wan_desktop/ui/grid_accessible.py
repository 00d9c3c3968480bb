"""Accessibility for a custom item view (``libraryView``): the view is a list, each row an item.

Qt only gives ``QListView``/``QTableView``/``QTreeView`` item-level accessibility; a view
subclassing ``QAbstractItemView`` directly shows up as a bare scroll area. :class:`GridAccessible`
fills that in from the view's public API (model, ``visualRect``, ``indexAt``, selection), with one
:class:`ItemAccessible` per row asked for.

Lifetimes: Qt's accessibility cache owns registered interfaces and deletes them. Item interfaces
are registered when made and only ever released through ``QAccessible.deleteAccessibleInterface``
(:meth:`AccessibleItems.clear`), never by dropping the Python reference first, so Python and the
cache never both delete one.
"""

from __future__ import annotations

from typing import Any

import shiboken6
from PySide6.QtCore import QPersistentModelIndex, QPoint, QRect, Qt
from PySide6.QtGui import QAccessible, QAccessibleEvent, QAccessibleInterface
from PySide6.QtWidgets import QAbstractItemView, QAccessibleWidget

__all__ = ["AccessibleItems", "GridAccessible", "ItemAccessible", "notify"]


def _alive(obj: Any) -> bool:
    return obj is not None and shiboken6.isValid(obj)


class ItemAccessible(QAccessibleInterface):
    """One row of the view: a list item named by the model's accessible text."""

    def __init__(self, view: QAbstractItemView, row: int):
        super().__init__()
        self.view = view
        self.index = QPersistentModelIndex(view.model().index(row, 0, view.rootIndex()))

    # ---- QAccessibleInterface -----------------------------------------------------------------

    def isValid(self) -> bool:  # Qt override
        return _alive(self.view) and self.index.isValid()

    def object(self):  # Qt override
        return None  # a row is no QObject

    def window(self):  # Qt override
        return self.view.window().windowHandle() if _alive(self.view) else None

    def relations(self, _match=None) -> list:  # Qt override
        return []

    def focusChild(self):  # Qt override
        return None

    def childAt(self, _x: int, _y: int):  # Qt override
        return None

    def parent(self):  # Qt override
        return QAccessible.queryAccessibleInterface(self.view) if _alive(self.view) else None

    def child(self, _index: int):  # Qt override
        return None

    def childCount(self) -> int:  # Qt override
        return 0

    def indexOfChild(self, _child) -> int:  # Qt override
        return -1

    def text(self, kind: QAccessible.Text) -> str:  # Qt override
        if not self.isValid():
            return ""
        index = self.index
        if kind == QAccessible.Text.Name:
            name = index.data(Qt.ItemDataRole.AccessibleTextRole)
            return str(name or index.data(Qt.ItemDataRole.DisplayRole) or "")
        if kind == QAccessible.Text.Description:
            return str(index.data(Qt.ItemDataRole.ToolTipRole) or "")
        return ""

    def setText(self, _kind, _text: str) -> None:  # Qt override
        pass  # read only

    def rect(self) -> QRect:  # Qt override
        """On screen (global coordinates), as Qt's item interfaces report it."""
        if not self.isValid():
            return QRect()
        local = self.view.visualRect(self.index)
        top_left = self.view.viewport().mapToGlobal(local.topLeft())
        return QRect(top_left, local.size())

    def role(self) -> QAccessible.Role:  # Qt override
        return QAccessible.Role.ListItem

    def state(self) -> QAccessible.State:  # Qt override
        state = QAccessible.State()
        if not self.isValid():
            state.invalid = True
            return state
        view = self.view
        state.focusable = True
        state.selectable = True
        state.multiSelectable = (
            view.selectionMode() != QAbstractItemView.SelectionMode.SingleSelection
        )
        state.extSelectable = (
            view.selectionMode() == QAbstractItemView.SelectionMode.ExtendedSelection
        )
        selection = view.selectionModel()
        index = view.model().index(self.index.row(), 0, view.rootIndex())
        state.selected = selection is not None and selection.isSelected(index)
        state.focused = view.hasFocus() and view.currentIndex() == index
        if not view.viewport().rect().intersects(view.visualRect(index)):
            state.offscreen = True
            state.invisible = True
        return state


class AccessibleItems:
    """The item interfaces made for one view, by row; the view clears them when rows move."""

    def __init__(self) -> None:
        self._items: dict[int, tuple[ItemAccessible, int]] = {}

    def get(self, view: QAbstractItemView, row: int) -> ItemAccessible | None:
        """The interface of ``row`` (made and registered on first use), ``None`` if no row."""
        if not 0 <= row < view.model().rowCount(view.rootIndex()):
            return None
        known = self._items.get(row)
        if known is not None and shiboken6.isValid(known[0]):
            return known[0]
        item = ItemAccessible(view, row)
        self._items[row] = (item, QAccessible.registerAccessibleInterface(item))
        return item

    def clear(self) -> None:
        """Release every item interface (rows were inserted, removed or reset)."""
        items, self._items = self._items, {}
        for item, ident in items.values():
            if shiboken6.isValid(item):
                QAccessible.deleteAccessibleInterface(ident)

    def __len__(self) -> int:
        return len(self._items)


class GridAccessible(QAccessibleWidget):
    """The view as an accessible list whose children are its rows."""

    def __init__(self, view: QAbstractItemView, items: AccessibleItems):
        super().__init__(view, QAccessible.Role.List)
        self.view = view
        self.items = items

    def childCount(self) -> int:  # Qt override
        model = self.view.model()
        return model.rowCount(self.view.rootIndex()) if model is not None else 0

    def child(self, index: int):  # Qt override
        return self.items.get(self.view, index)

    def indexOfChild(self, child) -> int:  # Qt override
        if isinstance(child, ItemAccessible) and child.isValid():
            return child.index.row()
        return -1

    def childAt(self, x: int, y: int):  # Qt override
        point = self.view.viewport().mapFromGlobal(QPoint(x, y))
        index = self.view.indexAt(point)
        return self.child(index.row()) if index.isValid() else None

    def focusChild(self):  # Qt override
        current = self.view.currentIndex()
        if self.view.hasFocus() and current.isValid():
            return self.child(current.row())
        return None


def notify(view: QAbstractItemView, event: QAccessible.Event, row: int = -1) -> None:
    """Tell assistive tools about ``event`` on ``view`` (or its ``row``) when any is listening."""
    if not QAccessible.isActive():
        return
    accessible_event = QAccessibleEvent(view, event)
    if row >= 0:
        accessible_event.setChild(row)
    QAccessible.updateAccessibility(accessible_event)
