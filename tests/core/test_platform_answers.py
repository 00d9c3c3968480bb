"""A table written as fal's Platform API answers reads back as the same table."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import msgspec

from wan_desktop.core.limits import InputSpec
from wan_desktop.core.model_schema import ModelSchema
from wan_desktop.core.platform_answers import models_answer, pricing_answer, to_openapi

FIXTURE = Path(__file__).parent / "fixtures" / "platform_models_wan.json"


def live() -> ModelSchema:
    doc = json.loads(FIXTURE.read_text(encoding="utf-8"))["models"][0]["openapi"]
    return ModelSchema.from_openapi(doc)


def test_bundled_round_trips():
    bundled = ModelSchema.bundled()
    assert ModelSchema.from_openapi(to_openapi(bundled)).inputs == bundled.inputs


def test_live_with_extras_round_trips():
    table = live()
    assert ModelSchema.from_openapi(to_openapi(table)).inputs == table.inputs


def test_a_changed_schema_as_a_stand_in_would_publish_it():
    """What the offline engine's fault switch needs: another prompt limit and an extra field."""
    bundled = ModelSchema.bundled()
    changed = bundled.replace(
        inputs={
            **bundled.inputs,
            "prompt": dataclasses.replace(bundled.spec("prompt"), max_chars=1111),
            "loop_video": InputSpec("loop_video", "Loop video", "boolean", default=False),
        }
    )
    body = msgspec.json.decode(msgspec.json.encode(models_answer(changed)))
    [model] = body["models"]
    table = ModelSchema.from_openapi(model["openapi"], endpoint_id=model["endpoint_id"])
    assert table.max_chars("prompt") == 1111
    assert table.extras["loop_video"].default is False
    assert model["metadata"]["status"] == "active"


def test_pricing_answer_shape():
    assert pricing_answer("a/b", 0.0) == {
        "prices": [{"endpoint_id": "a/b", "unit_price": 0.0, "unit": "second", "currency": "USD"}],
        "next_cursor": None,
        "has_more": False,
    }


def test_mixed_enums_go_without_a_type():
    spec = InputSpec("mode", "Mode", "enum", choices=("a", 1))
    table = ModelSchema.bundled().replace(inputs={**ModelSchema.bundled().inputs, "mode": spec})
    prop = to_openapi(table)["components"]["schemas"]
    [schema] = prop.values()
    assert "type" not in schema["properties"]["mode"]
    assert ModelSchema.from_openapi(to_openapi(table)).extras["mode"].choices == ("a", 1)
