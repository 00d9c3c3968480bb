"""Culling from the library grid (GUI thread): with the grid focused, 1–5 give the selected
clips that many stars, 0 takes their stars and flag off, P picks and X rejects them (the same
key again, on clips that all carry that flag already, takes it off). The contact sheet's keys
do the same to its takes.

The cards change at once; the library saves in the background, one clip after the other. When
a save fails, the cards that were not saved get their old marks back and the task's failure
is reported as every task's is.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence

from ..library import EntrySummary
from .library_model import LibraryModel

__all__ = ["CULLING_KEYS", "LibraryCulling"]

PICKED, REJECTED = "picked", "rejected"
#: Each key, the action's object name and what it does.
CULLING_KEYS = (
    *((str(n), f"libraryRate{n}Action", f"{n} star{'s' if n > 1 else ''}") for n in range(1, 6)),
    ("0", "libraryClearMarksAction", "No stars, no pick or reject"),
    ("P", "libraryPickAction", "Pick (again: unpick)"),
    ("X", "libraryRejectAction", "Reject (again: unreject)"),
)

Spawn = Callable[[Coroutine[Any, Any, Any], str], Any]


class LibraryCulling(QObject):
    """The culling keys of ``view`` (a ``LibraryView``) over ``model``, saved through
    ``actions`` (``set_rating``/``set_flag`` coroutines, a ``LibraryActions``) as tasks that
    ``spawn(coro, what)`` starts. ``saved(entry)`` after each clip is saved."""

    saved = Signal(object)

    def __init__(self, view: Any, model: LibraryModel, actions: Any, spawn: Spawn) -> None:
        super().__init__(view)
        self._view = view
        self._model = model
        self._actions = actions
        self._spawn = spawn
        self.key_actions: list[QAction] = []
        handlers: list[Callable[[], object]] = [
            *(lambda n=n: self.rate(n) for n in range(1, 6)),
            self.clear,
            lambda: self.toggle_flag(PICKED),
            lambda: self.toggle_flag(REJECTED),
        ]
        for (key, name, text), handler in zip(CULLING_KEYS, handlers, strict=True):
            action = QAction(text, view)
            action.setObjectName(name)
            action.setShortcut(QKeySequence(key))
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # not while typing
            action.triggered.connect(lambda _checked=False, handler=handler: handler())
            view.addAction(action)
            self.key_actions.append(action)

    # ---- what the keys do ---------------------------------------------------------------------

    def targets(self) -> list[EntrySummary]:
        """The clips the keys act on: the selected ones, else the current one."""
        ids = self._view.selected_ids()
        if not ids and self._view.current_id() is not None:
            ids = [self._view.current_id()]
        rows = (self._model.summary(self._model.row_of(i)) for i in ids)
        return [s for s in rows if s is not None]

    def rate(self, stars: int) -> Any:
        """Give the target clips ``stars`` (1–5)."""
        return self._mark({s.id: (stars, s.flag) for s in self.targets()}, "Save the stars")

    def toggle_flag(self, flag: str) -> Any:
        """Pick or reject the target clips; when they all carry ``flag`` already, take it off."""
        targets = self.targets()
        new = "" if targets and all(s.flag == flag for s in targets) else flag
        what = "Save the pick" if flag == PICKED else "Save the reject"
        return self._mark({s.id: (s.rating, new) for s in targets}, what)

    def clear(self) -> Any:
        """No stars and no flag on the target clips."""
        return self._mark({s.id: (0, "") for s in self.targets()}, "Clear the marks")

    # ---- saving -------------------------------------------------------------------------------

    def _mark(self, marks: dict[str, tuple[int, str]], what: str) -> Any:
        """Show ``marks`` (id → (stars, flag)) at once, then save the ones that changed."""
        changes: list[tuple[EntrySummary, int, str]] = []
        for entry_id, (rating, flag) in marks.items():
            old = self._model.set_marks_local(entry_id, rating=rating, flag=flag)
            if old is not None and (old.rating, old.flag) != (rating, flag):
                changes.append((old, rating, flag))
        if not changes:
            return None
        return self._spawn(self._save(changes), what)

    async def _save(self, changes: list[tuple[EntrySummary, int, str]]) -> None:
        for done, (old, rating, flag) in enumerate(changes):
            entry = None
            try:
                if old.rating != rating:
                    entry = await self._actions.set_rating(old.id, rating)
                if old.flag != flag:
                    entry = await self._actions.set_flag(old.id, flag)
            except Exception:  # not a cancellation: put back what was not saved
                first = old if entry is None else old._replace(rating=rating)
                self._model.update_summary(first)
                for unsaved, _rating, _flag in changes[done + 1 :]:
                    self._model.update_summary(unsaved)
                raise
            if entry is not None:
                self.saved.emit(entry)
