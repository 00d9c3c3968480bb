"""Reading a model's input properties out of an OpenAPI 3 document (Qt-free; any thread).

fal's Platform API publishes each model's schema as an OpenAPI document. The input schema is
found the way the document itself says: the POST operation's ``requestBody`` names it with a
``$ref``; no schema name is guessed. The document comes from a server, so every piece is
checked by type (msgspec) before it is used, and one malformed property is skipped rather
than spoiling the rest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import msgspec

__all__ = ["MAX_ENUM_VALUES", "MISSING", "PropertyInfo", "SchemaError", "input_properties"]

#: ``PropertyInfo.default`` when the schema gives no default (``None`` is a real default).
MISSING: Any = msgspec.UNSET

_REF_PREFIX = "#/components/schemas/"
#: The most enum values read for one input: enough for any real choice list, not a flood.
MAX_ENUM_VALUES = 100
# How deep $ref / allOf / anyOf chains are followed: fal's documents need two levels; a loop
# in a hostile document must not recurse for ever.
_MAX_REF_DEPTH = 4


class SchemaError(ValueError):
    """The document has no usable input schema; the message says what is missing."""


@dataclass(frozen=True, slots=True)
class PropertyInfo:
    """One input property as the schema publishes it (units: characters for ``max_length``).

    ``type`` is the JSON type (``string``, ``boolean``, ``integer``, ``number``, ...), or
    ``None`` when only an ``enum`` says what it takes. ``default`` is :data:`MISSING` when the
    schema has none.
    """

    name: str
    type: str | None
    title: str
    description: str
    default: Any
    enum: tuple[Any, ...]
    max_length: int | None
    minimum: int | float | None
    maximum: int | float | None
    required: bool


class _MediaType(msgspec.Struct):
    schema: dict[str, Any]


class _RequestBody(msgspec.Struct):
    content: dict[str, _MediaType]


class _Operation(msgspec.Struct):
    requestBody: _RequestBody | None = None  # OpenAPI's spelling


class _PathItem(msgspec.Struct):
    post: _Operation | None = None


class _Components(msgspec.Struct):
    schemas: dict[str, dict[str, Any]] = {}


class _Document(msgspec.Struct):
    paths: dict[str, _PathItem]
    components: _Components = msgspec.field(default_factory=_Components)


class _ObjectSchema(msgspec.Struct):
    properties: dict[str, dict[str, Any]] = {}
    required: list[str] = []


class _Property(msgspec.Struct):
    type: str | list[str] | None = None
    title: str | None = None
    description: str | None = None
    default: Any = msgspec.UNSET
    enum: list[Any] | None = None
    maxLength: int | None = None
    minimum: int | float | None = None
    maximum: int | float | None = None
    ref: str | None = msgspec.field(default=None, name="$ref")
    allOf: list[dict[str, Any]] | None = None
    anyOf: list[dict[str, Any]] | None = None
    oneOf: list[dict[str, Any]] | None = None


def input_properties(doc: object, endpoint_id: str) -> list[PropertyInfo]:
    """The input properties of ``endpoint_id``'s POST operation in ``doc``, in schema order.

    Raises :class:`SchemaError` when the document has no POST operation with a JSON request
    body whose ``$ref`` names an object schema in ``components.schemas``.
    """
    try:
        document = msgspec.convert(doc, _Document)
    except msgspec.ValidationError as exc:
        raise SchemaError(f"not an OpenAPI document ({exc})") from None
    schemas = document.components.schemas
    body = _input_schema(document, endpoint_id, schemas)
    try:
        obj = msgspec.convert(body, _ObjectSchema)
    except msgspec.ValidationError as exc:
        raise SchemaError(f"the input schema is not an object schema ({exc})") from None
    required = set(obj.required)
    found = []
    for name, raw in obj.properties.items():
        prop = _resolve(raw, schemas, _MAX_REF_DEPTH)
        if prop is not None:
            found.append(_info(name, prop, name in required))
    return found


def _input_schema(
    document: _Document, endpoint_id: str, schemas: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """The schema the POST operation's request body ``$ref`` names."""
    posts = {path: item.post for path, item in document.paths.items() if item.post is not None}
    operation = posts.get("/" + endpoint_id.strip("/"))
    if operation is None:
        # A document for one model may key its path differently ("/", a prefix): take the
        # POST with a body, preferring paths without a {parameter} (those are queue routes).
        candidates = [op for path, op in sorted(posts.items(), key=lambda kv: "{" in kv[0])]
        candidates = [op for op in candidates if op.requestBody is not None]
        operation = candidates[0] if candidates else None
    if operation is None or operation.requestBody is None:
        raise SchemaError("the document has no POST operation with a request body")
    media = operation.requestBody.content.get("application/json")
    ref = media.schema.get("$ref") if media is not None else None
    if not isinstance(ref, str) or not ref.startswith(_REF_PREFIX):
        raise SchemaError("the POST request body does not name its schema with a $ref")
    name = ref[len(_REF_PREFIX) :]
    if name not in schemas:
        raise SchemaError(f"the input schema {name!r} is not in components.schemas")
    return schemas[name]


def _resolve(raw: object, schemas: dict[str, dict[str, Any]], depth: int) -> _Property | None:
    """``raw`` with its ``$ref`` / single ``allOf`` / nullable ``anyOf`` folded in (the
    property's own title, description and default win over the referenced schema's), or
    ``None`` when it cannot be read."""
    try:
        prop = msgspec.convert(raw, _Property)
    except msgspec.ValidationError:
        return None
    target = _target(prop)
    if target is None:
        return prop
    if depth <= 0:
        return None
    if isinstance(target, str):
        if not target.startswith(_REF_PREFIX) or target[len(_REF_PREFIX) :] not in schemas:
            return None
        target = schemas[target[len(_REF_PREFIX) :]]
    inner = _resolve(target, schemas, depth - 1)
    if inner is None:
        return None
    own = {f: getattr(prop, f) for f in prop.__struct_fields__ if f not in _LINK_FIELDS}
    merged = {f: v for f, v in own.items() if v is not None and v is not msgspec.UNSET}
    return msgspec.structs.replace(inner, **merged)


_LINK_FIELDS = ("ref", "allOf", "anyOf", "oneOf")


def _target(prop: _Property) -> str | dict[str, Any] | None:
    """What ``prop`` points to: a ``$ref`` string, a sub-schema, or ``None``."""
    if prop.ref is not None:
        return prop.ref
    for options in (prop.allOf, prop.anyOf, prop.oneOf):
        if options:
            # "X or null" is how optional inputs are published; anything wider is not a
            # single type this app can offer.
            real = [o for o in options if o.get("type") != "null"]
            return real[0] if len(real) == 1 else None
    return None


def _info(name: str, prop: _Property, required: bool) -> PropertyInfo:
    max_length = prop.maxLength if prop.maxLength is not None and prop.maxLength > 0 else None
    return PropertyInfo(
        name=name,
        type=_single_type(prop.type),
        title=(prop.title or "").strip(),
        description=(prop.description or "").strip(),
        default=prop.default,
        enum=tuple(v for v in prop.enum or () if _is_scalar(v))[:MAX_ENUM_VALUES],
        max_length=max_length,
        minimum=prop.minimum if _is_finite(prop.minimum) else None,
        maximum=prop.maximum if _is_finite(prop.maximum) else None,
        required=required,
    )


def _single_type(declared: str | list[str] | None) -> str | None:
    """OpenAPI 3.1 writes an optional string as ``["string", "null"]``: that is a string."""
    if isinstance(declared, list):
        real = [t for t in declared if t != "null"]
        return real[0] if len(real) == 1 else None
    return declared


def _is_scalar(value: object) -> bool:
    return isinstance(value, (str, bool, int)) or _is_finite(value)


def _is_finite(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
