"""Turning what a person types into a safe FTS5 query, and filters into SQL.

User text is never pasted into a ``MATCH`` expression as it is: FTS5 has its own syntax
(``AND``/``OR``/``NOT``/``NEAR``, quotes, ``*``, ``^``, ``:``, parentheses) and a stray quote is a
syntax error. Each word becomes a quoted string (inner quotes doubled) with a ``*`` so the
last letters need not be typed yet; words are ANDed. Words with nothing FTS would index
(punctuation only) are dropped, since a quoted string with no token is an error in FTS5.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from typing import Any

from .clock import iso_utc
from .models import Filters

__all__ = ["filters_sql", "fts_query", "iso_utc", "order_sql"]

# unicode61 indexes letters, numbers and private-use characters; everything else separates.
_TOKEN_CATEGORIES = ("L", "N", "Co")
_MAX_WORDS = 16


def _has_token(word: str) -> bool:
    return any(unicodedata.category(ch).startswith(_TOKEN_CATEGORIES) for ch in word)


def fts_query(text: str) -> str | None:
    """An FTS5 query matching entries containing every word of ``text`` as a prefix, or
    ``None`` when ``text`` holds no searchable word. Never raises for any ``str``."""
    words = []
    for raw in text.split():
        # Drop characters SQLite cannot hold in a query string (NUL, lone surrogates).
        word = raw.replace("\x00", "").encode("utf-8", "ignore").decode("utf-8")
        if word and _has_token(word):
            words.append('"' + word.replace('"', '""') + '"*')
        if len(words) >= _MAX_WORDS:
            break
    return " ".join(words) or None


def _ms(value: datetime | str) -> int:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp() * 1000)


def filters_sql(filters: Filters, alias: str = "e") -> tuple[str, list[Any]]:
    """A ``WHERE`` clause body (without ``WHERE``) and its parameters for ``filters``."""
    a = alias
    clauses = [f"{a}.trashed_at IS NOT NULL" if filters.trashed else f"{a}.trashed_at IS NULL"]
    params: list[Any] = []
    if filters.favourite is not None:
        clauses.append(f"{a}.favourite = ?")
        params.append(int(filters.favourite))
    if filters.resolution:
        clauses.append(f"{a}.resolution = ?")
        params.append(filters.resolution)
    if filters.min_duration_s is not None:
        clauses.append(f"{a}.duration_s >= ?")
        params.append(float(filters.min_duration_s))
    if filters.max_duration_s is not None:
        clauses.append(f"{a}.duration_s <= ?")
        params.append(float(filters.max_duration_s))
    if filters.has_audio is not None:
        clauses.append(f"{a}.has_audio = ?")
        params.append(int(filters.has_audio))
    if filters.created_from is not None:
        clauses.append(f"{a}.created_ms >= ?")
        params.append(_ms(filters.created_from))
    if filters.created_to is not None:
        clauses.append(f"{a}.created_ms < ?")
        params.append(_ms(filters.created_to))
    if filters.tag:
        clauses.append(f"{a}.id IN (SELECT entry_id FROM entry_tags WHERE tag = ?)")
        params.append(filters.tag)
    return " AND ".join(clauses), params


def order_sql(sort: str, alias: str = "e", *, searching: bool = False) -> str:
    """The ``ORDER BY`` body for one of ``models.SORTS`` (ties broken by id: a stable page
    order)."""
    a = alias
    orders = {
        "newest": f"{a}.created_ms DESC, {a}.id DESC",
        "oldest": f"{a}.created_ms ASC, {a}.id ASC",
        "longest": f"{a}.duration_s DESC, {a}.created_ms DESC, {a}.id DESC",
        "shortest": f"{a}.duration_s ASC, {a}.created_ms DESC, {a}.id DESC",
    }
    if searching:
        orders["relevance"] = f"bm25(entries_fts), {a}.created_ms DESC, {a}.id DESC"
    if sort not in orders:
        raise ValueError(f"unknown sort {sort!r}; use one of {', '.join(orders)}")
    return orders[sort]
