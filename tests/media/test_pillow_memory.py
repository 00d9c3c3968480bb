"""media.pillow_memory: the decoded pixels live in a mapping that is unmapped after the image
is closed; the picture is the same as Pillow's own decode, mode by mode."""

from __future__ import annotations

import io
import mmap
import os
import sys

import pytest
from PIL import Image

from wan_desktop.core.problems import InvalidInputError
from wan_desktop.media import image as media_image
from wan_desktop.media import pillow_memory
from wan_desktop.media.pillow_memory import MappedPixels

# Odd sides: a wrong line length would shift every row, and show.
SIZE = (37, 23)


@pytest.fixture
def mappings(monkeypatch) -> list[mmap.mmap]:
    """Every mapping pillow_memory makes during the test."""
    made: list[mmap.mmap] = []

    class Recording(mmap.mmap):
        def __new__(cls, *args, **kwargs):
            mapping = super().__new__(cls, *args, **kwargs)
            made.append(mapping)
            return mapping

    monkeypatch.setattr(pillow_memory.mmap, "mmap", Recording)
    return made


def _noise(mode: str, size: tuple[int, int] = SIZE) -> Image.Image:
    rgba = Image.frombytes("RGBA", size, os.urandom(size[0] * size[1] * 4))
    if mode == "I;16":
        return Image.frombytes("I;16", size, os.urandom(size[0] * size[1] * 2))
    if mode == "I":
        return rgba.convert("L").convert("I")
    if mode == "P":
        return rgba.convert("RGB").quantize(200)
    return rgba.convert(mode)


def _encoded(mode: str, fmt: str, size: tuple[int, int] = SIZE) -> bytes:
    buffer = io.BytesIO()
    _noise(mode, size).save(buffer, format=fmt)
    return buffer.getvalue()


def _plain_decode(data: bytes) -> tuple[str, bytes]:
    with Image.open(io.BytesIO(data)) as img:
        img.load()
        return img.mode, img.tobytes()


CASES = [
    ("1", "PNG"),  # left in Pillow's memory (see pillow_memory._PIXEL_BYTES)
    ("L", "PNG"),
    ("P", "PNG"),
    ("LA", "PNG"),
    ("RGB", "PNG"),
    ("RGBA", "PNG"),
    ("I;16", "PNG"),
    ("L", "JPEG"),
    ("RGB", "JPEG"),
    ("CMYK", "JPEG"),
    ("RGB", "BMP"),
    ("P", "GIF"),
    ("RGBA", "WEBP"),
    ("I", "TIFF"),
]


@pytest.mark.parametrize(("mode", "fmt"), CASES, ids=[f"{f}-{m}" for m, f in CASES])
def test_a_decode_into_the_mapping_equals_pillows_own(mode, fmt, mappings):
    data = _encoded(mode, fmt)
    expected_mode, expected = _plain_decode(data)
    with MappedPixels(min_bytes=0) as pixels:
        img = Image.open(io.BytesIO(data))
        try:
            pixels.load(img)
            mapped = mode != "1"
            assert (pixels.mapped_bytes > 0) == mapped
            assert (img.mode, img.tobytes()) == (expected_mode, expected)
        finally:
            img.close()
    assert len(mappings) == int(mapped)
    assert all(m.closed for m in mappings)


def test_an_image_under_the_threshold_stays_in_pillows_memory(mappings):
    data = _encoded("RGB", "PNG")
    with MappedPixels() as pixels, Image.open(io.BytesIO(data)) as img:
        pixels.load(img)
        assert pixels.mapped_bytes == 0
    assert mappings == []


def test_loading_a_decoded_image_again_keeps_its_pixels(mappings):
    data = _encoded("RGB", "PNG")
    with MappedPixels(min_bytes=0) as pixels, Image.open(io.BytesIO(data)) as img:
        img.load()
        pixels.load(img)
        assert pixels.mapped_bytes == 0
        assert img.tobytes() == _plain_decode(data)[1]
    assert mappings == []


def test_a_picture_still_open_keeps_the_mapping_until_it_goes(mappings):
    data = _encoded("RGB", "PNG")
    pixels = MappedPixels(min_bytes=0)
    img = Image.open(io.BytesIO(data))
    pixels.load(img)
    pixels.release()  # too early: Pillow still points into the mapping
    assert not mappings[0].closed
    assert img.tobytes() == _plain_decode(data)[1]  # and the pixels are untouched
    img.close()
    pixels.release()  # idempotent


def test_pillows_memory_is_used_when_the_mapping_is_refused(monkeypatch, mappings):
    data = _encoded("RGB", "PNG")

    def refuse(*args):
        raise ValueError("no mapping here")

    monkeypatch.setattr(pillow_memory.Image.core, "map_buffer", refuse)
    with MappedPixels(min_bytes=0) as pixels, Image.open(io.BytesIO(data)) as img:
        pixels.load(img)
        assert pixels.mapped_bytes == 0
        assert img.tobytes() == _plain_decode(data)[1]
    assert [m.closed for m in mappings] == [True]


def _big_png(seed: int) -> bytes:
    """2400 x 2000 RGB (19.2 MB decoded, over the threshold), made fast: flat rows, one
    pixel differing by ``seed`` so each is new to the prepared-image cache."""
    img = Image.linear_gradient("L").resize((2400, 2000)).convert("RGB")
    img.putpixel((seed, 0), (seed, 1, 2))
    buffer = io.BytesIO()
    img.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def test_prepare_decodes_into_a_mapping_and_frees_it(mappings):
    data = _big_png(1)
    seen: list[bytes] = []
    prepared = media_image.prepare_image_bytes(
        data, "big.png", on_decoded=lambda img: seen.append(img.tobytes())
    )
    assert (prepared.width, prepared.height, prepared.data) == (2400, 2000, data)
    assert seen == [_plain_decode(data)[1]]
    assert len(mappings) == 1 and mappings[0].closed


def test_a_damaged_image_frees_its_mapping_too(mappings):
    data = _big_png(2)
    cut = data[: len(data) * 2 // 3]
    with pytest.raises(InvalidInputError) as caught:
        media_image.prepare_image_bytes(cut, "cut.png")
    assert "damaged" in caught.value.problems[0].message
    # Pillow's decoder, kept by the error's traceback, points into the mapping until the
    # error is dropped; then nothing does (closing it would raise BufferError otherwise).
    del caught
    assert len(mappings) == 1
    mappings[0].close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/statm")
def test_five_decodes_leave_no_memory_behind(mappings):
    images = [_big_png(10 + i) for i in range(5)]
    media_image.prepare_image_bytes(_big_png(9), "warm.png")  # Pillow's own first-use costs
    before = _rss_bytes()
    for i, data in enumerate(images):
        prepared = media_image.prepare_image_bytes(data, f"big{i}.png")
        assert prepared.width == 2400  # a second (third, ...) decode works
    grown = _rss_bytes() - before
    assert len(mappings) == 6 and all(m.closed for m in mappings)
    # One decode's pixels are 19.2 MB; five kept would be 96 MB.
    assert grown < 19_200_000, f"resident memory grew {grown / 1e6:.1f} MB over 5 decodes"
