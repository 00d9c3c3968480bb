"""fal's Platform API for the engine's one model (the handler's thread; each function answers
one admitted ``GET``):

- ``/v1/models?endpoint_id=…[&expand=openapi-3.0]``: the model, with its OpenAPI schema when
  expanded, written from the very table the engine validates submits with;
- ``/v1/models/pricing?endpoint_id=…``: 0 US dollars per second (the offline engine is free).

An ``endpoint_id`` the engine does not serve gets fal's empty list; without one, the engine's
whole catalogue (its one model) is listed.
"""

from __future__ import annotations

from wan_desktop.core.platform_answers import models_answer, pricing_answer

from .exchange import Exchange
from .model_table import schema_in_force

__all__ = ["models", "pricing"]

_EXPAND_SCHEMA = "openapi-3.0"


def _listed(ex: Exchange) -> bool:
    """True when the query asks for the engine's model (or for every model)."""
    asked = ex.query.get("endpoint_id")
    return not asked or ex.engine.schema.endpoint_id in asked


def _empty(kind: str) -> dict[str, object]:
    return {kind: [], "next_cursor": None, "has_more": False}


def models(ex: Exchange, body: bytes) -> None:
    """The model's metadata, and its schema when ``expand=openapi-3.0`` (the ``changed_schema``
    fault's table while it fires)."""
    if not _listed(ex):
        ex.json(200, _empty("models"))
        return
    expand = {part.strip() for value in ex.query.get("expand", []) for part in value.split(",")}
    if _EXPAND_SCHEMA not in expand:
        answer = models_answer(ex.engine.schema)
        for model in answer["models"]:
            model.pop("openapi", None)
    else:
        answer = models_answer(schema_in_force(ex.engine.faults, ex.engine.schema, "models"))
    ex.json(200, answer)


def pricing(ex: Exchange, body: bytes) -> None:
    """The price per second of video: nothing."""
    if not _listed(ex):
        ex.json(200, _empty("prices"))
        return
    ex.json(200, pricing_answer(ex.engine.schema.endpoint_id, 0))
