"""library.scrub: hover frames decoded on demand from the proxy: the right frame for a pointer
position, the latest request wins, a missing proxy is said once, a damaged one is not retried,
leaving the card closes the file, closing ends the thread."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import pytest
from library_clips import frame_value, make_clip
from wan_testkit import wait_until

from wan_desktop.library import scrub
from wan_desktop.library.scrub import HoverFrame, HoverFrames, frame_index
from wan_desktop.media import proxy

pytestmark = pytest.mark.timeout(60)
BOX = (128, 72)


def _grey(hover: HoverFrame) -> int:
    f = hover.frame
    middle = (f.height // 2 * f.width + f.width // 2) * 3
    return f.rgb[middle]


@pytest.fixture
def clip(tmp_path) -> Path:
    folder = tmp_path / "entry"
    folder.mkdir()
    return make_clip(folder / "video.mp4", seconds=2.0, size=(426, 240))  # 48 frames


@pytest.fixture
def frames():
    got: list[HoverFrame] = []
    missing: list[tuple[str, Path]] = []
    errors: list[tuple[str, str]] = []
    hover = HoverFrames(
        on_frame=got.append,
        on_missing_proxy=lambda key, path: missing.append((key, path)),
        on_error=lambda key, message: errors.append((key, message)),
    )
    hover.got, hover.missing, hover.errors = got, missing, errors
    yield hover
    hover.close()


@pytest.mark.parametrize(
    ("fraction", "count", "expected"),
    [(0.0, 48, 0), (1.0, 48, 47), (0.5, 48, 24), (0.999, 48, 47), (-3, 48, 0), (7, 48, 47),
     (0.5, 1, 0), (0.5, 0, 0), (0.26, 4, 1)],
)  # fmt: skip
def test_frame_index_gives_each_frame_an_equal_slice(fraction, count, expected):
    assert frame_index(fraction, count) == expected


def test_the_frame_under_the_pointer_comes_from_the_proxy(frames, clip):
    proxy.ensure_proxy(clip)
    for n, fraction in enumerate((0.0, 0.5, 1.0), start=1):
        frames.show("a", clip, fraction=fraction, max_size=BOX)
        wait_until(lambda n=n: len(frames.got) == n)
    for hover, want in zip(frames.got, (0, 24, 47), strict=True):
        assert hover.key == "a" and hover.frame_count == 48
        assert hover.frame.index == want
        assert (hover.frame.width, hover.frame.height) == (128, 72)
        assert abs(_grey(hover) - frame_value(want, 48)) <= 4
    frames.show("a", clip, index=5, max_size=BOX)
    wait_until(lambda: len(frames.got) == 4)
    assert frames.got[-1].frame.index == 5
    assert frames.missing == [] and frames.errors == []


def test_the_latest_request_wins(clip):
    proxy.ensure_proxy(clip)
    gate, got = threading.Event(), []

    def on_frame(hover: HoverFrame) -> None:
        got.append(hover.frame.index)
        gate.wait(10)  # hold the worker on the first frame while the pointer moves on

    hover = HoverFrames(on_frame=on_frame)
    try:
        hover.show("a", clip, index=0, max_size=BOX)
        wait_until(lambda: got == [0])
        for index in (3, 9, 17, 40):
            hover.show("a", clip, index=index, max_size=BOX)
        gate.set()
        wait_until(lambda: len(got) == 2)
        time.sleep(0.1)
        assert got == [0, 40]
        assert hover.skipped == 3
    finally:
        gate.set()
        hover.close()


def test_a_missing_proxy_is_said_once_then_frames_come_after_retry(frames, clip):
    for fraction in (0.1, 0.2, 0.3):
        frames.show("a", clip, fraction=fraction, max_size=BOX)
        time.sleep(0.05)
    wait_until(lambda: frames.missing)
    time.sleep(0.1)
    assert frames.missing == [("a", clip)] and frames.got == []
    proxy.ensure_proxy(clip)
    frames.retry(clip)
    frames.show("a", clip, fraction=0.5, max_size=BOX)
    wait_until(lambda: frames.got)
    assert frames.got[0].frame.index == 24


def test_a_stale_proxy_counts_as_missing(frames, clip, tmp_path):
    proxy.ensure_proxy(clip)
    # The clip changed after the proxy was made (other pictures in its place).
    make_clip(tmp_path / "other.mp4", seconds=1.0, size=(426, 240)).replace(clip)
    frames.show("a", clip, fraction=0.5, max_size=BOX)
    wait_until(lambda: frames.missing)
    assert frames.got == []


def test_a_damaged_proxy_is_reported_once_and_not_retried(frames, clip):
    made = proxy.ensure_proxy(clip)
    stamp = clip.stat().st_mtime_ns
    made.write_bytes(b"\x00" * 4096)
    os.utime(made, ns=(stamp, stamp))  # still "fresh" by its time: only reading finds out
    for fraction in (0.1, 0.9):
        frames.show("a", clip, fraction=fraction, max_size=BOX)
        time.sleep(0.05)
    wait_until(lambda: frames.errors)
    time.sleep(0.1)
    assert len(frames.errors) == 1 and frames.errors[0][0] == "a"
    assert "proxy.mp4" in frames.errors[0][1]
    made.unlink()
    proxy.ensure_proxy(clip)
    frames.retry(clip)
    frames.show("a", clip, fraction=0.9, max_size=BOX)
    wait_until(lambda: frames.got)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/fd")
def test_leaving_the_card_closes_the_proxy_file(frames, clip):
    made = proxy.ensure_proxy(clip)

    def open_on_proxy() -> bool:
        fds = Path("/proc/self/fd")
        targets = []
        for fd in fds.iterdir():
            try:
                targets.append(os.readlink(fd))
            except OSError:
                continue
        return str(made) in targets

    frames.show("a", clip, fraction=0.5, max_size=BOX)
    wait_until(lambda: frames.got)
    assert open_on_proxy()
    frames.release()
    wait_until(lambda: not open_on_proxy())


def test_close_ends_the_thread_and_an_idle_one_ends_alone(clip, monkeypatch):
    proxy.ensure_proxy(clip)
    monkeypatch.setattr(scrub, "IDLE_EXIT_S", 0.05)
    got: list[HoverFrame] = []
    hover = HoverFrames(on_frame=got.append)
    hover.show("a", clip, fraction=0.5, max_size=BOX)
    wait_until(lambda: got)
    wait_until(lambda: not any(t.name == "hover-frames" for t in threading.enumerate()))
    hover.show("a", clip, fraction=0.0, max_size=BOX)  # a new thread for a new request
    wait_until(lambda: len(got) == 2)
    hover.close()
    assert not any(t.name == "hover-frames" for t in threading.enumerate())
    hover.show("a", clip, fraction=0.5, max_size=BOX)  # refused once closed
    time.sleep(0.05)
    assert len(got) == 2


def test_show_needs_a_fraction_or_an_index(frames, clip):
    with pytest.raises(ValueError, match="fraction and index"):
        frames.show("a", clip, max_size=BOX)
    with pytest.raises(ValueError, match="fraction and index"):
        frames.show("a", clip, fraction=0.5, index=3, max_size=BOX)
