"""Fuzzing the readers of files that come from outside: the library's sidecar (``entry.json``
and the JSON embedded in a video's comment) and the MP4 metadata reader, on arbitrary bytes
and on mutated real MP4s. Arbitrary input never crashes: a value or the module's own error.

(The image/audio checks, the status parser, the 422 mapper and the request model already have
property tests in their own folders.)
"""

from __future__ import annotations

import json
import string
import tempfile
from pathlib import Path

from fuzz_helpers import tagged_mp4
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wan_desktop.library.paths import check_file_name
from wan_desktop.library.sidecar import SidecarError, parse_comment, read_sidecar, validate
from wan_desktop.media.mp4meta import read_comment
from wan_desktop.media.video import VideoError

FAST = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)  # fmt: skip
SLOW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
names = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["video.mp4", "..", ".", "../x.mp4", "a/b.mp4", "C:\\x", "x\x00y", ""]),
    st.none(),
    st.integers(),
)
ids = st.one_of(
    st.text(alphabet=string.digits + string.ascii_uppercase + "-_./", max_size=26),
    st.sampled_from(["01J0000000000000000000000A", "../../etc", ""]),
    st.none(),
)
sidecar_like = st.fixed_dictionaries(
    {},
    optional={
        "schema": st.one_of(st.integers(-2, 4), st.text(max_size=3), st.none()),
        "id": ids,
        "files": st.one_of(
            st.dictionaries(st.sampled_from(["video", "image", "poster"]), names), json_values
        ),
        "request": json_values,
        "seed": json_values,
    },
)


def _checked_ok(data: dict) -> None:
    # What a reader accepts never names a file outside its folder.
    assert isinstance(data, dict)
    for name in data["files"].values():
        if name is not None:
            check_file_name(name)


@FAST
@given(st.one_of(json_values, sidecar_like))
def test_validate_takes_anything(data):
    try:
        out = validate(data)
    except SidecarError as exc:
        assert str(exc)
    else:
        _checked_ok(out)


@FAST
@given(st.one_of(st.binary(max_size=300), sidecar_like.map(lambda d: json.dumps(d).encode())))
def test_read_sidecar_on_any_bytes(data):
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "entry.json").write_bytes(data)
        try:
            out = read_sidecar(Path(tmp))
        except SidecarError as exc:
            assert str(exc)
        else:
            _checked_ok(out)


@FAST
@given(
    st.one_of(
        st.none(),
        st.text(max_size=200),
        sidecar_like.map(lambda d: json.dumps({**d, "wan_desktop": True})),
        st.integers(1, 3000).map(lambda n: "[" * n),  # deep nesting
    )
)
def test_parse_comment_never_raises(text):
    out = parse_comment(text)
    if out is not None:
        _checked_ok(out)


def _read(data: bytes):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "clip.mp4"
        path.write_bytes(data)
        try:
            value = read_comment(path)
        except VideoError as exc:
            assert str(exc)
            return None
        assert value is None or isinstance(value, str)
        return value


def test_the_real_clip_reads_back():
    assert _read(tagged_mp4()) == '{"wan_desktop": true, "id": "x", "prompt": "a fox"}'


@SLOW
@given(st.binary(max_size=2000))
def test_read_comment_on_arbitrary_bytes(data):
    _read(data)


@SLOW
@given(
    st.lists(
        st.tuples(st.integers(min_value=0), st.binary(min_size=1, max_size=8)),
        min_size=1,
        max_size=6,
    ),
    st.one_of(st.none(), st.integers(min_value=0)),
)
def test_read_comment_on_mutated_mp4(patches, cut):
    data = bytearray(tagged_mp4())
    for offset, chunk in patches:
        at = offset % len(data)
        data[at : at + len(chunk)] = chunk
    if cut is not None:
        del data[cut % len(data) :]
    _read(bytes(data))
