"""The poster and the last frame are the same pixels PyAV's ``to_image`` gives, and the
playability check decodes the last frames without making a picture of them (each 1080p
picture is copies made while holding the interpreter lock)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import av
import pytest
from PIL import Image, ImageChops

from wan_desktop.media import video

_spec = importlib.util.spec_from_file_location(
    "library_clips", Path(__file__).parents[1] / "library" / "library_clips.py"
)
clips = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(clips)


def _frames(path: Path) -> list:
    with av.open(str(path)) as container:
        return [(f.pts, f.to_image().convert("RGB")) for f in container.decode(video=0)]


def _same(a: Image.Image, b: Image.Image) -> bool:
    return a.size == b.size and a.mode == b.mode and ImageChops.difference(a, b).getbbox() is None


# An odd row length (250 × 3 bytes) makes FFmpeg pad its rows: the stride must be honoured.
@pytest.mark.parametrize("size", [(256, 144), (250, 142)])
def test_last_frame_and_poster_equal_to_image_pixel_for_pixel(tmp_path, size):
    path = clips.make_clip(tmp_path / "c.mp4", seconds=2.0, size=size, gop=7)
    frames = _frames(path)
    last = max(frames, key=lambda f: f[0])[1]
    assert _same(video.last_frame(path), last)
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        target = int(float(stream.duration * stream.time_base) * 0.1 / stream.time_base)
    chosen = next(image for pts, image in sorted(frames, key=lambda f: f[0]) if pts >= target)
    expected = chosen.copy()
    expected.thumbnail((100, 100), Image.Resampling.LANCZOS)
    assert _same(video.poster(path, max_side=100), expected)


def test_check_playable_makes_no_picture(tmp_path, monkeypatch):
    path = clips.make_clip(tmp_path / "c.mp4", seconds=1.0)
    made = []
    real_reformat = av.VideoFrame.reformat

    def reformat(self, *args, **kwargs):
        made.append(kwargs.get("format"))
        return real_reformat(self, *args, **kwargs)

    monkeypatch.setattr(av.VideoFrame, "reformat", reformat)
    monkeypatch.setattr(av.VideoFrame, "to_image", lambda self, **kw: made.append("to_image"))
    assert video.check_playable(path).frame_count == 24
    assert made == []


@pytest.mark.parametrize("gop", [None, 5])
def test_stills_are_the_poster_and_the_last_frame(tmp_path, gop):
    path = clips.make_clip(tmp_path / "c.mp4", seconds=2.0, size=(640, 360), gop=gop)
    both = video.stills(path)
    assert _same(both.poster, video.poster(path))
    assert _same(both.last_frame, video.last_frame(path))
    opened = []
    real_open = av.open
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setattr(av, "open", lambda *a, **k: opened.append(a) or real_open(*a, **k))
    try:
        video.stills(path)
    finally:
        monkeypatch.undo()
    assert len(opened) == 1


def test_a_checked_video_filed_as_a_remux_is_not_decoded_again_for_its_last_frame(tmp_path):
    from wan_desktop.media import mp4meta

    path = clips.make_clip(tmp_path / "dl.mp4", seconds=2.0, size=(320, 180))
    video.check_playable(path)
    target = tmp_path / "filed.mp4"
    mp4meta.write_comment(path, target, '{"a": 1}')
    decoded = []
    real_decode = av.container.InputContainer.decode

    def counting(self, *args, **kwargs):
        for frame in real_decode(self, *args, **kwargs):
            decoded.append(frame.pts)
            yield frame

    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setattr(av.container.InputContainer, "decode", counting)
    try:
        both = video.stills(target)
    finally:
        monkeypatch.undo()
    frames = _frames(path)
    assert _same(both.last_frame, max(frames, key=lambda f: f[0])[1])
    # Only the poster's frames (its keyframe up to 10% in): the last frame was remembered.
    assert len(decoded) <= 6, decoded


def test_videos_with_the_same_packets_but_other_sizes_keep_their_own_last_frame(tmp_path):
    # H.264 codes 250 × 142 as 256 × 144 cropped: the packets match, the setup does not.
    small = clips.make_clip(tmp_path / "a.mp4", seconds=1.0, size=(250, 142))
    big = clips.make_clip(tmp_path / "b.mp4", seconds=1.0, size=(256, 144))
    assert video.last_frame(small).size == (250, 142)
    assert video.last_frame(big).size == (256, 144)
    assert video.last_frame(small).size == (250, 142)
