"""Turning what a person types into a safe FTS5 query, and filters into SQL.

User text is never pasted into a ``MATCH`` expression as it is: FTS5 has its own syntax
(``AND``/``OR``/``NOT``/``NEAR``, quotes, ``*``, ``^``, ``:``, parentheses) and a stray quote is a
syntax error. Each word becomes a quoted string (inner quotes doubled) with a ``*`` so the
last letters need not be typed yet; words are ANDed. Words with nothing FTS would index
(punctuation only) are dropped, since a quoted string with no token is an error in FTS5.

A word that looks like a number also finds what the text index does not hold: "1080" or
"1080p" the clips of that resolution, "745410674" the clip of that seed (:func:`search_sql`).

A few words are filters rather than text (:func:`token_clause`): ``rating:4`` (rated 4 stars or
more), ``is:picked``, ``is:rejected`` and ``group:<id>`` (the takes of one group). Keys are
case-insensitive. A value that does not fit (``rating:9``, ``is:maybe``) is refused with a
:class:`~.errors.FieldError` naming the word and the limit, as ``--rating 9`` is, rather than
searched as text and finding nothing; :func:`search_word_problems` says so without a query
(the window shows it where the clips would be).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .clock import epoch_ms, iso_utc
from .errors import FieldError
from .ids import is_valid_group_id
from .models import Filters
from .takes import FLAG_PICKED, FLAG_REJECTED, MAX_RATING, check_flag, check_group_id, check_rating

__all__ = [
    "SearchSql",
    "filters_sql",
    "fts_query",
    "iso_utc",
    "order_sql",
    "search_sql",
    "search_word_problems",
    "token_clause",
]

# unicode61 indexes letters, numbers and private-use characters; everything else separates.
_TOKEN_CATEGORIES = ("L", "N", "Co")
_MAX_WORDS = 16
# "1080", "1080p", "745410674": a resolution (digits then an optional "p") or a seed.
_NUMBER_WORD = re.compile(r"(\d+)(p?)", re.IGNORECASE)
# Below this many digits a number matches a seed only whole: "5" in "5 cats" should not
# bring every seed that starts with a 5.
_SEED_PREFIX_DIGITS = 3


def _has_token(word: str) -> bool:
    return any(unicodedata.category(ch).startswith(_TOKEN_CATEGORIES) for ch in word)


def fts_query(text: str) -> str | None:
    """An FTS5 query matching entries containing every word of ``text`` as a prefix, or
    ``None`` when ``text`` holds no searchable word. Never raises for any ``str``."""
    words = []
    for raw in text.split():
        if quoted := _quoted(raw):
            words.append(quoted)
        if len(words) >= _MAX_WORDS:
            break
    return " ".join(words) or None


def _quoted(word: str) -> str:
    """``word`` as an FTS5 prefix string, or "" when FTS would index nothing of it."""
    # Drop characters SQLite cannot hold in a query string (NUL, lone surrogates).
    word = word.replace("\x00", "").encode("utf-8", "ignore").decode("utf-8")
    return '"' + word.replace('"', '""') + '"*' if word and _has_token(word) else ""


@dataclass(frozen=True, slots=True)
class SearchSql:
    """What a search selects from: ``source`` is the ``FROM`` … ``WHERE`` … text of a query
    (entries as ``e``) and ``params`` its parameters; ``ranked`` when it joins the text index,
    so ``bm25`` (the ``relevance`` sort) can order it."""

    source: str
    params: list[Any]
    ranked: bool


def _number_clause(word: str, alias: str) -> tuple[str, list[Any]] | None:
    """For a number-like word: the clips whose text holds it, or of that resolution, or whose
    seed is it (or starts with it, from :data:`_SEED_PREFIX_DIGITS` digits on)."""
    number = _NUMBER_WORD.fullmatch(word)
    if number is None:
        return None
    digits, p = number.groups()
    a = alias
    clauses = [f"{a}.seq IN (SELECT rowid FROM entries_fts WHERE entries_fts MATCH ?)",
               f"{a}.resolution = ?"]  # fmt: skip
    params: list[Any] = [_quoted(word), f"{int(digits)}p"]
    if not p:
        prefix = len(digits) >= _SEED_PREFIX_DIGITS
        clauses.append(f"CAST({a}.seed AS TEXT) LIKE ?" if prefix else f"{a}.seed = ?")
        params.append(f"{digits}%" if prefix else int(digits))
    return "(" + " OR ".join(clauses) + ")", params


_TOKEN = re.compile(r"(rating|is|group):(\S+)", re.IGNORECASE)
_IS_FLAGS = {"picked": FLAG_PICKED, "rejected": FLAG_REJECTED}


def token_clause(word: str, alias: str = "e") -> tuple[str, list[Any]] | None:
    """For a filter word (``rating:N``, ``is:picked``, ``is:rejected``, ``group:<id>``): its
    SQL condition and parameters; ``None`` for any other word (searched as text). Raises
    :class:`~.errors.FieldError` for a filter word whose value does not fit (see
    :func:`search_word_problems`)."""
    token = _TOKEN.fullmatch(word)
    if token is None:
        return None
    key, value = token.group(1).lower(), token.group(2)
    if key == "rating" and value.isascii() and value.isdigit() and 1 <= int(value) <= MAX_RATING:
        return f"{alias}.rating >= ?", [int(value)]
    if key == "is" and value.lower() in _IS_FLAGS:
        return f"{alias}.flag = ?", [_IS_FLAGS[value.lower()]]
    if key == "group" and is_valid_group_id(value.lower()):
        return f"{alias}.group_id = ?", [value.lower()]
    raise FieldError(_word_problem(word, key))


def _word_problem(word: str, key: str) -> str:
    """Why the filter word ``word`` (its key ``key``) does not fit: the word and the limit."""
    shown = word if len(word) <= 40 else word[:39] + "…"
    limits = {
        "rating": f"a rating is a whole number from 1 to {MAX_RATING}",
        "is": "use is:picked or is:rejected",
        "group": "a group id is 4 to 64 lowercase letters, digits or '-', not starting with '-'",
    }
    return f"search word {shown!r}: {limits[key]}"


def search_word_problems(text: str) -> list[str]:
    """What is wrong with each filter word of ``text`` whose value does not fit (``rating:9``,
    ``is:maybe``, a malformed ``group:``), each naming the word and the limit; empty when
    :meth:`Library.search` would take ``text``. Pure and quick: the window checks typed text
    with it before searching."""
    problems = []
    for raw in text.split():
        try:
            token_clause(raw)
        except FieldError as exc:
            problems.append(str(exc))
    return problems


def search_sql(text: str, filters: Filters, alias: str = "e") -> SearchSql | None:
    """The rows :func:`fts_query`'s words match (number-like words also as a resolution or a
    seed; filter words as their filter, see :func:`token_clause`) that pass ``filters``;
    ``None`` when ``text`` holds no searchable word. Raises :class:`~.errors.FieldError` for
    a filter word out of its limits."""
    words, numbers, params = [], [], []
    for raw in text.split():
        clause = token_clause(raw, alias) or _number_clause(raw, alias)
        if clause is not None:
            numbers.append(clause[0])
            params.extend(clause[1])
        elif quoted := _quoted(raw):
            words.append(quoted)
        if len(words) + len(numbers) >= _MAX_WORDS:
            break
    if not words and not numbers:
        return None
    where, filter_params = filters_sql(filters, alias)
    conditions = " AND ".join([*numbers, where])
    if not words:
        return SearchSql(f"entries {alias} WHERE {conditions}", [*params, *filter_params], False)
    source = (
        f"entries_fts JOIN entries {alias} ON {alias}.seq = entries_fts.rowid "
        f"WHERE entries_fts MATCH ? AND {conditions}"
    )
    return SearchSql(source, [" ".join(words), *params, *filter_params], True)


def filters_sql(filters: Filters, alias: str = "e") -> tuple[str, list[Any]]:
    """A ``WHERE`` clause body (without ``WHERE``) and its parameters for ``filters``."""
    a = alias
    # What was asked, from the recorded request (a missing switch: made with audio).
    sent = f"coalesce(json_extract({a}.data, '$.request.generate_audio'), 1)"
    # Each filter: its value (None: any), the clause that tests it, and the value it binds.
    # Empty text is "any" as well.
    asked: list[tuple[Any, str, Callable[[Any], Any]]] = [
        (filters.favourite, f"{a}.favourite = ?", int),
        (filters.resolution or None, f"{a}.resolution = ?", _as_is),
        (filters.min_duration_s, f"{a}.duration_s >= ?", float),
        (filters.max_duration_s, f"{a}.duration_s <= ?", float),
        (filters.has_audio, f"{a}.has_audio = ?", int),
        (filters.silent, f"{sent} = ?", lambda silent: 0 if silent else 1),
        (filters.created_from, f"{a}.created_ms >= ?", epoch_ms),
        (filters.created_to, f"{a}.created_ms < ?", epoch_ms),
        (filters.tag or None, f"{a}.id IN (SELECT entry_id FROM entry_tags WHERE tag = ?)", _as_is),
        (filters.min_rating, f"{a}.rating >= ?", check_rating),
        (filters.flag, f"{a}.flag = ?", check_flag),
        (filters.group_id, f"{a}.group_id = ?", check_group_id),
    ]
    clauses = [f"{a}.trashed_at IS NOT NULL" if filters.trashed else f"{a}.trashed_at IS NULL"]
    params: list[Any] = []
    for value, clause, bound in asked:
        if value is not None:
            clauses.append(clause)
            params.append(bound(value))
    return " AND ".join(clauses), params


def _as_is(value: Any) -> Any:
    return value


def order_sql(sort: str, alias: str = "e", *, searching: bool = False) -> str:
    """The ``ORDER BY`` body for one of ``models.SORTS`` (ties broken by id: a stable page
    order)."""
    a = alias
    orders = {
        "newest": f"{a}.created_ms DESC, {a}.id DESC",
        "oldest": f"{a}.created_ms ASC, {a}.id ASC",
        "longest": f"{a}.duration_s DESC, {a}.created_ms DESC, {a}.id DESC",
        "shortest": f"{a}.duration_s ASC, {a}.created_ms DESC, {a}.id DESC",
        "rating": f"{a}.rating DESC, {a}.created_ms DESC, {a}.id DESC",
        # Queue order within a group; 0 (not known: made alone, or filed before takes were
        # numbered) after the numbered ones, by filing time.
        "take": f"{a}.take = 0, {a}.take ASC, {a}.created_ms ASC, {a}.id ASC",
    }
    if searching:
        orders["relevance"] = f"bm25(entries_fts), {a}.created_ms DESC, {a}.id DESC"
    if sort not in orders:
        raise ValueError(f"unknown sort {sort!r}; use one of {', '.join(orders)}")
    return orders[sort]
