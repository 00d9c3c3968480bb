"""The fields of a take: which group it belongs to, its label in the group, and how it was
judged (a rating and a pick/reject flag). The limits live here, once; the sidecar schema
(:mod:`.schema`) types the stored values with the same limits, and the ``check_*`` functions
turn what a caller passes into a stored value or a :class:`FieldError` that names the field and
the limit. Pure; any thread.

Why these shapes:
- ``group_id``: the variants made by one action share it. ``None`` for a clip made alone.
- ``variant``: a short label a person reads on the card ("seed 1234", "prompt B · seed 1234");
  one line, so it fits a cell of the contact sheet.
- ``take``: the 1-based place the take was queued at in its group (0: not known). The takes
  of a group are filed as each finishes, in whatever order the service returns them, so
  this, not the filing time, is the order a contact sheet shows them in.
- ``rating``: 0..5 stars, 0 meaning not rated yet (so "unrated" sorts below one star).
- ``flag``: "" (none), "picked" or "rejected"; culling keeps the picks and moves the rejects of
  a group to the trash (:meth:`Library.keep_picks`).
"""

from __future__ import annotations

from typing import Any

from ..core.variants import MAX_TAKES
from .errors import FieldError
from .ids import is_valid_group_id

__all__ = [
    "FLAGS",
    "FLAG_PICKED",
    "FLAG_REJECTED",
    "MAX_RATING",
    "MAX_TAKES",
    "MAX_VARIANT_CHARS",
    "check_flag",
    "check_group_id",
    "check_rating",
    "check_take",
    "clean_variant",
]

MAX_RATING = 5
FLAG_PICKED = "picked"
FLAG_REJECTED = "rejected"
#: Every flag a take may carry ("" is none).
FLAGS = ("", FLAG_PICKED, FLAG_REJECTED)
MAX_VARIANT_CHARS = 80


def check_rating(value: Any) -> int:
    """``value`` as a stored rating (an int 0..5); raises :class:`FieldError`."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_RATING:
        raise FieldError(
            f"rating must be a whole number from 0 (not rated) to {MAX_RATING}; got {value!r}"
        )
    return value


def check_take(value: Any) -> int:
    """``value`` as a stored take number (an int 0..:data:`MAX_TAKES`, 0: not known); raises
    :class:`FieldError`."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_TAKES:
        raise FieldError(
            f"take must be a whole number from 1 to {MAX_TAKES} (0: not known); got {value!r}"
        )
    return value


def check_flag(value: Any) -> str:
    """``value`` as a stored flag: "picked", "rejected", or "" (``None`` and "none" clear it);
    raises :class:`FieldError`."""
    if value is None or value == "none":
        return ""
    if value not in FLAGS or not isinstance(value, str):
        raise FieldError(f"flag must be 'picked', 'rejected' or none; got {str(value)[:40]!r}")
    return value


def check_group_id(value: Any) -> str | None:
    """``value`` as a stored take-group id (``None``: no group); raises :class:`FieldError`."""
    if value is None:
        return None
    if not is_valid_group_id(value):
        raise FieldError(
            "group_id must be 4 to 64 lowercase letters, digits or '-', not starting with '-'; "
            f"got {str(value)[:80]!r}"
        )
    return value


def clean_variant(value: Any) -> str:
    """``value`` as a stored variant label: one line (whitespace collapsed), at most
    :data:`MAX_VARIANT_CHARS` characters; raises :class:`FieldError` when it is not text or
    is longer."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise FieldError(f"variant must be text; got {type(value).__name__}")
    label = " ".join(value.split())
    if len(label) > MAX_VARIANT_CHARS:
        raise FieldError(
            f"variant must be at most {MAX_VARIANT_CHARS} characters; got {len(label)}"
        )
    return label
