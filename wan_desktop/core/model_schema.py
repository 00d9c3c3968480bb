"""The resolved table of the model's inputs: the bundled table, with fal's live schema over it.

``ModelSchema.bundled()`` is ``core.limits`` as it ships. ``ModelSchema.from_openapi(doc)``
lays fal's published schema over it: maximum lengths, enums, defaults, bounds, required
fields and descriptions of the inputs this version knows, plus every input it does not know
that it can offer (boolean, enum, integer, number, string) as an *extra* input.

The process has one current table (``current_schema()``), bundled until the app resolves a
live or cached one (``set_current_schema``). Validation, counters, widgets and the offline
engine read it, so they never disagree about a limit.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from . import limits
from .input_values import check_value, display_name, parse_value
from .limits import InputSpec
from .openapi import MISSING, PropertyInfo, input_properties
from .problems import InvalidInputError, Problem
from .text import excerpt

__all__ = [
    "MAX_EXTRA_INPUTS",
    "SOURCES",
    "ModelSchema",
    "check_extras",
    "current_schema",
    "parse_param",
    "parse_params",
    "set_current_schema",
]

#: Where a table came from: as shipped, fetched from fal just now, or read from the cache.
SOURCES = ("bundled", "live", "cache")

#: The most inputs unknown to this version that are offered: a real schema has a handful; a
#: hostile one must not make the window build thousands of widgets.
MAX_EXTRA_INPUTS = 50
# Extra inputs are sent back under their names and typed after --param: API-style names only.
_EXTRA_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_MAX_LABEL_CHARS = 120
_MAX_DESCRIPTION_CHARS = 2000

_EXTRA_KINDS = {"boolean": "boolean", "integer": "integer", "number": "number", "string": "string"}


@dataclass(frozen=True, slots=True)
class ModelSchema:
    """Every input of one endpoint with its resolved limits and defaults (immutable).

    ``inputs`` holds the inputs this version knows (in the bundled order), then the extra
    ones in the schema's order. ``fetched_at`` is when fal published it (epoch seconds;
    ``None`` for the bundled table). ``status`` is fal's model status (``active``,
    ``deprecated``) when known.
    """

    endpoint_id: str
    inputs: Mapping[str, InputSpec]
    source: str = "bundled"
    fetched_at: float | None = None
    status: str | None = None

    @classmethod
    def bundled(cls, endpoint_id: str = limits.ENDPOINT_ID) -> ModelSchema:
        """The table as it ships (``core.limits``)."""
        return cls(endpoint_id, dict(limits.INPUTS))

    @classmethod
    def from_openapi(
        cls,
        doc: object,
        *,
        endpoint_id: str = limits.ENDPOINT_ID,
        source: str = "live",
        fetched_at: float | None = None,
        status: str | None = None,
    ) -> ModelSchema:
        """The bundled table with ``doc`` (an OpenAPI 3 document from fal) laid over it.

        Raises ``core.openapi.SchemaError`` when ``doc`` has no input schema to read.
        Values that contradict themselves (a default outside the enum, a maximum length
        below one) are ignored and the bundled value stays.
        """
        merged = dict(limits.INPUTS)
        extras: dict[str, InputSpec] = {}
        for info in input_properties(doc, endpoint_id):
            if info.name in merged:
                merged[info.name] = _overlay(merged[info.name], info)
            elif len(extras) < MAX_EXTRA_INPUTS:
                spec = _extra(info)
                if spec is not None:
                    extras[info.name] = spec
        return cls(endpoint_id, {**merged, **extras}, source, fetched_at, status)

    def replace(self, **changes: Any) -> ModelSchema:
        """A copy with some attributes changed (``source``, ``fetched_at``, ...)."""
        return dataclasses.replace(self, **changes)

    # ---- reading the table ---------------------------------------------------------------

    def spec(self, name: str) -> InputSpec:
        """The spec of input ``name`` (``KeyError`` when this endpoint has no such input)."""
        return self.inputs[name]

    def max_chars(self, name: str) -> int | None:
        """The maximum length of text input ``name``, in code points (``None``: no limit)."""
        return self.inputs[name].max_chars

    def choices(self, name: str) -> tuple[Any, ...]:
        """The values enum input ``name`` takes, as the API spells them."""
        return self.inputs[name].choices

    def default(self, name: str) -> object:
        """The default of input ``name`` (``None`` where it has none)."""
        return self.inputs[name].default

    def durations_s(self) -> tuple[int, ...]:
        """The durations on offer, in seconds."""
        allowed = tuple(int(c) for c in self.choices("duration") if _is_seconds(c))
        return allowed or limits.DURATIONS_S

    @property
    def extras(self) -> dict[str, InputSpec]:
        """The inputs this version does not know, in the schema's order."""
        return {n: s for n, s in self.inputs.items() if n not in limits.INPUTS}

    def request_defaults(self) -> dict[str, Any]:
        """Defaults for the options of a new ``GenerationRequest`` (duration in seconds)."""
        names = (
            "resolution",
            "negative_prompt",
            "enable_prompt_expansion",
            "multi_shots",
            "enable_safety_checker",
            "generate_audio",
        )
        found = {n: self.default(n) for n in names if self.default(n) is not None}
        duration = self.default("duration")
        if _is_seconds(duration):
            found["duration"] = int(str(duration))
        return found


def _is_seconds(value: object) -> bool:
    """A whole number of seconds as the API's enum spells it ("5"); "²" is a digit to
    ``str.isdigit`` but not to ``int``."""
    text = str(value)
    return text.isascii() and text.isdigit() and len(text) <= 6


def _fits(spec: InputSpec, value: object) -> bool:
    return value is None or check_value(spec, value) is None


def _overlay(spec: InputSpec, info: PropertyInfo) -> InputSpec:
    """``spec`` (bundled) with what ``info`` (live) says about it. The kind stays the
    bundled one: the app's own widgets and checks are built for it."""
    changes: dict[str, Any] = {"required": info.required}
    if info.description:
        changes["description"] = info.description
    if spec.kind in ("string", "url") and info.max_length is not None:
        changes["max_chars"] = info.max_length
    if spec.kind == "enum" and info.enum:
        changes["choices"] = tuple(str(v) for v in info.enum)
    if spec.kind in ("integer", "number"):
        if info.minimum is not None:
            changes["minimum"] = info.minimum
        if info.maximum is not None:
            changes["maximum"] = info.maximum
    updated = dataclasses.replace(spec, **changes)
    if info.default is not MISSING:
        default = str(info.default) if spec.kind == "enum" else info.default
        if _fits(updated, default):
            updated = dataclasses.replace(updated, default=default)
    if not _fits(updated, updated.default):
        updated = dataclasses.replace(updated, default=None)
    return updated


def _extra(info: PropertyInfo) -> InputSpec | None:
    """An input this version does not know, if it is of a kind the app can offer."""
    kind = "enum" if info.enum else _EXTRA_KINDS.get(info.type or "")
    if kind is None or not _EXTRA_NAME.fullmatch(info.name):
        return None
    label = excerpt(info.title, _MAX_LABEL_CHARS) or info.name.replace("_", " ").capitalize()
    spec = InputSpec(
        info.name,
        label,
        kind,
        required=info.required,
        choices=info.enum,
        max_chars=info.max_length if kind == "string" else None,
        minimum=info.minimum if kind in ("integer", "number") else None,
        maximum=info.maximum if kind in ("integer", "number") else None,
        description=info.description[:_MAX_DESCRIPTION_CHARS],
    )
    if info.default is not MISSING and _fits(spec, info.default):
        spec = dataclasses.replace(spec, default=info.default)
    return spec


def parse_param(text: str, schema: ModelSchema | None = None) -> tuple[str, object] | Problem:
    """``NAME=VALUE`` (``generate --param``) as ``(name, typed value)``, or the problem.

    Only extra inputs (those this version has no option for) are set this way; the value is
    typed and checked by the resolved table (the current one when ``schema`` is ``None``).
    """
    table = current_schema() if schema is None else schema
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep or not name:
        return Problem(name or "param", f"{text!r}: write a parameter as NAME=VALUE.")
    if name in limits.INPUTS:
        label = limits.INPUTS[name].label
        return Problem(
            name, f"{label} ({name}) has its own option; set it there, not as NAME=VALUE."
        )
    spec = table.extras.get(name)
    if spec is None:
        offered = ", ".join(table.extras) or "none"
        return Problem(name, f"{name}: unknown field (the model's other inputs: {offered}).")
    parsed = parse_value(spec, value)
    return parsed if isinstance(parsed, Problem) else (name, parsed)


def parse_params(texts: Iterable[str], schema: ModelSchema | None = None) -> dict[str, object]:
    """Every ``NAME=VALUE`` of a command line as ``{name: typed value}``.

    Raises :class:`InvalidInputError` naming every refused field (unknown, mistyped, out of
    range, or set twice) so nothing is sent.
    """
    table = current_schema() if schema is None else schema
    values: dict[str, object] = {}
    problems: list[Problem] = []
    for text in texts:
        parsed = parse_param(text, table)
        if isinstance(parsed, Problem):
            problems.append(parsed)
        elif parsed[0] in values:
            problems.append(Problem(parsed[0], f"{parsed[0]} is set twice; set it once."))
        else:
            values[parsed[0]] = parsed[1]
    if problems:
        raise InvalidInputError(problems)
    return values


def check_extras(values: Mapping[str, object], schema: ModelSchema) -> list[Problem]:
    """Every problem with the extra inputs ``values`` under ``schema``, missing required
    ones included."""
    problems: list[Problem] = []
    extras = schema.extras
    for name, value in values.items():
        spec = extras.get(name)
        if spec is None:
            problems.append(Problem(name, f"{name}: unknown field for this model."))
            continue
        problem = check_value(spec, value)
        if problem is not None:
            problems.append(problem)
    for name, spec in extras.items():
        if spec.required and spec.default is None and name not in values:
            problems.append(Problem(name, f"{display_name(spec)} is required by the model."))
    return problems


_current = ModelSchema.bundled()


def current_schema() -> ModelSchema:
    """The process-wide resolved table (any thread: replaced whole, never mutated)."""
    return _current


def set_current_schema(schema: ModelSchema) -> None:
    """Make ``schema`` the table everyone reads from now on (call from one thread: the loop's)."""
    global _current
    _current = schema
