"""Hiding the fal key in text and data (pure; any thread): the one redactor of the app.

A service (or a proxy, or the offline engine) may echo the key: in a log line, a result
field, an error detail, a header, a URL. Whatever echoes it, the key must not reach the
library, the MP4 comment, the command line's output or the log file, so the fal client passes
every value it returns or raises through one :class:`KeyRedactor`, and the log scrubber
(``core.logs.scrub``) hides every registered key through one too.

The forms hidden: the whole key, each half of a fal key (``KEY_ID:KEY_SECRET``) on its own
when it is at least ``MIN_PART_CHARS`` long, and each of those URL-encoded (``%3A`` or
``%3a``, ``+`` for spaces). Matching ignores case, so a re-cased echo is caught too. A "key"
shorter than ``MIN_KEY_CHARS`` is no fal key (tests use ``"k"``) and is left alone.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, TypeVar
from urllib.parse import quote, quote_plus

__all__ = ["HIDDEN", "MIN_KEY_CHARS", "MIN_PART_CHARS", "KeyRedactor", "key_forms"]

#: What a hidden key is replaced with, everywhere.
HIDDEN = "«key hidden»"
#: Shorter keys are not fal keys, and hiding them would maul ordinary text (a test key "k").
MIN_KEY_CHARS = 6
#: A half of ``id:secret`` shorter than this could be an ordinary word: it is left alone.
MIN_PART_CHARS = 8

T = TypeVar("T")
E = TypeVar("E", bound=BaseException)


def key_forms(key: str) -> list[str]:
    """The texts to hide for ``key``, longest first (so a whole key is one mark, not two)."""
    key = key.strip()
    if len(key) < MIN_KEY_CHARS:
        return []
    plain = [key, *(part for part in key.split(":") if len(part) >= MIN_PART_CHARS)]
    found = {form for text in plain for form in (text, quote(text, safe=""), quote_plus(text))}
    return sorted(found, key=len, reverse=True)


class KeyRedactor:
    """Hides one key (or several) in text, in decoded JSON and in the fal client's result and
    error types.

    ``KeyRedactor(None)`` (no key) changes nothing; ``KeyRedactor(key, other, ...)`` hides
    each. Immutable once built; any thread.
    """

    def __init__(self, key: str | None, *more: str | None) -> None:
        found = {form for k in (key, *more) for form in key_forms(k or "")}
        forms = sorted(found, key=len, reverse=True)
        self._pattern = (
            re.compile("|".join(map(re.escape, forms)), re.IGNORECASE) if forms else None
        )

    def __repr__(self) -> str:
        return f"<KeyRedactor {'armed' if self._pattern else 'idle'}>"

    def text(self, value: str) -> str:
        """``value`` with every form of the key replaced by ``HIDDEN``."""
        if self._pattern is None or not value or not self._pattern.search(value):
            return value  # the very object: a str subclass (an enum member) stays what it is
        return self._pattern.sub(HIDDEN, value)

    def data(self, value: T) -> T:
        """A copy of ``value`` with the key hidden in every string inside it: dict keys and
        values, list and tuple items, fields of (frozen) dataclasses. Other values (numbers,
        enums, paths) are returned as they are."""
        if self._pattern is None:
            return value
        return self._walk(value)

    def error(self, exc: E) -> E:
        """``exc`` with the key hidden in its arguments and every attribute, also in the
        errors it was raised from; changed in place, returned for ``raise``."""
        if self._pattern is None:
            return exc
        seen: set[int] = set()
        current: BaseException | None = exc
        while current is not None and id(current) not in seen:
            seen.add(id(current))
            for name, value in list(vars(current).items()):
                vars(current)[name] = self._walk(value)
            current.args = self._walk(current.args)
            current = current.__cause__ or current.__context__
        return exc

    def _walk(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self._walk(k): self._walk(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            items = [self._walk(v) for v in value]
            return items if isinstance(value, list) else tuple(items)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            changes = {
                f.name: self._walk(getattr(value, f.name)) for f in dataclasses.fields(value)
            }
            return dataclasses.replace(value, **changes)
        return value
