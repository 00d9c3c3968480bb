"""A resolved table written back as fal's Platform API answers (Qt-free; any thread).

The offline engine (and test stand-ins) serve ``/v1/models`` and ``/v1/models/pricing`` from
these, so what they publish is read by the very parser that reads fal's answers:
``ModelSchema.from_openapi(to_openapi(schema))`` gives ``schema`` back.
"""

from __future__ import annotations

from typing import Any

from .limits import InputSpec
from .model_schema import ModelSchema

__all__ = ["models_answer", "pricing_answer", "to_openapi"]

_JSON_TYPES = {
    "string": "string",
    "url": "string",
    "boolean": "boolean",
    "integer": "integer",
    "number": "number",
}
_ENUM_TYPES = {str: "string", bool: "boolean", int: "integer", float: "number"}


def to_openapi(schema: ModelSchema) -> dict[str, Any]:
    """``schema`` as an OpenAPI 3.0 document shaped like fal's: the POST operation on
    ``/{endpoint_id}`` names its input schema with a ``$ref``."""
    input_name = "".join(part.capitalize() for part in _words(schema.endpoint_id)) + "Input"
    properties = {name: _property(spec) for name, spec in schema.inputs.items()}
    required = [name for name, spec in schema.inputs.items() if spec.required]
    body = {"$ref": f"#/components/schemas/{input_name}"}
    return {
        "openapi": "3.0.4",
        "info": {"title": f"Queue OpenAPI for {schema.endpoint_id}", "version": "1.0.0"},
        "paths": {
            f"/{schema.endpoint_id}": {
                "post": {
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": body}},
                    }
                }
            }
        },
        "components": {
            "schemas": {
                input_name: {"type": "object", "required": required, "properties": properties}
            }
        },
    }


def models_answer(schema: ModelSchema, *, status: str = "active") -> dict[str, Any]:
    """The body of ``GET /v1/models?endpoint_id=…&expand=openapi-3.0`` for ``schema``."""
    model = {
        "endpoint_id": schema.endpoint_id,
        "metadata": {"display_name": schema.endpoint_id, "status": status},
        "openapi": to_openapi(schema),
    }
    return {"models": [model], "next_cursor": None, "has_more": False}


def pricing_answer(endpoint_id: str, unit_price_usd: float) -> dict[str, Any]:
    """The body of ``GET /v1/models/pricing?endpoint_id=…``: US dollars per second."""
    price = {
        "endpoint_id": endpoint_id,
        "unit_price": unit_price_usd,
        "unit": "second",
        "currency": "USD",
    }
    return {"prices": [price], "next_cursor": None, "has_more": False}


def _property(spec: InputSpec) -> dict[str, Any]:
    prop: dict[str, Any] = {"title": spec.label}
    if spec.kind == "enum":
        kinds = {_ENUM_TYPES.get(type(c)) for c in spec.choices}
        if len(kinds) == 1 and None not in kinds:
            prop["type"] = kinds.pop()  # mixed enums go without a type, as OpenAPI allows
        prop["enum"] = list(spec.choices)
    else:
        prop["type"] = _JSON_TYPES.get(spec.kind, "string")
    if spec.description:
        prop["description"] = spec.description
    if spec.default is not None:
        prop["default"] = spec.default
    if spec.max_chars is not None:
        prop["maxLength"] = spec.max_chars
    if spec.minimum is not None:
        prop["minimum"] = spec.minimum
    if spec.maximum is not None:
        prop["maximum"] = spec.maximum
    return prop


def _words(endpoint_id: str) -> list[str]:
    """``wan/v2.6/image-to-video/flash`` → ``["wan", "v26", "image", "to", "video", "flash"]``."""
    cleaned = "".join(c if c.isalnum() else " " for c in endpoint_id.replace(".", ""))
    return cleaned.split()
