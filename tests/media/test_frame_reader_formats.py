"""media.frame_reader's other output: 32-bit BGRA (Qt's ``Format_RGB32`` in memory) is the same
picture as RGB24, byte for byte once reordered, opaque, with rows a ``QImage`` takes as they
are; the fast bilinear scaler gives the same picture, softer; a frame read as BGRA refuses to
pass for RGB24; one decoder thread reads the same frames; unknown options name the field and
the choices."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from PIL import Image
from test_frame_reader import CLIPS, paint, plain_decode
from wan_testkit import write_clip

from wan_desktop.media.frame_reader import PIXEL_FORMATS, SCALINGS, Frame, FrameReader


def as_rgb(frame: Frame) -> bytes:
    """A BGRA frame's picture as packed RGB24 (its row padding left out)."""
    size = (frame.width, frame.height)
    return Image.frombuffer("RGB", size, frame.pixels, "raw", "BGRX", frame.stride, 1).tobytes()


def alphas(frame: Frame) -> set[int]:
    """Every pixel's fourth byte (row padding left out)."""
    row = 4 * frame.width
    return {
        b
        for y in range(frame.height)
        for b in frame.pixels[y * frame.stride + 3 : y * frame.stride + row : 4]
    }


@pytest.fixture(scope="module", params=sorted(CLIPS))
def clip(request, tmp_path_factory) -> tuple[Path, list[tuple[float, bytes]]]:
    size, frames, options = CLIPS[request.param]
    path = tmp_path_factory.mktemp("fmt") / f"{request.param}.mp4"
    write_clip(path, paint(size), frames=frames, codec_options=options)
    return path, plain_decode(path)


def test_bgra_frames_are_the_rgb_frames_reordered_in_any_order(clip):
    path, expected = clip
    order = list(range(len(expected)))
    order += order[::-1] + random.Random(11).sample(order, len(order))
    with FrameReader(path, pixel_format="bgra") as reader:
        assert reader.pixel_format == "bgra"
        for index in order:
            frame = reader.frame_at(index)
            assert frame.index == index and frame.pixel_format == "bgra"
            assert frame.stride % 4 == 0 and frame.stride >= 4 * frame.width
            assert len(frame.pixels) >= frame.stride * (frame.height - 1) + 4 * frame.width
            assert as_rgb(frame) == expected[index][1], f"frame {index}"
        assert alphas(frame) == {255}  # opaque: what Format_RGB32 requires of the fourth byte


def test_bgra_is_qt_rgb32_on_this_machine(tmp_path):
    """The bytes Qt's ``Format_RGB32`` holds on a little-endian machine (B, G, R, 255)."""
    path = write_clip(tmp_path / "c.mp4", paint((64, 36)), frames=2)
    with FrameReader(path, pixel_format="bgra") as reader:
        frame = reader.frame_at(1)
    r, g, b = Image.frombytes("RGB", (64, 36), plain_decode(path)[1][1]).getpixel((0, 0))
    assert frame.pixels[:4] == bytes([b, g, r, 255])


def test_odd_width_rows_keep_their_padding_and_their_pixels(tmp_path):
    path = write_clip(tmp_path / "c.mp4", paint((320, 180)), frames=3)
    with FrameReader(path, max_size=(101, 101), pixel_format="bgra") as reader:
        frame = reader.frame_at(2)
    assert (frame.width, frame.height) == (101, 57)
    assert frame.stride >= 404 and frame.stride % 4 == 0
    image = Image.frombytes("RGB", (101, 57), as_rgb(frame))
    # The yellow bar starts at x = 10 in the source (≈ 3 here) on every row alike.
    assert image.getpixel((5, 0)) == image.getpixel((5, 56))
    with FrameReader(path, max_size=(101, 101)) as reader:  # RGB24 stays packed
        packed = reader.frame_at(2)
    assert packed.stride == 3 * 101 and len(packed.rgb) == 3 * 101 * 57


@pytest.mark.parametrize("pixel_format", ["rgb24", "bgra"])
def test_fast_bilinear_scaling_is_the_same_picture(tmp_path, pixel_format):
    path = write_clip(tmp_path / "c.mp4", paint((320, 180)), frames=10)
    full = Image.frombytes("RGB", (320, 180), plain_decode(path)[6][1])
    small = full.resize((100, 56), Image.Resampling.BOX).tobytes()
    with FrameReader(
        path, max_size=(100, 100), pixel_format=pixel_format, scaling="fast_bilinear"
    ) as reader:
        frame = reader.frame_at(6)
    assert (frame.width, frame.height) == (100, 56)
    rgb = frame.rgb if pixel_format == "rgb24" else as_rgb(frame)
    diffs = [abs(a - b) for a, b in zip(rgb, small, strict=True)]
    assert sum(diffs) / len(diffs) < 8  # softer than an area average, the same picture


def test_a_new_size_in_bgra_needs_no_seek(tmp_path):
    path = write_clip(tmp_path / "c.mp4", paint((320, 180)), frames=12)
    expected = plain_decode(path)
    with FrameReader(path, max_size=(160, 160), pixel_format="bgra") as reader:
        assert reader.frame_at(7).width == 160
        seeks = reader.seek_count
        reader.set_max_size(None)
        assert as_rgb(reader.frame_at(7)) == expected[7][1]
        assert as_rgb(reader.frame_at(8)) == expected[8][1]
        assert reader.seek_count == seeks


def test_a_bgra_frame_does_not_pass_for_rgb24(tmp_path):
    path = write_clip(tmp_path / "c.mp4", paint((64, 36)), frames=2)
    with FrameReader(path, pixel_format="bgra") as reader:
        frame = reader.frame_at(0)
    with pytest.raises(ValueError, match="frame 0 was read as bgra, not rgb24"):
        _ = frame.rgb


def test_unknown_format_or_scaling_names_the_field_and_the_choices(tmp_path):
    path = write_clip(tmp_path / "c.mp4", paint((64, 36)), frames=2)
    with pytest.raises(ValueError, match=r"pixel_format must be one of rgb24, bgra \(got 'yuv'\)"):
        FrameReader(path, pixel_format="yuv")
    with pytest.raises(
        ValueError, match=r"scaling must be one of area, fast_bilinear \(got 'cubic'\)"
    ):
        FrameReader(path, scaling="cubic")
    assert set(PIXEL_FORMATS) == {"rgb24", "bgra"}
    assert set(SCALINGS) == {"area", "fast_bilinear"}


def test_one_decoder_thread_reads_the_same_frames(clip):
    path, expected = clip
    with FrameReader(path, pixel_format="bgra", decode_threads=1) as reader:
        for index in [3, 0, len(expected) - 1, 1, 2]:
            assert as_rgb(reader.frame_at(index)) == expected[index][1], f"frame {index}"
    with pytest.raises(ValueError, match=r"decode_threads must be from 0 to 64 \(got -1\)"):
        FrameReader(path, decode_threads=-1)
