"""Entry ids: short, URL- and file-safe, sortable by creation time.

16 characters of lowercase Crockford base32: 10 for the millisecond timestamp (48 bits, good
until the year 10889) and 6 random (30 bits). Lowercase so they survive case-insensitive file
systems unchanged; sorting the strings sorts by creation time.
"""

from __future__ import annotations

import re
import secrets
import time
from datetime import UTC, datetime

__all__ = [
    "GROUP_ID_PATTERN",
    "ID_LENGTH",
    "ID_PATTERN",
    "SEQUENCE_ID_PATTERN",
    "id_datetime",
    "id_timestamp_ms",
    "is_valid_group_id",
    "is_valid_id",
    "is_valid_sequence_id",
    "new_group_id",
    "new_id",
    "new_sequence_id",
]

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_TIME_CHARS = 10
_RANDOM_CHARS = 6
ID_LENGTH = _TIME_CHARS + _RANDOM_CHARS
#: The whole text is an id (``\Z``: a trailing newline does not pass, unlike ``$``). The
#: sidecar schema checks ids and parent ids with the same pattern.
ID_PATTERN = f"\\A[{_ALPHABET}]{{{ID_LENGTH}}}\\Z"
_ID_RE = re.compile(ID_PATTERN)
#: A take group (the variants of one action): 4 to 64 lowercase letters, digits and dashes,
#: not starting with a dash. Wider than an entry id so a script may name its own groups.
GROUP_ID_PATTERN = r"\A[0-9a-z][0-9a-z-]{3,63}\Z"
_GROUP_RE = re.compile(GROUP_ID_PATTERN)
#: A sequence: ``s-`` and an entry-style id (time-sortable, safe as a file name).
SEQUENCE_ID_PATTERN = f"\\As-[{_ALPHABET}]{{{ID_LENGTH}}}\\Z"
_SEQUENCE_RE = re.compile(SEQUENCE_ID_PATTERN)


def _encode(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        value, digit = divmod(value, 32)
        chars.append(_ALPHABET[digit])
    return "".join(reversed(chars))


def new_id(timestamp_ms: int | None = None) -> str:
    """A fresh id for an entry created at ``timestamp_ms`` (default: now). Any thread."""
    ms = time.time_ns() // 1_000_000 if timestamp_ms is None else int(timestamp_ms)
    if not 0 <= ms < 32**_TIME_CHARS:
        raise ValueError(f"timestamp out of range: {ms}")
    return _encode(ms, _TIME_CHARS) + _encode(secrets.randbits(5 * _RANDOM_CHARS), _RANDOM_CHARS)


def new_group_id() -> str:
    """A fresh take-group id (``g-`` and a new entry-style id; time-sortable). Any thread."""
    return "g-" + new_id()


def new_sequence_id() -> str:
    """A fresh sequence id (``s-`` and a new entry-style id; time-sortable). Any thread."""
    return "s-" + new_id()


def is_valid_group_id(text: object) -> bool:
    """True when ``text`` has the shape of a take-group id (:data:`GROUP_ID_PATTERN`)."""
    return isinstance(text, str) and bool(_GROUP_RE.match(text))


def is_valid_sequence_id(text: object) -> bool:
    """True when ``text`` has the shape of a sequence id (so it is safe as a file name)."""
    return isinstance(text, str) and bool(_SEQUENCE_RE.match(text))


def is_valid_id(text: object) -> bool:
    """True when ``text`` has the shape of an entry id (so it is safe as a folder name)."""
    return isinstance(text, str) and bool(_ID_RE.match(text))


def id_timestamp_ms(entry_id: str) -> int:
    """The creation time encoded in ``entry_id``, in ms since the Unix epoch."""
    if not is_valid_id(entry_id):
        raise ValueError(f"not an entry id: {entry_id!r}")
    value = 0
    for char in entry_id[:_TIME_CHARS]:
        value = value * 32 + _ALPHABET.index(char)
    return value


def id_datetime(entry_id: str) -> datetime:
    """The creation time encoded in ``entry_id`` (UTC)."""
    return datetime.fromtimestamp(id_timestamp_ms(entry_id) / 1000, tz=UTC)
