"""What the Sequences pane shows of a sequence: the strip's cells (each clip's used length and
its seam's edits) and the one-line summary. Apart from the pane so its list, edit and play
parts share them without importing the pane."""

from __future__ import annotations

from typing import Any

from .formats import format_duration
from .sequence_clips import StripClip, sequence_seconds, used_frames
from .sequence_strip import StripCell

__all__ = ["cells_for", "describe"]


def cells_for(items: list[Any], clips: dict[str, StripClip]) -> list[StripCell]:
    """The strip's cells for ``items``: each item's used length, and its seam's edits."""
    cells = []
    for n, item in enumerate(items):
        clip = clips[item.entry_id]
        seconds = used_frames(item, clip) / clip.fps if clip.fps > 0 else 0.0
        tail = 0
        if n:
            before, before_clip = items[n - 1], clips[items[n - 1].entry_id]
            end = before.end_frame if before.end_frame is not None else before_clip.frame_count
            tail = max(0, before_clip.frame_count - end)
        cells.append(StripCell(item.entry_id, seconds, clip.title, clip.poster,
                               item.start_frame if n else 0, tail,
                               item.crossfade_frames if n else 0, clip.missing))  # fmt: skip
    return cells


def describe(items: list[Any], clips: dict[str, StripClip]) -> str:
    """ "6 clips · 0:28" (the length with crossfades taken off)."""
    count = len(items)
    seconds = sequence_seconds(items, clips)
    return f"{count} clip{'s' if count != 1 else ''} · {format_duration(seconds)}"
