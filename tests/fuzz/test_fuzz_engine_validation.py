"""Fuzzing the offline engine's request validation: arbitrary JSON bodies are either taken or
refused with a 422 whose every error names a field (``loc``), never a 500 or a crash; the same
through HTTP, where the body may not even be JSON."""

from __future__ import annotations

import base64
import io
import json

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from wan_desktop.core import limits
from wan_desktop.emulator import EmulatorServer
from wan_desktop.emulator.validate import FieldError, Inputs, validate_arguments

SUBMIT = "/wan/v2.6/image-to-video/flash"
FIELDS = {"body", *limits.INPUTS}


def _png(w: int, h: int) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (w, h), (10, 120, 200)).save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


GOOD_IMAGE = _png(320, 240)
scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=10,
)
image_values = st.one_of(
    st.just(GOOD_IMAGE),
    st.sampled_from([
        _png(100, 100), "data:image/png;base64,!!!", "data:,", "data:image/png;base64,",
        "http://example.com/x.png", "ftp://x", "data:text/plain,hello", "",
    ]),
    json_values,
)  # fmt: skip
field_values = {
    "prompt": st.one_of(st.text(max_size=20), st.text(min_size=790, max_size=820), json_values),
    "negative_prompt": st.one_of(st.text(max_size=20), json_values),
    "resolution": st.one_of(st.sampled_from(["720p", "1080p", "480p", ""]), json_values),
    "duration": st.one_of(st.sampled_from(["5", "10", "15", 5, 5.0, "7"]), json_values),
    "seed": st.one_of(st.integers(), st.booleans(), json_values),
    "enable_prompt_expansion": json_values,
    "multi_shots": json_values,
    "enable_safety_checker": json_values,
    "audio_url": st.one_of(
        st.none(), st.sampled_from(["data:audio/wav;base64,AAAA", ""]), json_values
    ),
    "image_url": image_values,
}
bodies = st.one_of(
    json_values,
    st.fixed_dictionaries({"image_url": image_values, "prompt": field_values["prompt"]},
                          optional={k: v for k, v in field_values.items()
                                    if k not in ("image_url", "prompt")}),
)  # fmt: skip


def _check(result) -> None:
    if isinstance(result, Inputs):
        assert result.prompt.strip() and len(result.prompt) <= limits.PROMPT_MAX_CHARS
        assert result.resolution in limits.RESOLUTIONS
        return
    assert isinstance(result, list) and result
    for error in result:
        assert isinstance(error, FieldError)
        assert error.field in FIELDS, error
        assert error.msg and error.type
        assert error.to_json()["loc"] == ["body", error.field]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bodies)
def test_validate_arguments_never_raises(body):
    _check(validate_arguments(body))


@pytest.fixture(scope="module")
def engine():
    def render(image_bytes, *, dest, progress=None, **kwargs):
        dest.write_bytes(b"\x00" * 64)

    server = EmulatorServer(workers=1, render=render)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.one_of(bodies.map(lambda b: json.dumps(b).encode()), st.binary(max_size=200)))
def test_submit_answers_200_or_422_with_loc(engine, raw):
    response = httpx.post(
        engine.base_url + SUBMIT,
        content=raw,
        headers={"Authorization": f"Key {engine.api_key}", "Content-Type": "application/json"},
        timeout=30,
    )
    assert response.status_code in (200, 422), (response.status_code, response.text[:300])
    body = response.json()
    if response.status_code == 200:
        assert body["request_id"]
        return
    assert isinstance(body["detail"], list) and body["detail"]
    for item in body["detail"]:
        assert item["loc"][0] == "body" and item["msg"], item
