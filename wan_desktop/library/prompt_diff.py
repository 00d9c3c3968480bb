"""Word-level differences between two prompts (Qt-free).

The service may rewrite a prompt before using it (prompt expansion). To show what changed,
both texts are split into words and :class:`difflib.SequenceMatcher` aligns them. Words are
compared case-folded and without surrounding punctuation, so ``"fox,"`` and ``"Fox"`` count as
the same word (the rewrite keeps the idea); the text shown is always each side's own.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

__all__ = ["Segment", "diff_words", "side_by_side", "similarity", "split_words"]

Kind = Literal["equal", "added", "removed"]
_WORD = re.compile(r"\S+")
_EDGE_PUNCT = re.compile(r"^[^\w]+|[^\w]+$", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of words: ``kind`` is ``equal``, ``added`` (only in the second text) or
    ``removed`` (only in the first). ``text`` is the words joined by single spaces."""

    kind: Kind
    text: str


def split_words(text: str) -> list[str]:
    """The words of ``text`` (runs of non-space characters), in order."""
    return _WORD.findall(text or "")


def _key(word: str) -> str:
    stripped = _EDGE_PUNCT.sub("", word)
    return unicodedata.normalize("NFC", stripped or word).casefold()


def diff_words(before: str, after: str) -> list[Segment]:
    """Segments turning ``before`` into ``after``: equal runs (``after``'s wording), removed
    runs (``before``'s) and added runs (``after``'s); a replacement is a removal then an
    addition. Pure and fast (a 1,000-word pair in a few ms); any thread."""
    a, b = split_words(before), split_words(after)
    matcher = difflib.SequenceMatcher(None, [_key(w) for w in a], [_key(w) for w in b], False)
    out: list[Segment] = []

    def push(kind: Kind, words: list[str]) -> None:
        if not words:
            return
        text = " ".join(words)
        if out and out[-1].kind == kind:
            out[-1] = Segment(kind, out[-1].text + " " + text)
        else:
            out.append(Segment(kind, text))

    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            push("equal", b[j1:j2])
        else:
            push("removed", a[i1:i2])
            push("added", b[j1:j2])
    return out


def side_by_side(before: str, after: str) -> tuple[list[Segment], list[Segment]]:
    """The diff split for two columns: ``before`` as equal + removed runs, ``after`` as equal +
    added runs (equal runs show each side's own wording)."""
    a, b = split_words(before), split_words(after)
    matcher = difflib.SequenceMatcher(None, [_key(w) for w in a], [_key(w) for w in b], False)
    left: list[Segment] = []
    right: list[Segment] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            left.append(Segment("equal", " ".join(a[i1:i2])))
            right.append(Segment("equal", " ".join(b[j1:j2])))
            continue
        if i2 > i1:
            left.append(Segment("removed", " ".join(a[i1:i2])))
        if j2 > j1:
            right.append(Segment("added", " ".join(b[j1:j2])))
    return left, right


def similarity(before: str, after: str) -> float:
    """How much of the wording the two texts share, 0..1 (1: the same words)."""
    a = [_key(w) for w in split_words(before)]
    b = [_key(w) for w in split_words(after)]
    if not a and not b:
        return 1.0
    return difflib.SequenceMatcher(None, a, b, False).ratio()
