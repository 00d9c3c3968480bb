"""What the window links between the library pane and its other parts. A trash marks the
clips' job rows (no more "Double-click to play"), offers Undo in the status line (which marks
them back once the library restored them) and unloads a trashed clip from the player. The
cards' size is kept in the window state's layout. GUI thread."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from . import window_layout

if TYPE_CHECKING:
    from .library_pane import LibraryPane
    from .main_window import MainWindow

__all__ = ["LibraryLinks"]


class LibraryLinks(QObject):
    """Links ``pane`` to ``window`` (a child of the window: it lives as long as the window).
    The remembered thumbnail size is put back at once."""

    def __init__(self, window: MainWindow, pane: LibraryPane) -> None:
        super().__init__(window)
        self._window = window
        self._pane = pane
        thumbnail = window_layout.thumbnail_size_of(window.services.store.window.layout)
        if thumbnail is not None:
            pane.thumbnail_size = thumbnail
        pane.thumbnail_size_changed.connect(self._on_pane_thumbnail_size_changed)
        pane.trashed.connect(self._on_pane_trashed)

    def _on_pane_trashed(self, ids: list[str]) -> None:
        window = self._window
        window.jobs_model.mark_trashed(ids)
        window.notices.offer_undo_trash(ids, self.restore)
        playing = window.player.path() if window.is_built() else None
        # An entry's files live in a folder named by its id, which the trash moves.
        if playing and Path(playing).parent.name in ids:
            window.player.unload()

    def restore(self, ids: list[str]) -> None:
        """Bring ``ids`` back from the trash (the notice's Undo); their job rows offer to
        play again once the library has restored them."""
        task = self._pane.restore_ids(ids)
        if task is None:
            return

        def restored(_task: object) -> None:
            if not task.cancelled() and task.exception() is None:
                self._window.jobs_model.mark_trashed(ids, trashed=False)

        task.add_done_callback(restored)

    def _on_pane_thumbnail_size_changed(self, _px: int) -> None:
        """Remember the cards' size in the window state (written with the next save)."""
        store = self._window.services.store
        store.set_window(store.window.replace(layout=self._window.layout_state()))
