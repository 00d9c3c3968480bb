"""The library's one clock and its one way of writing times (Qt-free; any thread).

Every time the library stores is ISO 8601 UTC with milliseconds and a ``Z``. Tests move the
clock by replacing :func:`now` in this module (every caller looks it up here at call time).
"""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["iso_utc", "now"]


def now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def iso_utc(value: datetime | str) -> str:
    """``value`` as ISO 8601 UTC with milliseconds and a ``Z`` (naive datetimes are UTC)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
