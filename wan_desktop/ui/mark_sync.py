"""The one path every saved mark takes to the screen (GUI thread).

Stars, picks, rejects and the favourite are set from several places: the library grid's keys,
the contact sheet's keys, the compare view's "A wins" / "B wins", the details panel. Each
place saves through the library and then hands the saved ``Entry`` to :meth:`MarkSync.saved`,
which shows it everywhere it is on screen: the grid's card (the model's row), the details
panel (its facts and favourite box: a title or note being typed stays) and, through
:attr:`MarkSync.changed`, whatever else shows marks (an open contact sheet's badges). Nothing
else updates marks on screen, so no view is left showing the marks a clip had before.

The library has no change feed: a mark set by another process (the command line) is seen
when the clip is next loaded (a new query, a selection), not pushed here.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from .library_model import LibraryModel, summary_of_entry

__all__ = ["MarkSync"]


class MarkSync(QObject):
    """Shows saved marks in ``model`` (a :class:`LibraryModel`) and ``details`` (a
    ``DetailsPanel``), then emits ``changed(entry)`` for the other views.

    ``changed(entry, source)`` carries the library's ``Entry`` as saved (``id``, ``rating``,
    ``flag``, ``favourite``...) and the object that saved it (``None``: not said): listeners
    show its marks when they show that clip, except the source, which shows its own marks
    already (and may have newer ones still being saved).
    """

    changed = Signal(object, object)

    def __init__(self, model: LibraryModel, details: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self._details = details

    def saved(self, entry: Any, source: object = None) -> None:
        """``entry`` (an ``Entry``, as the library returned it after a save) has new marks:
        show them in the grid, the details and every open view that shows that clip;
        ``source`` is the view that saved them."""
        if entry is None:
            return
        self._model.update_summary(summary_of_entry(entry))
        self._details.show_marks(entry)
        self.changed.emit(entry, source)
