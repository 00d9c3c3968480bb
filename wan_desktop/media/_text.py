"""Numbers in user messages: never rounded onto the limit they are compared with."""

from __future__ import annotations

__all__ = ["format_megabytes", "format_number", "format_seconds"]


def format_number(value: float) -> str:
    """``5`` for 5.0, ``2.5`` for 2.5: a limit as people write it."""
    return f"{value:g}"


def format_seconds(value: float, limit: float | None = None) -> str:
    """One decimal (``12.0``), more when one decimal would read as the ``limit`` itself."""
    for decimals in (1, 2, 3):
        text = f"{value:.{decimals}f}"
        if limit is None or float(text) != limit:
            return text
    return f"{value:.6f}"


def format_megabytes(size_bytes: int, limit_bytes: int | None = None) -> str:
    """``26.1 MB`` (decimal), or the exact byte count when rounding would hide the difference."""
    megabytes = size_bytes / 1_000_000
    for decimals in (1, 2, 3):
        text = f"{megabytes:.{decimals}f}"
        if limit_bytes is None or float(text) * 1_000_000 != limit_bytes:
            return f"{text} MB"
    return f"{size_bytes:,} bytes"
