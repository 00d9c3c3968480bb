"""Lineage: the clips made by "continue from the last frame", linked by ``parent_id``.

A clip's parent is the clip whose last frame it started from. Parents and children are read
from the index (``entries_parent`` serves the child lookups), and only live entries count: a
trashed clip breaks its chain, as a clip the user threw away should. Sidecars come from disk
and may be hostile, so walks stop at a clip already seen (a cycle) and after
:data:`MAX_CHAIN` clips. Any thread (one indexed query per step).
"""

from __future__ import annotations

from collections.abc import Callable

from .errors import FieldError
from .models import EntrySummary
from .queries import Queries

__all__ = ["MAX_CHAIN", "Choose", "chain", "children_of", "live_parent"]

#: The longest chain walked (each way); far beyond any film made of 5-15 s clips.
MAX_CHAIN = 1000

#: ``choose(entry_id, children) -> child_id``: which branch a chain follows where the clip
#: ``entry_id`` has several live children (``children`` newest first).
Choose = Callable[[str, list[EntrySummary]], str]


def children_of(queries: Queries, entry_id: str) -> list[EntrySummary]:
    """The live clips made from ``entry_id``'s last frame, newest first."""
    return queries._page(
        "entries e WHERE e.parent_id = ? AND e.trashed_at IS NULL",
        "e.created_ms DESC, e.id DESC",
        [entry_id],
        -1,
        0,
    )


def live_parent(queries: Queries, entry_id: str) -> str | None:
    """The parent of ``entry_id`` when it is a live entry of this library, else ``None``."""
    rows = queries._query(
        "SELECT p.id FROM entries c JOIN entries p ON p.id = c.parent_id "
        "WHERE c.id = ? AND p.trashed_at IS NULL",
        (entry_id,),
    )
    return rows[0][0] if rows else None


def _newest(_entry_id: str, children: list[EntrySummary]) -> str:
    return children[0].id


def chain(queries: Queries, entry_id: str, choose: Choose | None = None) -> list[str]:
    """The ids of the chain through ``entry_id``: from its root ancestor (following
    ``parent_id`` while the parent is a live entry) through ``entry_id`` and forward, child
    by child, to the latest one. Where a clip has several children ``choose`` picks the
    branch (default: the newest child); it must return one of the ids it was given, else
    :class:`~.errors.FieldError`. Raises :class:`~.errors.EntryNotFoundError` for an
    unknown ``entry_id``."""
    queries.get(entry_id)  # raises for an unknown id, with the library's sentence
    pick = choose or _newest
    back: list[str] = []
    seen = {entry_id}
    current = entry_id
    while len(back) < MAX_CHAIN and (parent := live_parent(queries, current)) is not None:
        if parent in seen:
            break
        back.append(parent)
        seen.add(parent)
        current = parent
    forward: list[str] = []
    current = entry_id
    while len(forward) < MAX_CHAIN:
        children = [c for c in children_of(queries, current) if c.id not in seen]
        if not children:
            break
        chosen = pick(current, children) if len(children) > 1 else children[0].id
        if chosen not in {c.id for c in children}:
            raise FieldError(
                f"the branch chosen after {current} must be one of its children "
                f"({', '.join(c.id for c in children)}); got {str(chosen)[:40]!r}"
            )
        forward.append(chosen)
        seen.add(chosen)
        current = chosen
    return [*reversed(back), entry_id, *forward]
