"""The library's one clock and its one way of writing times (Qt-free; any thread).

Every time the library stores is ISO 8601 UTC with milliseconds and a ``Z``. Tests move the
clock by replacing :func:`now` in this module (every caller looks it up here at call time).
"""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["aware", "epoch_ms", "iso_utc", "now"]


def now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def aware(value: datetime | str) -> datetime:
    """``value`` (a datetime or an ISO 8601 string) with a timezone: naive times are UTC."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def epoch_ms(value: datetime | str) -> int:
    """``value`` in milliseconds since the epoch (naive datetimes are UTC); a string that is
    not ISO 8601 raises ``ValueError``."""
    return int(aware(value).timestamp() * 1000)


def iso_utc(value: datetime | str) -> str:
    """``value`` as ISO 8601 UTC with milliseconds and a ``Z`` (naive datetimes are UTC)."""
    return aware(value).astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
