"""Reading a request body as JSON without letting it hurt the engine (any thread).

The standard decoder recurses once per nesting level, and a body of 100,000 ``[`` ends in a
``RecursionError`` that kills the handler thread; a number such as ``1e999`` decodes to
infinity and ``1e308`` overflows the timers it reaches. :func:`decode_json` refuses both with
a :class:`JsonInputError` whose message says why, before anything else sees the value.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

__all__ = ["MAX_DEPTH", "MAX_INT_DIGITS", "JsonInputError", "decode_json"]

#: Deepest nesting of arrays and objects taken (a submit body is two levels deep).
MAX_DEPTH = 32
#: Longest integer taken, in digits (a seed has ten).
MAX_INT_DIGITS = 30
# Every byte that changes the nesting or string state; base64 media holds none of them, so a
# 40 MB image costs a single regex pass.
_STRUCTURE = re.compile(rb'[\[\]{}"\\]')
# A real body has a few hundred of them (a long prompt full of brackets and quotes included).
_MAX_STRUCTURE_BYTES = 200_000


class JsonInputError(ValueError):
    """The body is not JSON the engine takes; the message is a sentence for the client."""


def decode_json(raw: bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """The value of ``raw``: JSON nested at most ``max_depth`` deep, every number finite and
    integers at most :data:`MAX_INT_DIGITS` digits. Raises :class:`JsonInputError`."""
    _check_depth(raw, max_depth)
    try:
        return json.loads(
            raw,
            parse_float=_finite_float,
            parse_int=_bounded_int,
            parse_constant=_no_constant,
        )
    except JsonInputError:
        raise
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise JsonInputError("The body is not valid JSON.") from exc


def _check_depth(raw: bytes, max_depth: int) -> None:
    """Refuse nesting deeper than ``max_depth`` by scanning only the structural bytes."""
    depth = 0
    in_string = False
    skip_to = -1  # the byte after a backslash is taken literally
    for count, match in enumerate(_STRUCTURE.finditer(raw)):
        if count > _MAX_STRUCTURE_BYTES:
            raise JsonInputError("The body holds too many JSON values.")
        position = match.start()
        if position < skip_to:
            continue
        byte = raw[position : position + 1]
        if in_string:
            if byte == b"\\":
                skip_to = position + 2
            elif byte == b'"':
                in_string = False
        elif byte == b'"':
            in_string = True
        elif byte in (b"[", b"{"):
            depth += 1
            if depth > max_depth:
                raise JsonInputError(
                    f"The body is nested too deep: at most {max_depth} levels of arrays and "
                    "objects are taken."
                )
        elif byte in (b"]", b"}"):
            depth -= 1


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JsonInputError(f"The number {text[:40]} is too large.")
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise JsonInputError(f"A whole number has more than {MAX_INT_DIGITS} digits.")
    return int(text)


def _no_constant(name: str) -> Any:
    raise JsonInputError(f"{name} is not a number JSON allows.")
