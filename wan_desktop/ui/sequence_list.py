"""The Sequences pane's list (``sequenceList``, GUI thread): filling it from the library,
keeping the open sequence's row up to date, and Rename and Delete… (which asks first)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QTreeWidgetItem

from .formats import format_duration
from .sequence_clips import sequence_seconds
from .sequence_service import OpenSequence, SequenceRow

#: Where a row keeps its sequence's id.
_ID_ROLE = Qt.ItemDataRole.UserRole + 1

if TYPE_CHECKING:
    from .sequence_pane import SequencePane

    _PaneBase = SequencePane
else:
    _PaneBase = object  # a plain class, placed before QWidget in the pane's bases

__all__ = ["SequenceListMixin"]


class SequenceListMixin(_PaneBase):
    """The list's rows and their rename and delete; the pane builds the widgets."""

    async def refresh(self) -> list[SequenceRow]:
        """Read the list of sequences again (the open one stays selected)."""
        try:
            rows = await self.service.rows()
        except RuntimeError as exc:  # the library is still opening
            self.statusMessage.emit(str(exc))
            return []
        keep = self.current.sequence.id if self.current else None
        self._filling = True
        try:
            self.list.clear()
            for row in rows:
                item = QTreeWidgetItem([row.name, str(row.clips), format_duration(row.seconds)])
                item.setData(0, _ID_ROLE, row.id)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
                item.setTextAlignment(
                    1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                )
                item.setTextAlignment(
                    2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                )
                self.list.addTopLevelItem(item)
                if row.id == keep:
                    self.list.setCurrentItem(item)
        finally:
            self._filling = False
        self._sync_buttons()
        return rows

    def _item_of(self, sequence_id: str) -> QTreeWidgetItem | None:
        for n in range(self.list.topLevelItemCount()):
            item = self.list.topLevelItem(n)
            if item.data(0, _ID_ROLE) == sequence_id:
                return item
        return None

    def _update_row(self) -> None:
        if self.current is None:
            return
        sequence, clips = self.current.sequence, self.current.clips
        item = self._item_of(sequence.id)
        if item is None:
            return
        self._filling = True
        try:
            item.setText(0, sequence.name)
            item.setText(1, str(len(sequence.items)))
            item.setText(2, format_duration(sequence_seconds(sequence.items, clips)))
        finally:
            self._filling = False

    def _on_list_current_item_changed(self, item: QTreeWidgetItem | None, _old) -> None:
        if self._filling or item is None:
            return
        sequence_id = item.data(0, _ID_ROLE)
        if self.current is None or self.current.sequence.id != sequence_id:
            self._spawn(self.open_sequence(sequence_id), "Open the sequence")

    def _on_list_item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        if self._filling or column != 0:
            return
        self._spawn(self.rename(item.data(0, _ID_ROLE), item.text(0)), "Rename the sequence")

    def _on_rename_button_clicked(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.list.editItem(item, 0)

    def _on_delete_button_clicked(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        box = QMessageBox(QMessageBox.Icon.Question, "Delete sequence",
                          f"Delete the sequence “{item.text(0)}”? Its clips stay in the library.",
                          QMessageBox.StandardButton.Cancel, self)  # fmt: skip
        box.setObjectName("sequenceDeleteQuestion")
        box.setTextFormat(Qt.TextFormat.PlainText)
        delete = box.addButton("Delete", QMessageBox.ButtonRole.DestructiveRole)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        sequence_id = item.data(0, _ID_ROLE)
        box.buttonClicked.connect(
            lambda button: (
                button is delete and self._spawn(self.delete(sequence_id), "Delete the sequence")
            )
        )
        box.open()

    async def rename(self, sequence_id: str, name: str) -> None:
        """Rename sequence ``sequence_id``; a refused name is said and the old one shown."""
        from ..library.errors import LibraryError

        try:
            opened = (self.current if self.current and self.current.sequence.id == sequence_id
                      else await self.service.open(sequence_id))  # fmt: skip
            stored = await self.service.save(msgspec.structs.replace(opened.sequence, name=name))
        except (LibraryError, RuntimeError) as exc:
            self.statusMessage.emit(f"Could not rename the sequence: {exc}")
            await self.refresh()
            return
        if self.current is not None and self.current.sequence.id == sequence_id:
            self.current = OpenSequence(stored, self.current.clips)
            self._show_header()
        self._update_row_of(stored)

    def _update_row_of(self, sequence: Any) -> None:
        item = self._item_of(sequence.id)
        if item is not None and item.text(0) != sequence.name:
            self._filling = True
            item.setText(0, sequence.name)
            self._filling = False

    async def delete(self, sequence_id: str) -> None:
        """Delete sequence ``sequence_id`` (its clips stay)."""
        from ..library.errors import LibraryError

        try:
            await self.service.delete(sequence_id)
        except (LibraryError, RuntimeError) as exc:
            self.statusMessage.emit(f"Could not delete the sequence: {exc}")
            return
        if self.current is not None and self.current.sequence.id == sequence_id:
            self.show_sequence(None)
        await self.refresh()
        self.statusMessage.emit("Sequence deleted; its clips stay in the library.")
