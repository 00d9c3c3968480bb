"""One input's value against its spec: checked, or typed from text (Qt-free; any thread).

The same rules serve the request's validation, ``--param NAME=VALUE`` on the command line and
the "More options" widgets, so a value is refused with the same sentence wherever it is set.
Each sentence names the field and the limit from the resolved table (bundled or live).
"""

from __future__ import annotations

import math

from .limits import INPUTS, InputSpec
from .problems import Problem

__all__ = ["check_value", "display_name", "parse_value"]

_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})


def display_name(spec: InputSpec) -> str:
    """How a message names the input: the label, plus the API name for inputs this version
    does not know (that is the name people type after ``--param``)."""
    if spec.name in INPUTS or spec.label == spec.name:
        return spec.label
    return f"{spec.label} ({spec.name})"


def check_value(spec: InputSpec, value: object) -> Problem | None:
    """The problem with ``value`` for ``spec`` (``None`` when it is acceptable).

    Types are strict, as the API's are: ``True`` is not an integer, ``"5"`` is not a number.
    Text lengths count Unicode code points, as the API counts them.
    """
    name = display_name(spec)
    if spec.kind == "boolean":
        if not isinstance(value, bool):
            return Problem(spec.name, f"{name} must be on or off (true or false).")
        return None
    if spec.kind == "enum":
        # 1 == True in Python; the API's enum tells them apart.
        if any(type(value) is type(c) and value == c for c in spec.choices):
            return None
        allowed = ", ".join(str(c) for c in spec.choices)
        return Problem(spec.name, f"{name}: {value!r} is not one of {allowed}.")
    if spec.kind in ("integer", "number"):
        return _check_number(spec, name, value)
    if spec.kind in ("string", "url"):
        if not isinstance(value, str):
            return Problem(spec.name, f"{name} must be text.")
        return _check_length(spec, name, value)
    return Problem(spec.name, f"{name}: this app cannot send values of this kind.")


def parse_value(spec: InputSpec, text: str) -> object | Problem:
    """``text`` (as typed on a command line) as the value ``spec`` takes, checked; or the
    problem, naming the field and what it accepts."""
    name = display_name(spec)
    value: object = text
    if spec.kind == "boolean":
        word = text.strip().lower()
        if word not in _TRUE | _FALSE:
            return Problem(spec.name, f"{name} must be true or false (got {text!r}).")
        value = word in _TRUE
    elif spec.kind == "enum":
        typed = [c for c in spec.choices if str(c) == text.strip()]
        value = typed[0] if typed else text
    elif spec.kind == "integer":
        try:
            value = int(text.strip(), 10)
        except ValueError:
            return Problem(spec.name, f"{name} must be {_range_text(spec, 'an integer')}.")
    elif spec.kind == "number":
        try:
            value = float(text.strip())
        except ValueError:
            return Problem(spec.name, f"{name} must be {_range_text(spec, 'a number')}.")
    problem = check_value(spec, value)
    return problem if problem is not None else value


def _check_number(spec: InputSpec, name: str, value: object) -> Problem | None:
    is_int = isinstance(value, int) and not isinstance(value, bool)
    if spec.kind == "integer":
        ok = is_int
        noun = "an integer"
    else:
        ok = is_int or (isinstance(value, float) and math.isfinite(value))
        noun = "a number"
    if ok:
        assert isinstance(value, (int, float))
        below = spec.minimum is not None and value < spec.minimum
        above = spec.maximum is not None and value > spec.maximum
        ok = not (below or above)
    if ok:
        return None
    return Problem(spec.name, f"{name} must be {_range_text(spec, noun)} (got {value!r}).")


def _range_text(spec: InputSpec, noun: str) -> str:
    """``an integer from 0 to 10``, ``an integer ≤ 10``, ``a number ≥ 0.5``, or the noun."""
    low, high = spec.minimum, spec.maximum
    if low is not None and high is not None:
        return f"{noun} from {low} to {high}"
    if high is not None:
        return f"{noun} ≤ {high}"
    if low is not None:
        return f"{noun} ≥ {low}"
    return noun


def _check_length(spec: InputSpec, name: str, value: str) -> Problem | None:
    # len() of a str counts code points: emoji, ZWJ parts and combining marks each count one,
    # as the API counts them.
    count = len(value)
    if spec.max_chars is None or count <= spec.max_chars:
        return None
    return Problem(
        spec.name,
        f"{name} is {count} characters; the limit is {spec.max_chars} "
        f"(remove {count - spec.max_chars}).",
    )
