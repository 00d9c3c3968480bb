"""The library: every result kept in one movable folder, indexed by SQLite (Qt-free).

Open it with :meth:`Library.open`; see :mod:`.store` for threads and crash safety,
:mod:`.sidecar` for the files each entry holds, :mod:`.paths` for the layout.
"""

from __future__ import annotations

from .export import DEFAULT_TEMPLATE, ExportError
from .ids import is_valid_id, new_id
from .models import SORTS, Entry, EntrySummary, Filters, NewEntry
from .paths import PathEscapeError
from .sidecar import SidecarError
from .store import EntryNotFoundError, Library, LibraryError, RebuildReport

__all__ = [
    "DEFAULT_TEMPLATE",
    "SORTS",
    "Entry",
    "EntryNotFoundError",
    "EntrySummary",
    "ExportError",
    "Filters",
    "Library",
    "LibraryError",
    "NewEntry",
    "PathEscapeError",
    "RebuildReport",
    "SidecarError",
    "is_valid_id",
    "new_id",
]
