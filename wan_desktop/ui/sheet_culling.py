"""What the contact sheet shows of each take (:class:`Take`), how a sheet's takes are found
(:func:`load_takes`), and culling them (:class:`SheetCulling`): stars, pick and reject, "Keep
picks" and its undo.

A plain service, driven by the sheet's keys and by tests without widgets: every library call
runs in the executor (``run_blocking``), never on the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..core.text import excerpt
from .async_bridge import run_blocking

__all__ = [
    "MAX_SHEET_CLIPS",
    "MIN_SHEET_CLIPS",
    "SheetCulling",
    "SheetRequestError",
    "Take",
    "load_takes",
    "take_of",
]

#: A sheet shows 2 to 9 takes (a 3 × 3 grid at most: beyond it the cells get too small to judge).
MIN_SHEET_CLIPS = 2
MAX_SHEET_CLIPS = 9


class SheetRequestError(ValueError):
    """Why these clips cannot open as a contact sheet (a sentence for the status line)."""


@dataclass(frozen=True, slots=True)
class Take:
    """One clip of the sheet: its entry ``id``, ``video_path`` (the original; its proxy is what
    plays), ``label`` (the variant, else the title, seed or prompt), ``rating`` 0–5, ``flag``
    ("", "picked", "rejected") and ``group_id`` (``None``: not in a take group)."""

    id: str
    video_path: Path
    label: str
    rating: int = 0
    flag: str = ""
    group_id: str | None = None

    def with_marks(self, rating: int, flag: str) -> Take:
        """This take with other stars and flag."""
        return replace(self, rating=rating, flag=flag)


def take_of(entry: Any) -> Take:
    """The :class:`Take` of a library ``Entry``."""
    label = entry.variant or entry.title
    if not label and entry.seed is not None:
        label = f"seed {entry.seed}"
    if not label:
        label = excerpt(entry.prompt) or entry.video_path.name
    return Take(entry.id, Path(entry.video_path), label, entry.rating, entry.flag, entry.group_id)


def load_takes(library: Any, ids: list[str]) -> tuple[list[Take], str | None]:
    """The takes for a sheet and the group they all belong to (``None``: a mixed selection).

    One id of a take group opens the whole group; 2–9 ids open those clips. The takes of one
    group read in the order they were queued (their take numbers), not the order they were
    filed or selected in. Raises :class:`SheetRequestError` for anything else. Worker thread
    (reads the library)."""
    if not ids:
        raise SheetRequestError("Select a take group, or 2 to 9 clips, for a contact sheet.")
    if len(ids) > MAX_SHEET_CLIPS:
        raise SheetRequestError(
            f"A contact sheet shows at most {MAX_SHEET_CLIPS} clips; {len(ids)} are selected."
        )
    entries = [library.get(entry_id) for entry_id in ids]
    if len(entries) == 1:
        group = entries[0].group_id
        if group is None:
            raise SheetRequestError(
                "This clip is not part of a take group: select 2 to 9 clips for a contact sheet."
            )
        members = library.group_members(group)
        entries = [library.get(member.id) for member in members[:MAX_SHEET_CLIPS]]
        if len(entries) < MIN_SHEET_CLIPS:
            raise SheetRequestError("The other takes of this group are in the trash.")
    groups = {entry.group_id for entry in entries}
    group_id = groups.pop() if len(groups) == 1 else None
    if group_id is not None:  # numbered takes in queue order; unnumbered ones keep theirs
        entries.sort(key=lambda entry: (entry.take == 0, entry.take))
    return [take_of(entry) for entry in entries], group_id


class SheetCulling:
    """Rates, flags and culls takes in ``library`` (the loop thread awaits; the library works
    in the executor). Each method returns what the library returned, for the caller to show."""

    def __init__(self, library: Any) -> None:
        self.library = library

    async def rate(self, entry_id: str, stars: int) -> Any:
        """Give ``entry_id`` ``stars`` (0–5; 0: unrated); returns the updated ``Entry``."""
        return await run_blocking(self.library.set_rating, entry_id, stars)

    async def flag(self, entry_id: str, flag: str) -> Any:
        """Flag ``entry_id`` "picked", "rejected" or "" (neither); returns the ``Entry``."""
        return await run_blocking(self.library.set_flag, entry_id, flag)

    async def clear(self, entry_id: str) -> Any:
        """No stars and no flag; returns the updated ``Entry``."""
        await run_blocking(self.library.set_rating, entry_id, 0)
        return await run_blocking(self.library.set_flag, entry_id, "")

    async def keep_picks(self, group_id: str | None, takes: list[Take]) -> list[str]:
        """Move the rejected takes to the trash: the whole group's (``Library.keep_picks``)
        for a take group, else the rejected ones among ``takes``. Returns the ids moved."""
        if group_id is not None:
            return await run_blocking(self.library.keep_picks, group_id)
        rejected = [take.id for take in takes if take.flag == "rejected"]
        return await run_blocking(self._trash_all, rejected)

    def _trash_all(self, ids: list[str]) -> list[str]:
        moved = []
        for entry_id in ids:
            self.library.trash(entry_id)
            moved.append(entry_id)
        return moved

    async def undo_keep_picks(self, ids: list[str]) -> list[str]:
        """Bring ``ids`` back from the trash; returns the ids restored."""
        return await run_blocking(self._restore_all, ids)

    def _restore_all(self, ids: list[str]) -> list[str]:
        restored = []
        for entry_id in ids:
            if self.library.get(entry_id).trashed_at is not None:
                self.library.restore(entry_id)
                restored.append(entry_id)
        return restored
