"""media.mp4meta: the comment tag written by remuxing and read back by FFmpeg-based readers."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import av
import pytest

from wan_desktop.media import mp4meta, video

_spec = importlib.util.spec_from_file_location(
    "library_clips", Path(__file__).parents[1] / "library" / "library_clips.py"
)
clips = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(clips)

TEXT = json.dumps({"prompt": 'a "quoted" prompt — ünïcödé ✓ 🦊', "seed": 42, "pad": "x" * 25_000})


@pytest.fixture
def clip(tmp_path) -> Path:
    folder = tmp_path / "v"
    folder.mkdir()
    return clips.make_clip(folder / "src.mp4", seconds=1.0, audio=True)


def packets(path: Path) -> list[tuple[int, bytes]]:
    with av.open(str(path)) as container:
        return [(p.stream.index, bytes(p)) for p in container.demux() if p.size]


def test_round_trip_through_pyav(clip, tmp_path):
    dst = tmp_path / "out.mp4"
    mp4meta.write_comment(clip, dst, TEXT)
    assert mp4meta.read_comment(dst) == TEXT
    with av.open(str(dst)) as container:  # FFmpeg's own reader, as any tool sees it
        assert container.metadata["comment"] == TEXT
    assert mp4meta.read_comment(clip) is None


def test_stream_copy_no_reencode(clip, tmp_path):
    dst = tmp_path / "out.mp4"
    mp4meta.write_comment(clip, dst, TEXT)
    assert packets(dst) == packets(clip)
    before, after = video.probe(clip), video.probe(dst)
    assert (after.frame_count, after.has_audio, after.video_codec) == (
        before.frame_count,
        before.has_audio,
        before.video_codec,
    )


def test_faststart_index_first(tmp_path):
    src = clips.make_clip(tmp_path / "tail.mp4", seconds=1.0, faststart=False)
    data = src.read_bytes()
    assert data.find(b"moov") > data.find(b"mdat")
    dst = tmp_path / "fast.mp4"
    mp4meta.write_comment(src, dst, "x")
    data = dst.read_bytes()
    assert 0 < data.find(b"moov") < data.find(b"mdat")


def test_in_place_and_atomic(clip, tmp_path):
    mp4meta.write_comment(clip, clip, "first")
    mp4meta.write_comment(clip, clip, "second")
    assert mp4meta.read_comment(clip) == "second"
    assert sorted(p.name for p in clip.parent.iterdir()) == ["src.mp4"]  # no temp files left
    assert clip.stat().st_mode & 0o777 == 0o644


def test_failure_leaves_destination_untouched(clip):
    folder = clip.parent
    dst = folder / "keep.mp4"
    dst.write_bytes(b"old")
    bad = folder / "bad.mp4"
    bad.write_bytes(b"not a video")
    with pytest.raises(video.VideoError):
        mp4meta.write_comment(bad, dst, "x")
    assert dst.read_bytes() == b"old"
    assert sorted(p.name for p in folder.iterdir()) == ["bad.mp4", "keep.mp4", "src.mp4"]


def test_read_comment_of_non_video(tmp_path):
    path = tmp_path / "x.mp4"
    path.write_text("hello")
    with pytest.raises(video.VideoError):
        mp4meta.read_comment(path)
