"""Where the contact sheet meets the window: the library pane's "Open contact sheet" action
(Ctrl+Shift+G) opens the selected clips (2–9), or the take group of the one selected clip, as a
:class:`ContactSheet` window; Enter there plays the take in the window's player; marks and
Keep picks show in the library's cards, the details and the jobs list at once (marks through
the pane's :class:`~.mark_sync.MarkSync`, which also shows marks saved elsewhere on the
sheet's badges). One sheet at a time: opening another closes the first (and its decoders).
GUI thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QSize, Qt

from .async_bridge import run_blocking
from .contact_sheet import ContactSheet
from .sheet_culling import SheetCulling, SheetRequestError, load_takes

if TYPE_CHECKING:
    import asyncio

    from .library_pane import LibraryPane
    from .main_window import MainWindow

__all__ = ["SheetLink"]

#: The sheet's share of the screen when it opens: large enough to judge takes side by side.
_SCREEN_SHARE = 0.8
_DEFAULT_SIZE = QSize(1280, 800)


class SheetLink(QObject):
    """Opens contact sheets for ``pane``'s selection inside ``window`` (a child of the window:
    it lives as long as the window). ``sheet`` is the one open, or ``None``."""

    def __init__(self, window: MainWindow, pane: LibraryPane) -> None:
        super().__init__(window)
        self._window = window
        self._pane = pane
        self.sheet: ContactSheet | None = None
        pane.action_set.contact_sheet_action.triggered.connect(self._on_action_triggered)
        pane.marks.changed.connect(self._on_marks_changed)
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        # The sheet is a window of its own: closing the main window closes it first, so its
        # decoding threads stop (deleting it with the window would skip its closeEvent).
        if watched is self._window and event.type() == QEvent.Type.Close and self.sheet:
            self.sheet.close()
        return False

    def _on_action_triggered(self, _checked: bool = False) -> None:
        self.open_selected()

    def open_selected(self) -> asyncio.Task | None:
        """Open the pane's selected clips (else its current one) as a contact sheet."""
        pane = self._pane
        current = pane.current_id()
        ids = pane.view.selected_ids() or ([current] if current else [])
        if pane.actions.library is None:
            pane.statusMessage.emit("The library is still opening; try again in a moment.")
            return None
        return self._window.tasks.spawn(self.open_ids(ids), "Open the contact sheet", self)

    async def open_ids(self, ids: list[str]) -> ContactSheet | None:
        """Open ``ids`` (see :func:`load_takes`) as the contact sheet; ``None`` (and a
        sentence in the status line) when they cannot be."""
        library = self._pane.actions.library
        try:
            takes, group_id = await run_blocking(load_takes, library, ids)
        except SheetRequestError as exc:
            self._pane.statusMessage.emit(str(exc))
            return None
        if self.sheet is not None:
            self.sheet.close()
        sheet = ContactSheet(takes, SheetCulling(library), self._window.tasks,
                             group_id=group_id, parent=self._window)  # fmt: skip
        sheet.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        sheet.openRequested.connect(self._on_sheet_open_requested)
        sheet.entrySaved.connect(self._on_sheet_entry_saved)
        sheet.trashed.connect(self._on_sheet_trashed)
        sheet.restored.connect(self._on_sheet_restored)
        sheet.destroyed.connect(lambda _obj=None, gone=sheet: self._forget(gone))
        sheet.resize(self._opening_size())
        self.sheet = sheet
        sheet.show()
        sheet.activateWindow()
        sheet.setFocus()
        sheet.start()
        return sheet

    def _opening_size(self) -> QSize:
        screen = self._window.screen()
        if screen is None:
            return _DEFAULT_SIZE
        room = screen.availableGeometry().size()
        return QSize(round(room.width() * _SCREEN_SHARE), round(room.height() * _SCREEN_SHARE))

    # ---- from the sheet -------------------------------------------------------------------

    def _on_sheet_open_requested(self, entry_id: str) -> None:
        self._window.tasks.spawn(self._pane.actions.play(entry_id), "Play the take", self)
        self._window.raise_()
        self._window.activateWindow()

    def _on_sheet_entry_saved(self, entry: Any) -> None:
        self._pane.marks.saved(entry, self.sheet)

    def _on_marks_changed(self, entry: Any, source: object) -> None:
        # Marks saved in the grid or compare show on the open sheet's badges; the sheet's
        # own are shown already (and a newer key press may be saving after this one).
        if self.sheet is not None and source is not self.sheet:
            self.sheet.show_marks(entry.id, entry.rating, entry.flag)

    def _on_sheet_trashed(self, ids: list[str]) -> None:
        for entry_id in ids:
            self._pane.model.remove_id(entry_id)
        self._window.jobs_model.mark_trashed(ids)

    def _on_sheet_restored(self, ids: list[str]) -> None:
        self._pane.model.refresh()
        self._window.jobs_model.mark_trashed(ids, trashed=False)

    def _forget(self, sheet: ContactSheet) -> None:
        # A sheet closed for a new one goes later (deleteLater): it must not forget the new one.
        if self.sheet is sheet:
            self.sheet = None
