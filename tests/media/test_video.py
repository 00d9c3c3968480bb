"""media.video: probe, poster, the exact last frame, playability (clips made with PyAV)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import av
import pytest

from wan_desktop.media import video

_spec = importlib.util.spec_from_file_location(
    "library_clips", Path(__file__).parents[1] / "library" / "library_clips.py"
)
clips = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(clips)


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    return clips.make_clip(tmp_path_factory.mktemp("v") / "clip.mp4", seconds=1.0, audio=True)


def test_probe(clip):
    info = video.probe(clip)
    assert (info.width, info.height) == (256, 144)
    assert info.fps == 24.0 and info.frame_count == 24
    assert info.duration_s == pytest.approx(1.0, abs=0.05)
    assert info.has_audio and info.video_codec == "h264" and info.pix_fmt == "yuv420p"
    assert info.size_bytes == clip.stat().st_size


def test_probe_without_audio(tmp_path):
    info = video.probe(clips.make_clip(tmp_path / "silent.mp4", seconds=0.5))
    assert not info.has_audio and info.frame_count == 12


def test_poster_is_about_ten_percent_in_and_small(tmp_path):
    big = clips.make_clip(tmp_path / "big.mp4", seconds=2.0, size=(1280, 720))
    image = video.poster(big)
    assert max(image.size) == 480 and image.size == (480, 270)
    grey = image.getpixel((100, 100))[0]
    expected = clips.frame_value(round(48 * 0.1), 48)
    assert abs(grey - expected) <= 10, (grey, expected)
    assert max(video.poster(big, max_side=100).size) == 100


@pytest.mark.parametrize("gop", [None, 5, 7, 24])
def test_last_frame_is_the_true_last_frame(tmp_path, gop):
    frames = 48
    path = clips.make_clip(tmp_path / f"g{gop}.mp4", seconds=2.0, gop=gop)
    image = video.last_frame(path)
    assert image.size == (256, 144) and image.mode == "RGB"
    assert abs(image.getpixel((5, 5))[0] - clips.frame_value(frames - 1, frames)) <= 2
    # The frame before it differs by about 5 grey levels: a seek one frame short would show.
    assert abs(image.getpixel((5, 5))[0] - clips.frame_value(frames - 2, frames)) >= 3


def test_last_frame_decodes_only_the_last_gop(tmp_path, monkeypatch):
    path = clips.make_clip(tmp_path / "long.mp4", seconds=4.0, gop=12)
    decoded = []
    real_decode = av.container.InputContainer.decode

    def counting(self, *args, **kwargs):
        for frame in real_decode(self, *args, **kwargs):
            decoded.append(frame.pts)
            yield frame

    monkeypatch.setattr(av.container.InputContainer, "decode", counting)
    video.last_frame(path)
    assert 0 < len(decoded) <= 24, len(decoded)  # not all 96 frames


def test_check_playable_accepts_a_good_clip(clip):
    assert video.check_playable(clip).frame_count == 24


def test_check_playable_refuses_truncated_files(tmp_path):
    path = clips.make_clip(tmp_path / "whole.mp4", seconds=2.0)
    data = path.read_bytes()
    for cut in (0.3, 0.8, 0.99):
        bad = tmp_path / f"cut{cut}.mp4"
        bad.write_bytes(data[: int(len(data) * cut)])
        with pytest.raises(video.VideoError, match=r"truncated|damaged|not a video"):
            video.check_playable(bad)
    # Index at the end (no faststart): a cut file has no index at all.
    tail = clips.make_clip(tmp_path / "tail.mp4", seconds=2.0, faststart=False)
    bad = tmp_path / "tailcut.mp4"
    bad.write_bytes(tail.read_bytes()[: int(tail.stat().st_size * 0.9)])
    with pytest.raises(video.VideoError):
        video.check_playable(bad)


def test_check_playable_refuses_other_files(tmp_path):
    (tmp_path / "empty.mp4").write_bytes(b"")
    (tmp_path / "text.mp4").write_text("hello")
    for name in ("empty.mp4", "text.mp4", "absent.mp4"):
        with pytest.raises(video.VideoError) as info:
            video.check_playable(tmp_path / name)
        assert name in str(info.value)
    mpeg4 = tmp_path / "mpeg4.mp4"
    with av.open(str(mpeg4), "w") as out:
        stream = out.add_stream("mpeg4", rate=24)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        for i in range(3):
            frame = av.VideoFrame(64, 64, "yuv420p")
            frame.pts = i
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    with pytest.raises(video.VideoError, match=r"H\.264"):
        video.check_playable(mpeg4)


def test_ffmpeg_logs_stay_quiet(tmp_path, capfd):
    (tmp_path / "junk.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\xff" * 500)
    with pytest.raises(video.VideoError):
        video.check_playable(tmp_path / "junk.mp4")
    assert capfd.readouterr().err == ""
