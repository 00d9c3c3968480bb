"""Opening the compare view from the library, and "Promote winner" written back to it.

The library's Compare action (``libraryCompareAction``) applies to a selection of exactly two
clips: :class:`CompareLink` reads both entries in the executor, opens a
:class:`~.compare_view.CompareView` in a window of its own, and answers its
``promote_requested`` by flagging the winner "picked" and the other "rejected"
(:func:`promote_winner`, in the executor), then shows both marks everywhere (through the
pane's :class:`~.mark_sync.MarkSync`). GUI thread.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt

from .async_bridge import run_blocking

if TYPE_CHECKING:
    import asyncio

    from .async_bridge import TaskKeeper
    from .compare_view import CompareClip, CompareView
    from .library_pane import LibraryPane

__all__ = ["CompareLink", "clip_title", "open_compare", "promote_winner"]

log = logging.getLogger(__name__)


def promote_winner(library: Any, winner_id: str, loser_id: str) -> tuple[Any, Any]:
    """Flag ``winner_id`` "picked" and ``loser_id`` "rejected" in ``library``; returns both
    updated entries. Disk and SQLite work: call it in the executor."""
    return library.set_flag(winner_id, "picked"), library.set_flag(loser_id, "rejected")


def clip_title(entry: Any) -> str:
    """What the compare view calls a library clip: its title (else its prompt's start) and its
    take label when it has one."""
    title = (entry.title or " ".join(entry.prompt.split())[:60] or entry.id).strip()
    variant = getattr(entry, "variant", "")
    return f"{title} · {variant}" if variant else title


def open_compare(a: CompareClip, b: CompareClip, parent: Any = None) -> CompareView:
    """A compare view of ``a`` and ``b`` in its own window (over ``parent``), shown; it is
    deleted when closed."""
    from .compare_view import CompareView  # with the first compare: PyAV and the view's parts

    view = CompareView(a, b, parent)
    view.setWindowFlag(Qt.WindowType.Window, True)
    view.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    view.show()
    view.raise_()
    view.activateWindow()
    view.setFocus()  # the view's keys (Space, arrows, Tab) work at once
    return view


class CompareLink(QObject):
    """Links the library ``pane``'s Compare action to compare views over ``window``.

    The action is enabled for exactly two selected clips outside the trash. ``views`` holds
    the open views (a closed one leaves it).
    """

    def __init__(self, window: Any, pane: LibraryPane, tasks: TaskKeeper) -> None:
        super().__init__(window)
        self._window = window
        self._pane = pane
        self._tasks = tasks
        self.views: list[CompareView] = []
        self.last_task: asyncio.Task | None = None
        action = pane.action_set.compare_action
        action.triggered.connect(self._on_compare_action_triggered)
        pane.view.selectionModel().selectionChanged.connect(self._on_selection_changed)
        pane.filter_bar.trashToggled.connect(self._on_selection_changed)
        # A new query resets the grid, and the selection with it, without a selection signal.
        pane.model.modelReset.connect(self._on_selection_changed)
        self._on_selection_changed()

    def _selected(self) -> list[str]:
        return self._pane.view.selected_ids()

    def _on_selection_changed(self, *_args: object) -> None:
        self._pane.action_set.sync_selection(
            len(self._selected()), self._pane.filter_bar.trash_shown()
        )

    def _on_compare_action_triggered(self) -> None:
        ids = self._selected()
        if len(ids) != 2:
            self._pane.statusMessage.emit("Select exactly two clips to compare them.")
            return
        self.last_task = self._tasks.spawn(self.open_ids(*ids), "Compare two clips", self)

    async def open_ids(self, id_a: str, id_b: str) -> CompareView:
        """Open a compare view of library entries ``id_a`` (A) and ``id_b`` (B)."""
        from .compare_view import CompareClip

        library = self._pane.actions.library
        entry_a = await run_blocking(library.get, id_a)
        entry_b = await run_blocking(library.get, id_b)
        view = open_compare(
            CompareClip(Path(entry_a.video_path), clip_title(entry_a), entry_a.id),
            CompareClip(Path(entry_b.video_path), clip_title(entry_b), entry_b.id),
            self._window,
        )
        view.promote_requested.connect(
            lambda winner, loser, view=view: self._on_view_promote_requested(view, winner, loser)
        )
        self.views.append(view)
        view.destroyed.connect(lambda _obj=None, view=view: self._forget(view))
        return view

    def _forget(self, view: CompareView) -> None:
        if view in self.views:
            self.views.remove(view)

    def _on_view_promote_requested(self, view: CompareView, winner: str, loser: str) -> None:
        self.last_task = self._tasks.spawn(
            self.promote(view, winner, loser), "Promote the winner", view
        )

    async def promote(self, view: CompareView, winner: str, loser: str) -> None:
        """Flag ``winner`` picked and ``loser`` rejected, then say so in ``view`` and show
        both marks in the cards, the details and an open contact sheet."""
        library = self._pane.actions.library
        try:
            picked, rejected = await run_blocking(promote_winner, library, winner, loser)
        except Exception as exc:  # a library error: said in the view, which stays open
            log.info("promote winner: %s", exc)
            view.show_problem(f"The flags could not be saved: {exc}")
            return
        view.show_promoted(a_won=winner == view.clip_a.entry_id)
        for entry in (picked, rejected):
            self._pane.marks.saved(entry, view)
