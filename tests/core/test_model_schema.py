"""The resolved table: fal's OpenAPI document laid over the bundled one, and validation by it."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from wan_desktop.core import limits, model_schema
from wan_desktop.core.model_schema import ModelSchema, current_schema, set_current_schema
from wan_desktop.core.openapi import SchemaError, input_properties
from wan_desktop.core.request import GenerationRequest

FIXTURE = Path(__file__).parent / "fixtures" / "platform_models_wan.json"


def platform_answer() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def openapi_doc() -> dict:
    return platform_answer()["models"][0]["openapi"]


@pytest.fixture
def live() -> ModelSchema:
    return ModelSchema.from_openapi(openapi_doc(), fetched_at=1000.0)


@pytest.fixture
def restore_current():
    before = current_schema()
    yield
    set_current_schema(before)


def make(**kw) -> GenerationRequest:
    return GenerationRequest(**{"prompt": "a cat turns its head", "image": "/tmp/cat.png", **kw})


def test_bundled_is_the_limits_table():
    table = ModelSchema.bundled()
    assert table.source == "bundled" and table.fetched_at is None
    assert table.max_chars("prompt") == limits.PROMPT_MAX_CHARS == 1500
    assert table.default("generate_audio") is True
    assert table.extras == {}


def test_input_schema_is_found_through_the_post_ref(live):
    assert live.max_chars("prompt") == 1200
    assert live.max_chars("negative_prompt") == 500
    assert live.choices("resolution") == ("720p", "1080p")  # through allOf → $ref
    assert live.default("resolution") == "1080p"
    assert live.durations_s() == (5, 10, 15)
    assert live.spec("prompt").required and not live.spec("negative_prompt").required
    assert live.spec("seed").maximum == 2_147_483_647  # through anyOf [integer, null]
    assert "soundtrack" in live.spec("generate_audio").description
    assert live.source == "live" and live.fetched_at == 1000.0


def test_the_ref_decides_not_the_schema_name():
    doc = openapi_doc()
    schemas = doc["components"]["schemas"]
    # A decoy with the guessable name and another limit; the $ref points elsewhere.
    schemas["Renamed"] = schemas.pop("WanV26ImageToVideoFlashInput")
    schemas["WanV26ImageToVideoFlashInput"] = {
        "type": "object",
        "properties": {"prompt": {"type": "string", "maxLength": 5}},
    }
    post = doc["paths"]["/wan/v2.6/image-to-video/flash"]["post"]
    post["requestBody"]["content"]["application/json"]["schema"]["$ref"] = (
        "#/components/schemas/Renamed"
    )
    assert ModelSchema.from_openapi(doc).max_chars("prompt") == 1200


def test_unknown_inputs_are_kept_as_extras_with_their_specs(live):
    extras = live.extras
    assert list(extras) == [
        "loop_video",
        "camera_motion",
        "motion_strength",
        "guidance_scale",
        "style_hint",
    ]  # the array input is not something the app can offer
    assert extras["loop_video"].kind == "boolean" and extras["loop_video"].default is False
    assert extras["loop_video"].label == "Loop Video"
    assert extras["camera_motion"].kind == "enum"
    assert extras["camera_motion"].choices == ("static", "pan", "zoom")
    motion = extras["motion_strength"]
    assert (motion.kind, motion.minimum, motion.maximum, motion.default) == ("integer", 1, 10, 5)
    assert extras["guidance_scale"].kind == "number" and extras["guidance_scale"].default is None
    assert extras["style_hint"].max_chars == 40


@pytest.mark.parametrize(
    "doc",
    [
        None,
        [],
        {"paths": {}},
        {"paths": {"/x": {"post": {}}}},
        {
            "paths": {
                "/x": {"post": {"requestBody": {"content": {"application/json": {"schema": {}}}}}}
            }
        },
        {
            "paths": {
                "/x": {
                    "post": {
                        "requestBody": {
                            "content": {"application/json": {"schema": {"$ref": "#/c/s/Nope"}}}
                        }
                    }
                }
            }
        },
    ],
)
def test_documents_without_an_input_schema_are_refused(doc):
    with pytest.raises(SchemaError):
        ModelSchema.from_openapi(doc)


def test_hostile_values_keep_the_bundled_ones():
    doc = openapi_doc()
    props = doc["components"]["schemas"]["WanV26ImageToVideoFlashInput"]["properties"]
    props["prompt"]["maxLength"] = True  # a bool is not a length: the property is skipped
    props["negative_prompt"]["maxLength"] = 0
    props["resolution"]["default"] = "4k"  # not in the enum
    props["duration"]["enum"] = []
    props["seed"] = {"$ref": "#/components/schemas/Loop"}
    doc["components"]["schemas"]["Loop"] = {"$ref": "#/components/schemas/Loop"}
    table = ModelSchema.from_openapi(doc)
    assert table.max_chars("prompt") == 1500
    assert table.max_chars("negative_prompt") == 500
    assert table.default("resolution") == "1080p"
    assert table.durations_s() == (5, 10, 15)
    assert table.spec("seed") == limits.INPUTS["seed"]


def test_openapi_31_type_lists_read_as_one_type():
    doc = openapi_doc()
    props = doc["components"]["schemas"]["WanV26ImageToVideoFlashInput"]["properties"]
    props["style_hint"]["type"] = ["string", "null"]
    [info] = [p for p in input_properties(doc, limits.ENDPOINT_ID) if p.name == "style_hint"]
    assert info.type == "string"


# ---- validation follows the resolved table ---------------------------------------------------


def test_a_live_limit_of_1200_refuses_1300_characters_naming_1200(live):
    request = make(prompt="x" * 1300)
    assert request.validate(ModelSchema.bundled()) == []
    [problem] = request.validate(live)
    assert problem.field == "prompt"
    assert "1200" in problem.message and "1300" in problem.message


def test_validate_defaults_to_the_current_table(live, restore_current):
    request = make(prompt="x" * 1300)
    assert request.validate() == []
    set_current_schema(live)
    assert [p.field for p in request.validate()] == ["prompt"]
    with pytest.raises(ValueError, match="1200"):
        request.to_arguments("data:,")


def test_live_enum_changes_follow(live):
    doc = openapi_doc()
    props = doc["components"]["schemas"]["WanV26ImageToVideoFlashInput"]["properties"]
    props["duration"]["enum"] = ["5", "10"]
    doc["components"]["schemas"]["ResolutionEnum"]["enum"] = ["480p", "720p", "1080p"]
    table = ModelSchema.from_openapi(doc)
    assert make(resolution="480p").validate(table) == []
    [problem] = make(duration=15).validate(table)
    assert problem.field == "duration" and "5 or 10" in problem.message


def test_extras_are_validated_and_sent(live):
    request = make(extra_params={"loop_video": True, "motion_strength": 7})
    assert request.validate(live) == []
    args = request.to_arguments("data:,", schema=live)
    assert args["loop_video"] is True and args["motion_strength"] == 7
    bad = make(extra_params={"motion_strength": 11, "nope": 1})
    problems = {p.field: p.message for p in bad.validate(live)}
    assert "11" in problems["motion_strength"] and "10" in problems["motion_strength"]
    assert "unknown field" in problems["nope"]
    # Without the live schema the extras are not known: nothing is sent.
    assert [p.field for p in make(extra_params={"loop_video": True}).validate()] == ["loop_video"]


def test_a_required_extra_without_default_must_be_set():
    doc = openapi_doc()
    schema = doc["components"]["schemas"]["WanV26ImageToVideoFlashInput"]
    schema["required"] = [*schema["required"], "guidance_scale"]
    table = ModelSchema.from_openapi(doc)
    [problem] = make().validate(table)
    assert problem.field == "guidance_scale" and "required" in problem.message
    assert make(extra_params={"guidance_scale": 2.5}).validate(table) == []


def test_request_defaults_follow_the_live_table():
    doc = openapi_doc()
    props = doc["components"]["schemas"]["WanV26ImageToVideoFlashInput"]["properties"]
    props["resolution"]["default"] = "720p"
    props["duration"]["default"] = "10"
    props["generate_audio"]["default"] = False
    table = ModelSchema.from_openapi(doc)
    request = GenerationRequest.with_defaults("p", "/tmp/i.png", schema=table, seed=3)
    assert (request.resolution, request.duration, request.generate_audio) == ("720p", 10, False)
    assert request.seed == 3


def test_current_schema_is_module_state(restore_current, live):
    set_current_schema(live)
    assert model_schema.current_schema() is live


def test_parsing_does_not_change_the_document():
    doc = openapi_doc()
    before = copy.deepcopy(doc)
    ModelSchema.from_openapi(doc)
    assert doc == before


def test_a_hostile_schema_cannot_flood_the_window():
    doc = openapi_doc()
    props = doc["components"]["schemas"]["WanV26ImageToVideoFlashInput"]["properties"]
    for i in range(500):
        props[f"flag_{i}"] = {"type": "boolean", "title": "T" * 5000, "description": "d" * 50_000}
    props["../../etc"] = {"type": "boolean"}
    props["bad name"] = {"type": "boolean"}
    doc["components"]["schemas"]["ResolutionEnum"]["enum"] = [f"{i}p" for i in range(5000)]
    table = ModelSchema.from_openapi(doc)
    assert len(table.choices("resolution")) == 100
    extras = table.extras
    assert len(extras) == model_schema.MAX_EXTRA_INPUTS
    assert "../../etc" not in extras and "bad name" not in extras
    flag = extras["flag_0"]
    assert len(flag.label) <= 120 and len(flag.description) <= 2000


def test_durations_that_are_not_plain_numbers_are_ignored():
    doc = openapi_doc()
    props = doc["components"]["schemas"]["WanV26ImageToVideoFlashInput"]["properties"]
    props["duration"]["enum"] = ["²", "5s", "10"]
    props["duration"]["default"] = "²"
    table = ModelSchema.from_openapi(doc)
    assert table.durations_s() == (10,)
    assert "duration" not in table.request_defaults()
    assert [p.field for p in make(duration=5).validate(table)] == ["duration"]
