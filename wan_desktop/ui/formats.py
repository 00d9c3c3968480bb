"""How durations and times read to people, the same in every pane. Pure functions; any thread."""

from __future__ import annotations

from datetime import datetime

__all__ = ["format_duration", "local_time", "ordinal"]


def format_duration(seconds: float | None) -> str:
    """``0:07``, ``1:02``, ``1:02:03``; empty for ``None``."""
    if seconds is None:
        return ""
    s = max(0, round(seconds))
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def local_time(iso: str) -> str:
    """``12 Mar 2025 · 14:32`` in local time (``iso``: ISO 8601; returned as is when it is
    not one)."""
    try:
        when = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone()
    except ValueError:
        return iso
    return f"{when:%d %b %Y · %H:%M}"


def ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``4th``, ``11th``, ``22nd``."""
    teens = 10 <= n % 100 <= 20
    suffix = "th" if teens else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
