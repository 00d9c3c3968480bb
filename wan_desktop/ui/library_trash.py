"""Moving clips to the trash and back from the library pane (GUI thread): Move to trash and
Restore on the selected clips, :meth:`LibraryTrashMixin.restore_ids` (the window's Undo after
``trashed``), and emptying the trash for good."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from ..library import EntryNotFoundError

if TYPE_CHECKING:
    from .library_pane import LibraryPane

    _PaneBase = LibraryPane
else:
    _PaneBase = object  # a plain class, placed before QWidget in the pane's bases

__all__ = ["LibraryTrashMixin"]


class LibraryTrashMixin(_PaneBase):
    """The pane's trash: it emits ``trashed(ids)`` (declared on the pane) after a move to the
    trash, so the window can offer :meth:`restore_ids`."""

    def _move_selected(self, restore: bool) -> None:
        """Move the selected clips (else the current one) to the trash, or out of it: either
        way they leave the grid that shows them."""
        entry_id = self.current_id()
        ids = self.view.selected_ids() or ([entry_id] if entry_id else [])
        if not ids:
            return
        if restore:
            restoring = self._move_out_of_view(ids, self.actions.restore, [])
            self._spawn(restoring, "Restore from the trash")
        else:
            self._spawn(self._trash(ids), "Move to the trash")

    async def _move_out_of_view(
        self, ids: list[str], move: Callable[[str], Awaitable[Any]], moved: list[str]
    ) -> None:
        """Move each clip, dropping its card as it goes and adding its id to ``moved``."""
        for entry_id in ids:
            await move(entry_id)
            self.model.remove_id(entry_id)
            moved.append(entry_id)

    async def _trash(self, ids: list[str]) -> None:
        moved: list[str] = []
        try:
            await self._move_out_of_view(ids, self.actions.trash, moved)
        finally:  # the clips trashed before a failure can still be brought back
            if moved:
                self.trashed.emit(moved)

    def restore_ids(self, ids: list[str]) -> asyncio.Task | None:
        """Bring ``ids`` back from the trash (the window's Undo after :attr:`trashed`); ids
        not in the trash, or not in the library, are left alone. The restored clips show in
        the grid again, the first one selected."""
        if not ids:
            return None
        return self._spawn(self._restore_ids(list(ids)), "Restore from the trash")

    async def _restore_ids(self, ids: list[str]) -> None:
        restored = []
        for entry_id in ids:
            try:
                entry = await self.actions.entry(entry_id)
            except EntryNotFoundError:
                continue
            if entry.trashed_at is not None:
                await self.actions.restore(entry_id)
                restored.append(entry_id)
        if not restored:
            return
        if self.filter_bar.trash_shown():
            for entry_id in restored:
                self.model.remove_id(entry_id)
            return
        refreshed = self.model.refresh()  # back in their place in the order shown
        if refreshed is not None:
            await refreshed
        self.select(restored[0])

    def empty_trash(self, confirm: bool = True) -> asyncio.Task | None:
        """Delete the trash for good (asks first unless ``confirm`` is False)."""
        if not confirm:
            return self._spawn(self._empty_trash(), "Empty the trash")
        buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel
        text = f"Delete {self.model.total():,} clips for good? This cannot be undone."
        box = QMessageBox(QMessageBox.Icon.Warning, "Empty trash", text, buttons, self)
        box.setObjectName("libraryEmptyTrashBox")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.accepted.connect(lambda: self._spawn(self._empty_trash(), "Empty the trash"))
        box.open()
        return None

    async def _empty_trash(self) -> None:
        await self.actions.empty_trash()
        self.model.refresh()
