"""The model's output, typed: the ``video`` fields fal may send, each optional, garbage
ignored field by field."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wan_desktop.fal.output import ModelOutput, VideoFile, parse_output

FULL = {
    "video": {
        "url": "https://v3.fal.media/files/x/out.mp4",
        "content_type": "video/mp4",
        "file_name": "out.mp4",
        "file_size": 1234567,
        "width": 1920,
        "height": 1080,
        "fps": 24,
        "duration": 5.04,
        "num_frames": 121,
    },
    "seed": 42,
    "actual_prompt": "a cat, cinematic",
}


def test_every_video_field_is_read_and_typed():
    out = parse_output(FULL)
    assert out == ModelOutput(
        video=VideoFile(
            url="https://v3.fal.media/files/x/out.mp4",
            content_type="video/mp4",
            file_name="out.mp4",
            file_size=1234567,
            width=1920,
            height=1080,
            fps=24.0,
            duration=5.04,
            num_frames=121,
        ),
        seed=42,
        actual_prompt="a cat, cinematic",
    )
    assert isinstance(out.video.fps, float)
    assert out.video.stored() == {k: v for k, v in FULL["video"].items() if k != "url"}


def test_only_the_url_is_the_old_shape():
    out = parse_output({"video": {"url": "https://x/v.mp4"}, "seed": 1})
    assert out.video == VideoFile(url="https://x/v.mp4")
    assert out.video.stored() == {} and out.actual_prompt is None


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("width", -5),
        ("width", 0),
        ("height", "1080"),
        ("fps", math.nan),
        ("fps", math.inf),
        ("duration", -1.0),
        ("num_frames", True),
        ("file_size", -1),
        ("file_size", 1.5),
        ("file_name", 12),
        ("content_type", ["video/mp4"]),
        ("url", {"href": "x"}),
    ],
)
def test_a_garbage_field_is_dropped_alone(name, value):
    video = {**FULL["video"], name: value}
    out = parse_output({**FULL, "video": video})
    assert getattr(out.video, name) is None
    others = {k for k in FULL["video"] if k != name}
    assert all(getattr(out.video, k) == FULL["video"][k] for k in others)


@pytest.mark.parametrize("result", [None, [], "x", {"video": "x"}, {"video": None}, {}])
def test_no_video_at_all(result):
    assert parse_output(result).video is None


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
        lambda c: st.lists(c) | st.dictionaries(st.text(), c),
        max_leaves=20,
    )
)
def test_fuzz_never_raises(value):
    parse_output({"video": value, "seed": value})
    parse_output(value)
