"""The offline renderer: a real H.264 MP4, probed with PyAV."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import av
import pytest
from emulator_helpers import png_bytes, wav_bytes
from PIL import Image, ImageChops, ImageStat

from wan_desktop.core import limits
from wan_desktop.emulator import render_video
from wan_desktop.emulator.render import RenderCancelled, camera_move, output_size


def _render(dest: Path, image: bytes, **kwargs) -> Path:
    kwargs.setdefault("resolution", "720p")
    kwargs.setdefault("duration_s", 5)
    kwargs.setdefault("seed", 1)
    render_video(image, dest=dest, **kwargs)
    return dest


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("render")


@pytest.fixture(scope="module")
def landscape() -> bytes:
    return png_bytes(1280, 720, pattern=True)


@pytest.fixture(scope="module")
def clip(folder, landscape) -> Path:
    """16:9, 720p, 5 s, seed 1, with 3 s of audio (so the last 2 s are silent)."""
    return _render(folder / "clip.mp4", landscape, audio_bytes=wav_bytes(3.0, rate=16_000))


@pytest.fixture(scope="module")
def clip_again(folder, landscape) -> Path:
    return _render(folder / "again.mp4", landscape, audio_bytes=wav_bytes(3.0, rate=16_000))


@pytest.fixture(scope="module")
def clip_seed2(folder, landscape) -> Path:
    return _render(folder / "seed2.mp4", landscape, seed=2)


@pytest.fixture(scope="module")
def portrait(folder) -> Path:
    """9:16 with 30 s of audio: cut to 5 s."""
    image = png_bytes(720, 1280, pattern=True)
    return _render(folder / "portrait.mp4", image, seed=3, audio_bytes=wav_bytes(30.0))


def frames(path: Path, indexes: set[int], *, width: int | None = None) -> dict[int, Image.Image]:
    """Decoded frames as RGB images (scaled to ``width`` by FFmpeg when given: quicker)."""
    out = {}
    with av.open(str(path)) as container:
        for index, frame in enumerate(container.decode(video=0)):
            if index in indexes:
                if width is None:
                    out[index] = frame.to_image()
                else:
                    height = round(frame.height * width / frame.width)
                    out[index] = frame.reformat(width, height, "rgb24").to_image()
    return out


def diff(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute difference per channel value (0-255)."""
    return sum(ImageStat.Stat(ImageChops.difference(a, b)).mean) / 3


def top_level_boxes(path: Path) -> list[str]:
    boxes, data, offset = [], path.read_bytes(), 0
    while offset + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        if size == 1:
            size = struct.unpack(">Q", data[offset + 8 : offset + 16])[0]
        boxes.append(kind.decode("latin-1"))
        if size < 8:
            break
        offset += size
    return boxes


# ---- the size rule (pure) -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "resolution", "expected"),
    [
        ((1280, 720), "720p", (1280, 720)),
        ((1920, 1080), "1080p", (1920, 1080)),
        ((3840, 2160), "720p", (1280, 720)),
        ((720, 1280), "720p", (720, 1280)),
        ((1000, 1000), "720p", (960, 960)),
        ((1000, 1000), "1080p", (1440, 1440)),
        ((4000, 3000), "1080p", (1662, 1248)),
        ((7680, 240), "720p", (5430, 170)),
        ((240, 7680), "1080p", (254, 8146)),
    ],
)
def test_output_size_keeps_aspect_at_the_pixel_count(size, resolution, expected):
    width, height = output_size(*size, resolution)
    assert (width, height) == expected
    assert width % 2 == 0 and height % 2 == 0
    assert abs(width * height / limits.RESOLUTION_PIXELS[resolution] - 1) < 0.02
    assert abs((width / height) / (size[0] / size[1]) - 1) < 0.02


def test_camera_move_depends_only_on_the_seed():
    assert camera_move(5) == camera_move(5)
    moves = {camera_move(seed) for seed in range(40)}
    assert len(moves) == 40
    assert {m.back for m in moves} == {True, False}
    for move in moves:
        assert 1.08 <= move.zoom <= 1.2
        assert move.box_at(0, 1000, 500) == (0, 0, 1000, 500)  # frame 0: the whole image


# ---- real renders ---------------------------------------------------------------------------


def test_video_stream_is_h264_yuv420p_24fps_exact_frames(clip):
    with av.open(str(clip)) as container:
        video = container.streams.video[0]
        assert video.codec_context.name == "h264"
        assert video.codec_context.pix_fmt == "yuv420p"
        assert video.average_rate == limits.OUTPUT_FPS
        assert (video.codec_context.width, video.codec_context.height) == (1280, 720)
        decoded = sum(1 for _ in container.decode(video=0))
    assert decoded == 5 * limits.OUTPUT_FPS


def test_index_is_before_the_media(clip, portrait):
    for path in (clip, portrait):
        boxes = top_level_boxes(path)
        assert boxes[0] == "ftyp"
        assert boxes.index("moov") < boxes.index("mdat"), boxes


def test_audio_is_aac_padded_with_silence(clip):
    with av.open(str(clip)) as container:
        audio = container.streams.audio[0]
        assert audio.codec_context.name == "aac"
        rate = audio.codec_context.sample_rate
        loud_until = 0.0
        total = 0
        for frame in container.decode(audio=0):
            start = total / rate
            total += frame.samples
            peak = max(
                abs(v)
                for v in struct.unpack(
                    f"<{len(bytes(frame.planes[0])) // 4}f", bytes(frame.planes[0])
                )
            )
            if peak > 0.01:
                loud_until = max(loud_until, start)
    duration = total / rate
    assert 4.95 <= duration <= 5.1  # the track covers the video (plus AAC's priming frame)
    assert 2.7 <= loud_until <= 3.1  # sound for 3 s, silence after


def test_long_audio_is_cut_to_the_video(portrait):
    with av.open(str(portrait)) as container:
        audio = container.streams.audio[0]
        seconds = float(audio.duration * audio.time_base)
        video = container.streams.video[0]
        assert (video.codec_context.width, video.codec_context.height) == (720, 1280)
    assert 4.95 <= seconds <= 5.1


def test_same_seed_same_bytes(clip, clip_again):
    assert clip.read_bytes() == clip_again.read_bytes()


def test_different_seed_different_motion(clip, clip_seed2, landscape):
    a = frames(clip, {0, 60, 119})
    b = frames(clip_seed2, {0, 60, 119})
    assert diff(a[0], b[0]) < 1.0  # both start on the image itself
    assert diff(a[60], b[60]) > 5 or diff(a[119], b[119]) > 5
    assert clip.read_bytes() != clip_seed2.read_bytes()


def test_first_frame_is_the_image_and_motion_is_smooth(clip, landscape, tmp_path):
    source = Image.open(io.BytesIO(landscape)).convert("RGB")
    full = frames(clip, {0, 40, 80, 119})
    assert diff(full[0], source) < 3.0  # the input framing, no zoom (yuv420p rounding)
    picked = frames(clip, set(range(120)), width=320)
    steps = [diff(picked[i], picked[i + 1]) for i in range(119)]
    assert diff(picked[0], picked[119]) > 5 or diff(picked[0], picked[60]) > 5  # it moves
    # A slow, eased camera: no jumps between neighbouring frames.
    assert max(steps) < 12, steps
    assert max(steps) < 8 * (sum(steps) / len(steps)) + 1
    for index in (0, 40, 80, 119):
        full[index].save(tmp_path / f"frame{index:03}.png")
        assert Image.open(tmp_path / f"frame{index:03}.png").size == (1280, 720)


def test_exif_orientation_is_applied(folder):
    image = Image.new("RGB", (640, 360), (10, 200, 10))
    exif = image.getexif()
    exif[0x0112] = 6  # shown rotated: 360×640
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    path = _render(folder / "exif.mp4", out.getvalue(), seed=9)
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.width, stream.codec_context.height) == (720, 1280)


def test_cancel_through_progress_leaves_nothing(folder, landscape):
    dest = folder / "cancelled.mp4"
    seen = []

    def progress(done, total):
        seen.append(done)
        if done == 10:
            raise RenderCancelled

    with pytest.raises(RenderCancelled):
        render_video(
            landscape, resolution="720p", duration_s=5, seed=1, dest=dest, progress=progress
        )
    assert seen == list(range(1, 11))
    assert not dest.exists()
    assert not [p for p in folder.iterdir() if p.name.startswith(".cancelled")]


def test_undecodable_image_raises(folder):
    with pytest.raises(Exception):  # noqa: B017 (Pillow's error type varies by input)
        render_video(b"nope", resolution="720p", duration_s=5, seed=1, dest=folder / "x.mp4")
