"""Fuzzing what reaches the engine and the fetcher before any validation: the body decoder
and the Content-Encoding decoder take any bytes and either answer or refuse with their own
error, never another exception; what they accept is what the standard decoders read."""

from __future__ import annotations

import json
import math
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wan_desktop.emulator.json_input import MAX_DEPTH, JsonInputError, decode_json
from wan_desktop.media.decoding import Decoder, UnsupportedEncodingError, decoded_pieces_sync

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**20), 10**20) | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=12,
)


@FAST
@given(st.binary(max_size=400))
def test_decode_json_takes_any_bytes(raw):
    try:
        decode_json(raw)
    except JsonInputError:
        pass


@FAST
@given(values)
def test_decode_json_reads_what_json_writes(value):
    raw = json.dumps(value).encode()
    has_non_finite = "NaN" in raw.decode() or "Infinity" in raw.decode()
    if has_non_finite:
        with pytest.raises(JsonInputError):
            decode_json(raw)
        return
    decoded = decode_json(raw)
    assert json.dumps(decoded, sort_keys=True) == json.dumps(value, sort_keys=True)


@FAST
@given(st.integers(1, 3 * MAX_DEPTH), st.sampled_from(["[", '{"a":']))
def test_decode_json_depth_bound(depth, opener):
    closer = "]" if opener == "[" else "}"
    raw = (opener * depth + "1" + closer * depth).encode()
    if depth <= MAX_DEPTH:
        value = decode_json(raw)
        assert value is not None
    else:
        with pytest.raises(JsonInputError, match="deep"):
            decode_json(raw)


@FAST
@given(st.text(alphabet='[]{}"\\ ,:a', max_size=80))
def test_brackets_inside_strings_do_not_count(text):
    raw = json.dumps({"prompt": text}).encode()
    assert decode_json(raw) == {"prompt": text}


@FAST
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_finite_floats_pass(number):
    assert math.isclose(decode_json(json.dumps(number).encode()), number) or number == 0


@FAST
@given(st.binary(max_size=300), st.sampled_from(["gzip", "deflate", "x-gzip", "identity", ""]))
def test_decoder_takes_any_bytes(raw, encoding):
    try:
        b"".join(decoded_pieces_sync([raw[:50], raw[50:]], encoding))
    except UnsupportedEncodingError:
        pass


@FAST
@given(st.binary(max_size=2000), st.sampled_from([(31, "gzip"), (15, "deflate"), (-15, "deflate")]))
def test_decoder_undoes_what_zlib_does(data, wrapper):
    wbits, encoding = wrapper
    packer = zlib.compressobj(6, zlib.DEFLATED, wbits)
    sent = packer.compress(data) + packer.flush()
    pieces = [sent[i : i + 7] for i in range(0, len(sent), 7)]
    assert b"".join(decoded_pieces_sync(pieces, encoding)) == data


def test_decoder_refuses_other_encodings():
    with pytest.raises(UnsupportedEncodingError):
        Decoder("br")
