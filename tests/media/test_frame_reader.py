"""media.frame_reader: frame N is the N-th frame a plain decode enumerates, pixel for pixel,
whatever the order of the reads; times map to the frame on screen; hostile files refuse."""

from __future__ import annotations

import fractions
import random
from pathlib import Path

import av
import pytest
from PIL import Image, ImageDraw
from wan_testkit import write_clip

from wan_desktop.media.frame_reader import Frame, FrameReader, FrameReadError


def paint(size: tuple[int, int]):
    """Frames that differ everywhere (a moving bar and a changing background), so a frame
    off by one never matches and B-frames have real motion to predict."""

    def draw(i: int, frames: int) -> Image.Image:
        image = Image.new("RGB", size, ((i * 7) % 256, (90 + i * 3) % 256, (200 - i) % 256))
        pen = ImageDraw.Draw(image)
        x = (i * 5) % size[0]
        pen.rectangle([x, 0, x + size[0] // 6, size[1] - 1], fill=(250, 250, 40))
        pen.ellipse([size[0] // 3, i % size[1], size[0] // 3 + 20, i % size[1] + 20], fill=0)
        return image

    return draw


# name -> (size, frames, x264 options): one GOP (x264's default), short closed GOPs with
# B-frames, an open GOP with B-frames, and a size that is no multiple of 16.
CLIPS = {
    "one-gop": ((128, 72), 40, {}),
    "bframes": ((160, 90), 45, {"preset": "medium", "x264-params": "keyint=9:bframes=3"}),
    "open-gop": (
        (160, 96),
        50,
        {"preset": "medium", "x264-params": "keyint=10:min-keyint=10:bframes=3:open-gop=1"},
    ),
    "odd-size": ((250, 142), 30, {"x264-params": "keyint=7"}),
}


def plain_decode(path: Path) -> list[tuple[float, bytes]]:
    """Each frame of ``for f in container.decode(video=0)``: its time and RGB bytes."""
    out = []
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        first = None
        for frame in container.decode(video=0):
            first = frame.pts if first is None else first
            out.append((float((frame.pts - first) * stream.time_base), frame.to_image().tobytes()))
    return out


@pytest.fixture(scope="module", params=sorted(CLIPS))
def clip(request, tmp_path_factory) -> tuple[Path, list[tuple[float, bytes]]]:
    size, frames, options = CLIPS[request.param]
    path = tmp_path_factory.mktemp("fr") / f"{request.param}.mp4"
    write_clip(path, paint(size), frames=frames, codec_options=options)
    return path, plain_decode(path)


def test_every_frame_matches_the_plain_decode_in_any_order(clip):
    path, expected = clip
    order = list(range(len(expected)))  # forward steps first, then backward, then at random
    order += order[::-1] + random.Random(7).sample(order, len(order))
    with FrameReader(path) as reader:
        assert reader.frame_count == len(expected)
        for index in order:
            frame = reader.frame_at(index)
            assert isinstance(frame, Frame) and frame.index == index
            assert (frame.width, frame.height) == (reader.width, reader.height)
            assert frame.rgb == expected[index][1], f"frame {index}"
            assert frame.time_s == pytest.approx(expected[index][0])


def test_stepping_forward_does_not_seek(clip):
    path, expected = clip
    with FrameReader(path) as reader:
        reader.frame_at(0)
        assert reader.seek_count == 1
        for index in range(1, len(expected)):
            assert reader.frame_at(index).rgb == expected[index][1]
        assert reader.seek_count == 1
        reader.frame_at(len(expected) - 3)  # a step back among the last decoded: no seek
        assert reader.seek_count == 1
        reader.frame_at(2)  # further back: one seek, to the keyframe before frame 2
        assert reader.seek_count == 2


def test_rate_duration_and_size(tmp_path):
    path = write_clip(tmp_path / "c.mp4", paint((160, 90)), frames=48, fps=24)
    with FrameReader(path) as reader:
        assert reader.fps == 24.0 and reader.frame_count == 48
        assert reader.duration_s == pytest.approx(2.0)
        assert (reader.width, reader.height) == (160, 90)


def test_frame_at_time_is_the_frame_on_screen(tmp_path):
    path = write_clip(tmp_path / "c.mp4", paint((160, 90)), frames=24, fps=24)
    expected = plain_decode(path)
    with FrameReader(path) as reader:
        assert reader.frame_at_time(0.0).index == 0
        assert reader.frame_at_time(0.99 / 24).index == 0
        assert reader.frame_at_time(5 / 24).index == 5  # exactly its start: that frame
        assert reader.frame_at_time(5.5 / 24).rgb == expected[5][1]
        assert reader.frame_at_time(-3.0).index == 0
        assert reader.frame_at_time(60.0).index == 23  # past the end: the last frame holds


def write_vfr(path: Path, times_ms: list[int], size=(128, 72)) -> Path:
    """An H.264 MP4 whose frames start at ``times_ms`` (irregular gaps)."""
    draw = paint(size)
    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        stream.codec_context.time_base = fractions.Fraction(1, 1000)
        stream.options = {"preset": "ultrafast", "x264-params": "keyint=4"}
        for i, ms in enumerate(times_ms):
            frame = av.VideoFrame.from_image(draw(i, len(times_ms)))
            frame.pts, frame.time_base = ms, fractions.Fraction(1, 1000)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def test_variable_frame_rate_numbers_and_times(tmp_path):
    times_ms = [0, 40, 50, 120, 300, 310, 320, 500, 540, 700, 710, 1000]
    path = write_vfr(tmp_path / "vfr.mp4", times_ms)
    expected = plain_decode(path)
    assert [round(t * 1000) for t, _ in expected] == times_ms
    with FrameReader(path) as reader:
        assert reader.frame_count == len(times_ms)
        for index in [11, 0, 7, 3, 4, 10, 2]:
            assert reader.frame_at(index).rgb == expected[index][1]
        assert reader.frame_at_time(0.299).index == 3
        assert reader.frame_at_time(0.300).index == 4
        assert reader.frame_at_time(0.705).index == 9
        assert reader.frame_at_time(0.3).time_s == pytest.approx(0.3)


def test_scaled_output_keeps_the_aspect_and_the_picture(tmp_path):
    path = write_clip(tmp_path / "c.mp4", paint((320, 180)), frames=10)
    expected = plain_decode(path)
    with FrameReader(path, max_size=(100, 100)) as reader:
        assert (reader.width, reader.height) == (100, 56)
        frame = reader.frame_at(6)
        assert (frame.width, frame.height) == (100, 56) and len(frame.rgb) == 100 * 56 * 3
        full = Image.frombytes("RGB", (320, 180), expected[6][1])
        small = full.resize((100, 56), Image.Resampling.BOX).tobytes()
        # A different scaler rounds differently; the picture is the same.
        diffs = [abs(a - b) for a, b in zip(frame.rgb, small, strict=True)]
        assert sum(diffs) / len(diffs) < 4
    with FrameReader(path, max_size=(4000, 4000)) as reader:  # never enlarged
        assert (reader.width, reader.height) == (320, 180)


def test_a_new_output_size_needs_no_seek(tmp_path):
    path = write_clip(tmp_path / "c.mp4", paint((320, 180)), frames=12)
    expected = plain_decode(path)
    with FrameReader(path, max_size=(160, 160)) as reader:
        assert reader.frame_at(7).width == 160
        seeks = reader.seek_count
        reader.set_max_size(None)
        assert (reader.width, reader.height) == (320, 180)
        assert reader.frame_at(7).rgb == expected[7][1]  # the same frame, converted again
        assert reader.frame_at(8).rgb == expected[8][1]
        assert reader.seek_count == seeks
        reader.set_max_size((80, 80))
        assert (reader.frame_at(8).width, reader.frame_at(8).height) == (80, 45)


def test_odd_output_width_has_no_row_padding(tmp_path):
    path = write_clip(tmp_path / "c.mp4", paint((320, 180)), frames=3)
    with FrameReader(path, max_size=(101, 101)) as reader:
        frame = reader.frame_at(2)
        assert (frame.width, frame.height) == (101, 57)
        assert len(frame.rgb) == 101 * 57 * 3
        image = Image.frombytes("RGB", (101, 57), frame.rgb)
        # The yellow bar starts at x = 10 in the source (≈ 3 here) on every row alike.
        assert image.getpixel((5, 0)) == image.getpixel((5, 56))


def test_bad_arguments_name_the_field_and_the_limit(tmp_path):
    path = write_clip(tmp_path / "c.mp4", paint((64, 36)), frames=5)
    with FrameReader(path) as reader:
        with pytest.raises(ValueError, match=r"frame index 5 is out of range.*5 frames \(0 to 4\)"):
            reader.frame_at(5)
        with pytest.raises(ValueError, match="frame index -1"):
            reader.frame_at(-1)
    with pytest.raises(ValueError, match="max_size must be at least 1×1"):
        FrameReader(path, max_size=(0, 10))


def test_hostile_files_raise_a_clear_error(tmp_path):
    with pytest.raises(FrameReadError, match="no such video file"):
        FrameReader(tmp_path / "missing.mp4")
    text = tmp_path / "notes.mp4"
    text.write_text("not a video at all\n" * 50)
    with pytest.raises(FrameReadError, match="not a video file FFmpeg can read"):
        FrameReader(text)
    sound = tmp_path / "tone.m4a"
    with av.open(str(sound), "w", format="mp4") as out:
        from wan_testkit import encode_tone

        encode_tone(out, out.add_stream("aac", rate=44100, layout="mono"), 0.2)
    with pytest.raises(FrameReadError, match="has no video track"):
        FrameReader(sound)


def test_a_truncated_file_refuses_or_reads_only_whole_frames(tmp_path):
    path = write_clip(tmp_path / "c.mp4", paint((160, 90)), frames=30)
    expected = plain_decode(path)
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size * 2 // 3])
    try:
        reader = FrameReader(cut)
    except FrameReadError as exc:
        assert "cut.mp4" in str(exc)
        return
    with reader:
        assert reader.frame_at(0).rgb == expected[0][1]
        for index in range(reader.frame_count):
            try:
                reader.frame_at(index)
            except FrameReadError as exc:
                assert f"Frame {index} of cut.mp4" in str(exc)


def test_closed_reader_refuses(tmp_path):
    path = write_clip(tmp_path / "c.mp4", paint((64, 36)), frames=5)
    reader = FrameReader(path)
    reader.frame_at(1)
    reader.close()
    with pytest.raises(FrameReadError):
        reader.frame_at(3)


def test_damaged_files_refuse_with_frame_read_errors_only(tmp_path):
    """Bytes flipped at random (and some files cut short): opening and reading every frame in
    a random order gives frames or FrameReadError, never another exception or a hang."""
    options = {"preset": "medium", "x264-params": "keyint=8:bframes=3"}
    data = write_clip(tmp_path / "c.mp4", paint((160, 90)), frames=40,
                      codec_options=options).read_bytes()  # fmt: skip
    rng = random.Random(3)
    damaged = tmp_path / "damaged.mp4"
    outcomes = {"opened": 0, "refused": 0}
    for trial in range(60):
        raw = bytearray(data)
        for _ in range(rng.randint(1, 30)):
            raw[rng.randrange(len(raw))] = rng.randrange(256)
        damaged.write_bytes(bytes(raw[: rng.randrange(len(raw))] if trial % 3 == 0 else raw))
        try:
            reader = FrameReader(damaged)
        except FrameReadError as exc:
            assert "damaged.mp4" in str(exc)
            outcomes["refused"] += 1
            continue
        outcomes["opened"] += 1
        with reader:
            order = list(range(reader.frame_count))
            rng.shuffle(order)
            for index in order:
                try:
                    frame = reader.frame_at(index)
                except FrameReadError as exc:
                    assert f"Frame {index} of damaged.mp4" in str(exc)
                    continue
                assert len(frame.rgb) == 3 * frame.width * frame.height
    assert outcomes["opened"] and outcomes["refused"]
