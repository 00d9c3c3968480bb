"""``--param NAME=VALUE``: typed by the resolved table, refused with the field named."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from wan_desktop.core.model_schema import ModelSchema, parse_param, parse_params
from wan_desktop.core.problems import InvalidInputError, Problem

FIXTURE = Path(__file__).parent / "fixtures" / "platform_models_wan.json"


@pytest.fixture(scope="module")
def live() -> ModelSchema:
    doc = json.loads(FIXTURE.read_text(encoding="utf-8"))["models"][0]["openapi"]
    return ModelSchema.from_openapi(doc)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("loop_video=true", ("loop_video", True)),
        ("loop_video=OFF", ("loop_video", False)),
        ("loop_video=0", ("loop_video", False)),
        ("camera_motion=zoom", ("camera_motion", "zoom")),
        ("motion_strength=10", ("motion_strength", 10)),
        ("motion_strength= 1 ", ("motion_strength", 1)),
        ("guidance_scale=2.5", ("guidance_scale", 2.5)),
        ("guidance_scale=3", ("guidance_scale", 3.0)),
        ("style_hint=noir, grainy=yes", ("style_hint", "noir, grainy=yes")),
        ("style_hint=", ("style_hint", "")),
    ],
)
def test_values_are_typed_by_the_schema(live, text, expected):
    assert parse_param(text, live) == expected
    assert type(parse_param(text, live)[1]) is type(expected[1])


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        ("nope=1", "nope", ["unknown field", "loop_video"]),
        ("loop_video=maybe", "loop_video", ["true or false"]),
        ("camera_motion=spin", "camera_motion", ["not one of", "static, pan, zoom"]),
        ("motion_strength=11", "motion_strength", ["integer from 1 to 10", "11"]),
        ("motion_strength=0", "motion_strength", ["integer from 1 to 10"]),
        ("motion_strength=2.5", "motion_strength", ["must be an integer"]),
        ("motion_strength=True", "motion_strength", ["must be an integer"]),
        ("guidance_scale=nan", "guidance_scale", ["number from 0.5 to 20.0"]),
        ("guidance_scale=0.1", "guidance_scale", ["number from 0.5 to 20.0"]),
        ("style_hint=" + "s" * 41, "style_hint", ["41 characters", "limit is 40"]),
        ("resolution=720p", "resolution", ["its own option"]),
        ("generate_audio=false", "generate_audio", ["its own option"]),
        ("loop_video", "loop_video", ["NAME=VALUE"]),
        ("=1", "param", ["NAME=VALUE"]),
    ],
)
def test_refusals_name_the_field(live, text, field, words):
    problem = parse_param(text, live)
    assert isinstance(problem, Problem), problem
    assert problem.field == field
    for word in words:
        assert word in problem.message, problem.message


def test_bundled_table_has_no_extras():
    problem = parse_param("loop_video=true", ModelSchema.bundled())
    assert isinstance(problem, Problem) and "unknown field" in problem.message
    assert "none" in problem.message


def test_integer_bounds_on_one_side_only(live):
    spec = live.extras["motion_strength"]
    table = live.replace(
        inputs={**live.inputs, "motion_strength": dataclasses.replace(spec, minimum=None)}
    )
    problem = parse_param("motion_strength=12", table)
    assert isinstance(problem, Problem) and "integer ≤ 10" in problem.message


def test_a_command_line_of_params(live):
    assert parse_params(["loop_video=yes", "motion_strength=3"], live) == {
        "loop_video": True,
        "motion_strength": 3,
    }
    assert parse_params([], live) == {}
    with pytest.raises(InvalidInputError) as info:
        parse_params(["loop_video=yes", "loop_video=no", "nope=1", "motion_strength=x"], live)
    assert info.value.fields == ["loop_video", "nope", "motion_strength"]
