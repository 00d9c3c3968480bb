"""media.proxy: the 360p playback copy beside a clip: size, frames one for one, freshness,
cancelling, refusals, one maker per path, and a library that passes it by."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import av
import pytest
from PIL import Image
from wan_testkit import write_clip

from wan_desktop.media import proxy
from wan_desktop.media.mp4meta import write_comment
from wan_desktop.media.stream_stamp import decode_stamp, stamp_of
from wan_desktop.media.video import VideoError, probe

LIBRARY_TESTS = Path(__file__).resolve().parents[1] / "library"
if str(LIBRARY_TESTS) not in sys.path:
    sys.path.insert(0, str(LIBRARY_TESTS))


def _grey(i: int, frames: int) -> int:
    return 16 + round(219 * i / max(1, frames - 1))


def _clip(path: Path, size=(1280, 720), frames=30, fps=24, audio_s=None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)

    def paint(i: int, count: int) -> Image.Image:
        value = _grey(i, count)
        return Image.new("RGB", size, (value, value, value))

    return write_clip(path, paint, frames=frames, fps=fps, audio_s=audio_s)


def _centre_greys(path: Path) -> list[int]:
    with av.open(str(path)) as container:
        greys = []
        for frame in container.decode(video=0):
            image = frame.to_image()
            greys.append(image.getpixel((image.width // 2, image.height // 2))[0])
        return greys


def test_proxy_is_360p_h264_same_frames_and_rate_no_audio(tmp_path):
    clip = _clip(tmp_path / "e" / "video.mp4", frames=30, fps=24, audio_s=1.0)
    made = proxy.ensure_proxy(clip)
    assert made == tmp_path / "e" / proxy.PROXY_NAME == proxy.proxy_for(clip)
    info = probe(made)
    assert (info.width, info.height) == (640, 360)
    assert (info.video_codec, info.pix_fmt) == ("h264", "yuv420p")
    assert info.fps == pytest.approx(24.0)
    assert info.frame_count == 30
    assert not info.has_audio
    # Frame i of the proxy shows frame i of the clip (each frame its own grey level).
    expected = [_grey(i, 30) for i in range(30)]
    assert [abs(a - b) <= 4 for a, b in zip(_centre_greys(made), expected, strict=True)] == [
        True
    ] * 30
    assert not [p.name for p in made.parent.iterdir() if p.name.startswith(".")]


def test_proxy_has_a_keyframe_every_interval(tmp_path):
    clip = _clip(tmp_path / "video.mp4", size=(640, 360), frames=40)
    with av.open(str(proxy.ensure_proxy(clip))) as container:
        keys = [i for i, p in enumerate(container.demux(video=0)) if p.size and p.is_keyframe]
    assert keys == list(range(0, 40, proxy.KEYFRAME_INTERVAL))


@pytest.mark.parametrize(
    ("size", "expected"),
    [((1920, 1080), (640, 360)), ((720, 1280), (202, 360)), ((256, 144), (256, 144)),
     ((251, 141), (252, 140)), ((960, 960), (360, 360))],
)  # fmt: skip
def test_proxy_size_keeps_aspect_even_and_never_upscales(size, expected):
    assert proxy.proxy_size(*size) == expected


def test_proxy_size_refuses_an_empty_frame():
    with pytest.raises(VideoError, match="0x360"):
        proxy.proxy_size(0, 360)


def _made_frames(clip: Path) -> list[int]:
    """Frames written while ensuring the proxy of ``clip`` ([] when it was reused)."""
    calls: list[int] = []
    proxy.ensure_proxy(clip, progress=lambda done, total: calls.append(done))
    return calls


def test_a_fresh_proxy_is_reused_and_a_stale_one_made_again(tmp_path):
    clip = _clip(tmp_path / "video.mp4", size=(320, 180), frames=6)
    assert not proxy.is_fresh(clip)
    first = proxy.ensure_proxy(clip)
    assert proxy.is_fresh(clip)
    assert proxy.read_stamp(first) == stamp_of(clip)
    made_at = first.stat().st_mtime_ns
    assert _made_frames(clip) == [] and first.stat().st_mtime_ns == made_at
    # Another clip in its place (other pictures): made again, once.
    _clip(tmp_path / "other" / "video.mp4", size=(320, 180), frames=5).replace(clip)
    assert not proxy.is_fresh(clip)
    assert _made_frames(clip) == [1, 2, 3, 4, 5]
    assert proxy.is_fresh(clip)
    assert _made_frames(clip) == []


def test_a_new_time_on_the_same_pictures_keeps_the_proxy(tmp_path):
    clip = _clip(tmp_path / "video.mp4", size=(320, 180), frames=6)
    made = proxy.ensure_proxy(clip)
    # A newer time, or an older one (a copy with its time kept): the stamps are compared,
    # they match, and the proxy takes the clip's time so the next check is two stat calls.
    for moved in (
        made.stat().st_mtime_ns + 5_000_000_000,
        made.stat().st_mtime_ns - 86_400 * 10**9,
    ):
        os.utime(clip, ns=(moved, moved))
        assert proxy.is_fresh(clip)
        assert made.stat().st_mtime_ns == moved
        assert _made_frames(clip) == []


def test_a_rewritten_comment_keeps_the_proxy(tmp_path):
    clip = _clip(tmp_path / "video.mp4", size=(320, 180), frames=6, audio_s=0.25)
    made = proxy.ensure_proxy(clip)
    before = clip.read_bytes()
    write_comment(clip, clip, '{"rating": 4}')
    assert clip.read_bytes() != before  # a new file: other bytes, another time
    assert proxy.is_fresh(clip)
    assert _made_frames(clip) == []
    assert made.stat().st_mtime_ns == clip.stat().st_mtime_ns


def test_a_stream_copy_carries_a_fresh_proxy_over_and_nothing_else(tmp_path):
    clip = _clip(tmp_path / "video.mp4", size=(320, 180), frames=4)
    assert not proxy.carry_over(clip, 0)  # no proxy yet
    made = proxy.ensure_proxy(clip)
    copied = clip.stat().st_mtime_ns
    write_comment(clip, clip, "a new comment")
    assert proxy.carry_over(clip, copied)
    assert made.stat().st_mtime_ns == clip.stat().st_mtime_ns
    # A proxy of another version is not the copied file's: left to is_fresh's stamps.
    later = clip.stat().st_mtime_ns
    os.utime(made, ns=(later - 10**9, later - 10**9))
    assert not proxy.carry_over(clip, later)
    assert made.stat().st_mtime_ns == later - 10**9


def test_one_changed_packet_makes_the_proxy_stale(tmp_path):
    clip = _clip(tmp_path / "video.mp4", size=(320, 180), frames=6)
    proxy.ensure_proxy(clip)
    with av.open(str(clip)) as container:
        last = list(container.demux(video=0))[-2]  # the last packet with data
        offset, size = last.pos, last.size
    data = bytearray(clip.read_bytes())
    data[offset + size // 2] ^= 0x55
    clip.write_bytes(bytes(data))
    assert not proxy.is_fresh(clip)


def test_a_proxy_without_a_stamp_is_stale_once_the_clip_changes(tmp_path):
    clip = _clip(tmp_path / "video.mp4", size=(320, 180), frames=4)
    made = proxy.ensure_proxy(clip)
    # A proxy made before stamps: the same file without its tag, at the clip's time.
    stripped = tmp_path / "stripped.mp4"
    with av.open(str(made)) as source, av.open(str(stripped), "w", format="mp4") as out:
        stream = out.add_stream_from_template(source.streams.video[0])
        for packet in source.demux(video=0):
            if packet.dts is not None:
                packet.stream = stream
                out.mux(packet)
    stripped.replace(made)
    clip_time = clip.stat().st_mtime_ns
    os.utime(made, ns=(clip_time, clip_time))
    assert proxy.read_stamp(made) is None
    assert proxy.is_fresh(clip)  # same time: made from this very file
    os.utime(clip, ns=(clip_time + 10**9, clip_time + 10**9))
    assert not proxy.is_fresh(clip)
    assert _made_frames(clip) == [1, 2, 3, 4]


def test_a_damaged_stamp_is_no_stamp(tmp_path):
    assert decode_stamp('{"codec": "h264"}') is None
    assert decode_stamp("not json") is None
    assert decode_stamp("x" * 5000) is None
    assert proxy.read_stamp(tmp_path / "missing.mp4") is None


def test_a_deleted_proxy_is_made_again(tmp_path):
    clip = _clip(tmp_path / "video.mp4", size=(320, 180), frames=4)
    proxy.ensure_proxy(clip).unlink()
    assert proxy.ensure_proxy(clip).is_file()


def test_cancel_stops_between_frames_and_leaves_nothing(tmp_path):
    clip = _clip(tmp_path / "e" / "video.mp4", size=(320, 180), frames=24)
    cancel = threading.Event()

    def on_progress(done: int, total: int) -> None:
        if done == 3:
            cancel.set()

    with pytest.raises(proxy.ProxyCancelled):
        proxy.ensure_proxy(clip, cancel=cancel, progress=on_progress)
    assert sorted(p.name for p in clip.parent.iterdir()) == ["video.mp4"]


def test_a_file_that_is_not_a_video_is_refused_and_leaves_nothing(tmp_path):
    fake = tmp_path / "e" / "video.mp4"
    fake.parent.mkdir()
    fake.write_bytes(b"not a video at all" * 100)
    with pytest.raises(VideoError, match=r"video\.mp4"):
        proxy.ensure_proxy(fake)
    assert sorted(p.name for p in fake.parent.iterdir()) == ["video.mp4"]


def test_a_missing_clip_is_refused(tmp_path):
    with pytest.raises(VideoError, match="no such video file"):
        proxy.ensure_proxy(tmp_path / "gone.mp4")


def test_two_workers_asking_at_once_make_the_proxy_once(tmp_path):
    clip = _clip(tmp_path / "video.mp4", size=(640, 360), frames=24)
    frames_written: list[int] = []
    results: list[Path] = []

    def work() -> None:
        results.append(proxy.ensure_proxy(clip, progress=lambda d, t: frames_written.append(d)))

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results == [proxy.proxy_for(clip)] * 3
    assert len(frames_written) == 24


def test_the_library_passes_a_proxy_by(lib, tmp_path):
    from library_entries import new_entry

    entry = lib.add(new_entry(tmp_path / "incoming"))
    made = proxy.ensure_proxy(entry.video_path)
    assert made.parent == entry.video_path.parent
    # With the sidecar gone, rebuild reads the MP4s' comments: the proxy carries none.
    (entry.video_path.parent / "entry.json").unlink()
    lib.rebuild()
    assert [e.id for e in lib.list()] == [entry.id]
    assert lib.get(entry.id).video_path.name == "video.mp4"
    (tmp_path / "out").mkdir()
    exported = lib.export(entry.id, tmp_path / "out", with_sidecar=True)
    assert proxy.PROXY_NAME not in [p.name for p in (tmp_path / "out").iterdir()]
    assert exported.is_file()


def test_an_old_half_written_proxy_is_swept_and_a_fresh_one_left(tmp_path):
    clip = _clip(tmp_path / "e" / "video.mp4", size=(320, 180), frames=4)
    old = clip.parent / ".proxy.mp4.abc123.mp4"  # a killed process's leftover
    young = clip.parent / ".proxy.mp4.def456.mp4"  # another process's work in progress
    for path in (old, young):
        path.write_bytes(b"half a video")
    long_ago = old.stat().st_mtime - 3600
    os.utime(old, (long_ago, long_ago))
    proxy.ensure_proxy(clip)
    assert sorted(p.name for p in clip.parent.iterdir()) == [young.name, "proxy.mp4", "video.mp4"]
