"""Typed, forgiving reading of the app's own small JSON records (settings, window state).

Each field is checked against its declared type with msgspec; a field of the wrong type falls
back to its default on its own (with a log line), so one bad value never costs the user the
rest of the file. Unknown keys are left out: a newer version's file does not break an older
one. Qt-free; any thread.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import typing
from pathlib import Path
from typing import Any, TypeVar

__all__ = ["read_json_object", "record_from_data"]

log = logging.getLogger(__name__)
R = TypeVar("R")


def record_from_data(cls: type[R], data: dict[str, Any], what: str) -> R:
    """A ``cls`` (a dataclass) from ``data``: every known key converted to its field's type,
    a wrong one left at its default. ``what`` names the record in log lines."""
    import msgspec  # here, not at import: it costs the window's first paint 10–30 ms

    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name not in data:
            continue
        try:
            values[f.name] = msgspec.convert(data[f.name], type=hints[f.name])
        except msgspec.ValidationError:
            log.warning("%s: ignoring %s of the wrong type", what, f.name)
    return cls(**values)


def read_json_object(path: Path, what: str) -> dict[str, Any] | None:
    """The JSON object in ``path``; ``None`` when the file is missing, unreadable or not an
    object (logged: the caller then uses its defaults)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("%s: %s is unreadable (%s); using defaults", what, path, exc)
        return None
    return data if isinstance(data, dict) else None
