"""The resolved table the engine publishes and validates with (any thread; pure but for the
fault it consults).

One table serves both ``/v1/models`` and the validation of submits, so what the engine says
is what it enforces: the engine's own table (bundled unless it was given another), or, under
the ``changed_schema`` fault, that table with another prompt limit and one more boolean input.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from wan_desktop.core.limits import InputSpec
from wan_desktop.core.model_schema import ModelSchema

from .faults import Faults

__all__ = ["changed_schema", "schema_in_force"]


def changed_schema(base: ModelSchema, params: dict[str, Any]) -> ModelSchema:
    """``base`` as the ``changed_schema`` fault's ``params`` change it: the prompt's maximum
    length, and an extra boolean input with its default."""
    inputs = dict(base.inputs)
    inputs["prompt"] = dataclasses.replace(inputs["prompt"], max_chars=params["prompt_max_chars"])
    name = params["extra_field"]
    inputs[name] = InputSpec(
        name,
        name.replace("_", " ").capitalize(),
        "boolean",
        default=params["extra_default"],
        description="An input this version of the app does not know (the offline engine's "
        "changed_schema fault).",
    )
    return base.replace(inputs=inputs)


def schema_in_force(faults: Faults, base: ModelSchema, route: str) -> ModelSchema:
    """The table for one request on ``route`` (``models`` or ``submit``): ``base``, or the
    changed one while the ``changed_schema`` fault fires (each call uses one firing)."""
    params = faults.take("changed_schema", route)
    return base if params is None else changed_schema(base, params)
