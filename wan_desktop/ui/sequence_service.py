"""The sequences of the library as the window uses them: a plain service (no widgets) whose
coroutines run the library's calls in the executor and return plain data.

:class:`SequenceService` lists sequences with their clip counts and lengths, opens one with
its clips' facts, makes one from clips or from a continue-chain (asking ``choose_branch``
where a clip has several children), saves and deletes. Saves are serialized: two quick edits
are written in the order they were made, the last one last. Tests drive it without widgets.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from .async_bridge import run_blocking
from .sequence_clips import StripClip, load_clips, sequence_seconds

__all__ = ["BranchChooser", "ChainCancelled", "OpenSequence", "SequenceRow", "SequenceService"]

#: ``choose_branch(entry_id, children) -> child id | None``: which child a chain follows
#: where ``entry_id`` has several (``None``: the user closed the chooser).
BranchChooser = Callable[[str, list[Any]], Awaitable[str | None]]


class ChainCancelled(Exception):
    """The user closed the branch chooser: no sequence was made."""


@dataclass(frozen=True, slots=True)
class SequenceRow:
    """One line of the sequences list: ``seconds`` is the length with crossfades taken off."""

    id: str
    name: str
    clips: int
    seconds: float


@dataclass(frozen=True, slots=True)
class OpenSequence:
    """A sequence and the facts of its clips (entry id -> :class:`StripClip`)."""

    sequence: Any
    clips: dict[str, StripClip]


def _rows(library: Any) -> list[SequenceRow]:
    sequences = library.list_sequences()
    clips = load_clips(library, (i.entry_id for s in sequences for i in s.items))
    return [
        SequenceRow(s.id, s.name, len(s.items), sequence_seconds(s.items, clips)) for s in sequences
    ]


def _open(library: Any, sequence: Any) -> OpenSequence:
    return OpenSequence(sequence, load_clips(library, (i.entry_id for i in sequence.items)))


class SequenceService:
    """The library's sequences for the window; ``library()`` returns the open ``Library``
    (or ``None`` while it opens)."""

    def __init__(self, library: Callable[[], Any]) -> None:
        self._library = library
        self._save_lock = asyncio.Lock()

    @property
    def library(self) -> Any:
        """The library, or ``RuntimeError`` while it is still opening."""
        library = self._library()
        if library is None:
            raise RuntimeError("The library is still opening; try again in a moment.")
        return library

    async def rows(self) -> list[SequenceRow]:
        """Every sequence, most recently changed first."""
        return await run_blocking(_rows, self.library)

    async def open(self, sequence_id: str) -> OpenSequence:
        """The sequence ``sequence_id`` with its clips; raises ``SequenceNotFoundError``."""
        library = self.library
        sequence = await run_blocking(library.get_sequence, sequence_id)
        return await run_blocking(_open, library, sequence)

    async def clips(self, entry_ids: list[str]) -> dict[str, StripClip]:
        """The facts of the clips ``entry_ids`` (a placeholder for those not in the library)."""
        return await run_blocking(load_clips, self.library, entry_ids)

    async def create(self, name: str, entry_ids: list[str]) -> OpenSequence:
        """A new sequence of ``entry_ids`` with the default seams, saved."""
        library = self.library
        sequence = await run_blocking(library.new_sequence, name, entry_ids)
        return await run_blocking(_open, library, sequence)

    async def chain(self, entry_id: str, choose_branch: BranchChooser) -> list[str]:
        """The continue-chain through ``entry_id`` (root to latest child), asking
        ``choose_branch`` on the GUI thread where a clip has several children. Raises
        :class:`ChainCancelled` when the user closes the chooser."""
        loop = asyncio.get_running_loop()

        def choose(parent_id: str, children: list[Any]) -> str:
            # The walk runs in a worker; the question is asked on the loop, and the worker
            # waits for the answer (a closed chooser or a cancelled task ends the walk).
            asked = asyncio.run_coroutine_threadsafe(choose_branch(parent_id, children), loop)
            chosen = asked.result()
            if chosen is None:
                raise ChainCancelled("No branch was chosen; the sequence was not made.")
            return chosen

        return await run_blocking(self.library.chain, entry_id, choose)

    async def save(self, sequence: Any) -> Any:
        """Store ``sequence``; returns what was stored. Saves run one at a time, in order."""
        library = self.library
        async with self._save_lock:
            return await run_blocking(library.save_sequence, sequence)

    async def delete(self, sequence_id: str) -> None:
        """Delete the sequence (its clips stay)."""
        library = self.library
        async with self._save_lock:
            await run_blocking(library.delete_sequence, sequence_id)
