"""GenerationRequest: validation at every boundary and the exact API arguments."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wan_desktop.core import limits
from wan_desktop.core.problems import InvalidInputError
from wan_desktop.core.request import GenerationRequest

EMOJI = "👩‍👩‍👧"  # 5 code points: three people joined by two ZWJ
COMBINING = "e\u0301"  # é as e + combining acute: 2 code points
LIMIT = limits.PROMPT_MAX_CHARS  # 1500: fal's current schema


def make(**kw) -> GenerationRequest:
    base = {"prompt": "a cat turns its head", "image": "/tmp/cat.png"}
    base.update(kw)
    return GenerationRequest(**base)


def fields(request: GenerationRequest) -> list[str]:
    return [p.field for p in request.validate()]


def test_defaults_are_the_documented_ones():
    r = make()
    assert r.resolution == "1080p"
    assert r.duration == 5
    assert r.negative_prompt == ""
    assert r.enable_prompt_expansion is True
    assert r.multi_shots is False
    assert r.enable_safety_checker is True
    assert r.seed is None
    assert r.validate() == []


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("a" * LIMIT, True),
        ("a" * (LIMIT + 1), False),
        (EMOJI * (LIMIT // 5), True),  # LIMIT code points
        (EMOJI * (LIMIT // 5) + "a", False),
        (COMBINING * (LIMIT // 2), True),
        (COMBINING * (LIMIT // 2) + "\u0301", False),
    ],
)
def test_prompt_counts_code_points(text, ok):
    assert len(text) in (LIMIT, LIMIT + 1)
    assert ("prompt" not in fields(make(prompt=text))) is ok


def test_bundled_prompt_limit_is_fals_current_one():
    assert LIMIT == 1500
    assert limits.INPUTS["generate_audio"].default is True


def test_prompt_message_names_the_field_and_limit():
    [problem] = make(prompt="x" * 1501).validate()
    assert problem.field == "prompt"
    assert "Prompt" in problem.message and "1500" in problem.message and "1501" in problem.message


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_prompt_required_not_blank(text):
    assert fields(make(prompt=text)) == ["prompt"]


@pytest.mark.parametrize(("n", "ok"), [(500, True), (501, False)])
def test_negative_prompt_limit(n, ok):
    problems = make(negative_prompt="n" * n).validate()
    assert (problems == []) is ok
    if not ok:
        assert problems[0].field == "negative_prompt" and "500" in problems[0].message


def test_negative_prompt_counts_emoji_as_code_points():
    assert fields(make(negative_prompt=EMOJI * 100)) == []
    assert fields(make(negative_prompt=EMOJI * 100 + "x")) == ["negative_prompt"]


@pytest.mark.parametrize(
    ("seed", "ok"),
    [(0, True), (2147483647, True), (-1, False), (2147483648, False), (True, False), (1.5, False)],
)
def test_seed_range(seed, ok):
    assert ("seed" not in fields(make(seed=seed))) is ok


@pytest.mark.parametrize("duration", [5, 10, 15])
def test_durations_allowed(duration):
    assert make(duration=duration).validate() == []


@pytest.mark.parametrize("duration", [0, 4, 6, 20, "5", True])
def test_durations_refused(duration):
    assert fields(make(duration=duration)) == ["duration"]


def test_resolution_enum():
    assert fields(make(resolution="4k")) == ["resolution"]
    assert make(resolution="720p").validate() == []


def test_every_problem_at_once():
    r = make(prompt="", negative_prompt="n" * 501, seed=-5, duration=7, resolution="480p", image="")
    assert sorted(fields(r)) == sorted(
        ["prompt", "negative_prompt", "seed", "duration", "resolution", "image_url"]
    )


def test_plain_http_image_refused_but_loopback_allowed():
    assert fields(make(image="http://example.com/a.png")) == ["image_url"]
    assert fields(make(image="http://127.0.0.1:8000/a.png")) == []
    assert fields(make(image="https://example.com/a.png")) == []


def test_to_arguments_is_exactly_the_api_body():
    args = make(duration=10, resolution="720p").to_arguments("data:image/png;base64,AAAA")
    assert args == {
        "prompt": "a cat turns its head",
        "image_url": "data:image/png;base64,AAAA",
        "resolution": "720p",
        "duration": "10",
        "negative_prompt": "",
        "enable_prompt_expansion": True,
        "multi_shots": False,
        "enable_safety_checker": True,
        "generate_audio": True,
    }
    assert set(args) <= set(limits.INPUTS)


def test_to_arguments_seed_and_audio_only_when_given():
    args = make(seed=42).to_arguments("u", "a")
    assert args["seed"] == 42 and args["audio_url"] == "a"
    assert "seed" not in make().to_arguments("u") and "audio_url" not in make().to_arguments("u")


def test_to_arguments_refuses_invalid():
    with pytest.raises(InvalidInputError) as info:
        make(prompt="").to_arguments("u")
    assert info.value.fields == ["prompt"]


def test_multi_shots_without_expansion_is_a_warning_not_an_error():
    r = make(multi_shots=True, enable_prompt_expansion=False)
    assert r.validate() == []
    assert [w.field for w in r.warnings()] == ["multi_shots"]


def test_round_trip_through_json():
    r = make(seed=7, audio="/tmp/a.mp3", multi_shots=True)
    assert GenerationRequest.from_dict(json.loads(json.dumps(r.to_dict()))) == r


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=LIMIT + 300))
def test_any_prompt_validates_without_crashing(text):
    problems = make(prompt=text).validate()
    expected_ok = bool(text.strip()) and len(text) <= LIMIT
    assert (problems == []) is expected_ok


def test_generate_audio_defaults_on_and_is_always_sent():
    assert make().generate_audio is True
    assert make().to_arguments("u")["generate_audio"] is True
    assert make(generate_audio=False).to_arguments("u")["generate_audio"] is False


def test_generate_audio_must_be_a_switch():
    assert fields(make(generate_audio="no")) == ["generate_audio"]


def test_old_dicts_without_the_new_keys_load_with_defaults():
    old = make(seed=7).to_dict()
    del old["generate_audio"], old["extra_params"]
    loaded = GenerationRequest.from_dict(old)
    assert loaded.generate_audio is True and loaded.extra_params == {}
    assert GenerationRequest.from_dict({**old, "extra_params": None}).extra_params == {}


def test_round_trip_keeps_silence_and_extras():
    r = make(generate_audio=False, extra_params={"loop_video": True})
    back = GenerationRequest.from_dict(json.loads(json.dumps(r.to_dict())))
    assert back == r and back.extra_params is not r.extra_params


def test_extras_never_replace_an_input_the_app_sets():
    assert fields(make(extra_params={"prompt": "other"})) == ["prompt"]
