"""Small text helpers shared by every layer (Qt-free; any thread)."""

from __future__ import annotations

__all__ = ["excerpt"]


def excerpt(text: str | None, limit: int = 60) -> str:
    """``text`` on one line (runs of white space folded), cut to ``limit`` characters with "…"."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
