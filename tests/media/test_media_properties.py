"""Property tests: whatever bytes arrive, preparation answers with a PreparedMedia or an
InvalidInputError, never another exception."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from media_samples import image_bytes, wav_bytes

from wan_desktop.core.problems import InvalidInputError
from wan_desktop.media.audio import prepare_audio_bytes
from wan_desktop.media.datauri import parse_data_uri
from wan_desktop.media.image import prepare_image_bytes
from wan_desktop.media.prepared import PreparedMedia

FAST = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
# Real headers followed by noise reach deeper into the parsers than noise alone.
PREFIXES = [
    b"",
    image_bytes((300, 260), "PNG")[:60],
    image_bytes((300, 260), "JPEG")[:200],
    image_bytes((300, 260), "GIF")[:40],
    image_bytes((300, 260), "BMP")[:54],
    image_bytes((300, 260), "WEBP")[:30],
    image_bytes((300, 260), "TIFF")[:200],
    wav_bytes(0.5)[:44],
    b"ID3\x04\x00\x00\x00\x00\x00\x00",
    b"\xff\xfb\x90\x00",
]
payloads = st.builds(
    lambda prefix, tail: prefix + tail,
    st.sampled_from(PREFIXES),
    st.binary(max_size=2048),
)


def _check(call, data: bytes) -> None:
    try:
        result = call(data, "fuzz.bin")
    except InvalidInputError as exc:
        assert exc.problems and str(exc)
    else:
        assert isinstance(result, PreparedMedia)
        assert result.size_bytes == len(result.data) > 0


@FAST
@given(payloads)
def test_any_bytes_as_image_never_crash(data):
    _check(prepare_image_bytes, data)


@FAST
@given(payloads)
def test_any_bytes_as_audio_never_crash(data):
    _check(prepare_audio_bytes, data)


@FAST
@given(st.text(max_size=200))
def test_any_text_as_data_uri_never_crashes(text):
    for candidate in (text, "data:" + text, "data:image/png;base64," + text):
        try:
            data, mime = parse_data_uri(candidate)
        except InvalidInputError:
            continue
        assert data and "/" in mime


@pytest.mark.parametrize("flip", range(0, 400, 37))
def test_corrupted_real_images_never_crash(flip):
    for fmt in ("PNG", "JPEG", "WEBP", "BMP", "GIF"):
        data = bytearray(image_bytes((260, 250), fmt))
        data[flip % len(data)] ^= 0xFF
        _check(prepare_image_bytes, bytes(data))
