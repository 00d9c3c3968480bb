"""What is said about a multi-shot clip's shots: where its prompt planned them to start and
where cut detection found the picture change (``Shots: planned 0 · 4 · 7 s; cut at 0 · 4.1 ·
7.0 s``). Pure functions of plain data; any thread.
"""

from __future__ import annotations

from typing import Any

from ..core.storyboard import format_seconds, parse

__all__ = ["planned_shots", "shots_text"]


def planned_shots(entry: Any) -> list[float] | None:
    """The planned start of each shot (seconds, ascending) of ``entry`` (a library
    ``Entry``): from the prompt the user wrote, else from the one the service used; ``None``
    when neither is a multi-shot prompt."""
    for prompt in (entry.prompt, entry.actual_prompt):
        shots = parse(prompt or "")
        if shots:
            return sorted({shot.start_s for shot in shots})
    return None


def shots_text(starts: list[float], cuts: list[float] | None, problem: str = "") -> str:
    """The Shots line: the planned ``starts``, then the detected ``cuts`` (seconds, the
    first shot's start counted as a cut at 0), "finding the cuts…" while they are ``None``, or
    ``problem`` when they could not be found."""
    planned = " · ".join(format_seconds(s) for s in starts)
    head = f"Shots: planned {planned} s"
    if problem:
        return f"{head}; the cuts could not be found ({problem})"
    if cuts is None:
        return f"{head}; finding the cuts…"
    if not cuts:
        return f"{head}; no cut found (one shot)"
    found = " · ".join(["0", *(f"{c:.1f}" for c in cuts)])
    return f"{head}; cut at {found} s"
