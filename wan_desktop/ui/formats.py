"""How durations and times read to people, the same in every pane. Pure functions; any thread."""

from __future__ import annotations

from datetime import datetime

__all__ = ["format_duration", "format_ms", "frame_position", "local_time", "ordinal"]


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


def format_ms(ms: int) -> str:
    """``m:ss.t`` (tenths), e.g. ``0:04.5``: the player's time, and every frame's time."""
    ms = max(0, int(ms))
    minutes, rest = divmod(ms, 60_000)
    return f"{minutes}:{rest // 1000:02d}.{(rest % 1000) // 100}"


def frame_position(frame: int, count: int, seconds: float) -> str:
    """``Frame 12 / 119 · 0:00.5``: frame ``frame`` of a clip of ``count`` frames, shown at
    ``seconds``. Frames count from 0, as the command line, the seam editor and the frame
    reader number them, so the last is ``count - 1``."""
    last = max(0, count - 1)
    return f"Frame {max(0, frame)} / {last} · {format_ms(round(seconds * 1000))}"
