"""The library: every result kept in one movable folder, indexed by SQLite (Qt-free).

Open it with :meth:`Library.open`; see :mod:`.store` for threads and crash safety,
:mod:`.sidecar` for the files each entry holds, :mod:`.paths` for the layout, :mod:`.errors`
for the errors it raises.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # for type checkers; at run time the names load on first use (below)
    from .errors import (
        EntryNotFoundError,
        ExportError,
        FieldError,
        LibraryError,
        PathEscapeError,
        SequenceNotFoundError,
        SidecarError,
        UnsafeFileError,
    )
    from .export import DEFAULT_TEMPLATE
    from .ids import is_valid_id, new_id
    from .models import SORTS, Entry, EntrySummary, Filters, NewEntry
    from .rebuild import RebuildReport
    from .sequences import Sequence, SequenceItem
    from .store import Library

#: Where each public name lives. Loaded on first use: the store pulls in PyAV and Pillow,
#: which the window must not pay for before its first paint.
_HOME = {
    "DEFAULT_TEMPLATE": "export",
    "ExportError": "errors",
    "FieldError": "errors",
    "SequenceNotFoundError": "errors",
    "Sequence": "sequences",
    "SequenceItem": "sequences",
    "is_valid_id": "ids",
    "new_id": "ids",
    "SORTS": "models",
    "Entry": "models",
    "EntrySummary": "models",
    "Filters": "models",
    "NewEntry": "models",
    "PathEscapeError": "errors",
    "SidecarError": "errors",
    "UnsafeFileError": "errors",
    "EntryNotFoundError": "errors",
    "LibraryError": "errors",
    "Library": "store",
    "RebuildReport": "rebuild",
}


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module 'wan_desktop.library' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "DEFAULT_TEMPLATE",
    "SORTS",
    "Entry",
    "EntryNotFoundError",
    "EntrySummary",
    "ExportError",
    "FieldError",
    "Filters",
    "Library",
    "LibraryError",
    "NewEntry",
    "PathEscapeError",
    "RebuildReport",
    "Sequence",
    "SequenceItem",
    "SequenceNotFoundError",
    "SidecarError",
    "UnsafeFileError",
    "is_valid_id",
    "new_id",
]
