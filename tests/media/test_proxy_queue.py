"""media.proxy_queue: the background proxy maker: order (urgent first, then newest), a bounded
backlog, once per clip, failures not retried, forget and close stop the work, an idle worker
ends, and it runs nicer than the app."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import pytest
from PIL import Image
from wan_testkit import write_clip

from wan_desktop.media import proxy, proxy_queue
from wan_desktop.media.proxy_queue import ProxyQueue

pytestmark = pytest.mark.timeout(60)


class FakeMaker:
    """Stands in for ensure_proxy: records the order, blocks on the first call until let go."""

    def __init__(self, fail: set[str] | None = None) -> None:
        self.calls: list[str] = []
        self.first_started = threading.Event()
        self.go = threading.Event()
        self.fail = fail or set()
        self.nice: list[int] = []

    def __call__(self, path: Path, *, cancel: threading.Event) -> Path:
        self.calls.append(path.name)
        if sys.platform.startswith("linux"):
            self.nice.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        if len(self.calls) == 1:
            self.first_started.set()
            self.go.wait(10)
        if path.name in self.fail:
            raise ValueError(f"{path.name} is damaged")
        return path.with_name(proxy.PROXY_NAME)


def _wait(predicate, timeout=10.0):
    end = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.005)


def test_urgent_first_then_newest_first_and_a_bounded_backlog(tmp_path):
    maker = FakeMaker()
    ready: list[str] = []
    queue = ProxyQueue(make=maker, max_waiting=3, on_ready=lambda p: ready.append(p.name))
    try:
        queue.request(tmp_path / "first")
        assert maker.first_started.wait(5)
        for name in ("a", "b", "c", "d"):  # "a" is forgotten: only 3 may wait
            assert queue.request(tmp_path / name)
        queue.request(tmp_path / "u1", urgent=True)
        queue.request(tmp_path / "u2", urgent=True)
        queue.request(tmp_path / "b", urgent=True)  # promoted out of the background
        assert queue.state(tmp_path / "first") == "running"
        assert queue.state(tmp_path / "c") == "waiting"
        assert queue.state(tmp_path / "a") == "unknown"
        maker.go.set()
        _wait(lambda: queue.pending() == 0)
        assert maker.calls == ["first", "u1", "u2", "b", "d", "c"]
        _wait(lambda: len(ready) == 6)
        assert queue.made == 6
    finally:
        queue.close()


def test_a_clip_is_made_once_and_a_failure_is_not_retried(tmp_path):
    maker = FakeMaker(fail={"bad"})
    maker.go.set()
    failed: list[tuple[str, str]] = []
    queue = ProxyQueue(make=maker, on_failed=lambda p, m: failed.append((p.name, m)))
    try:
        queue.request(tmp_path / "good")
        queue.request(tmp_path / "bad")
        _wait(lambda: queue.state(tmp_path / "bad") == "failed")
        _wait(lambda: queue.state(tmp_path / "good") == "made")
        assert not queue.request(tmp_path / "good")
        assert not queue.request(tmp_path / "bad", urgent=True)
        assert failed == [("bad", "bad is damaged")]
        assert sorted(maker.calls) == ["bad", "good"]
        queue.forget(tmp_path / "bad")  # e.g. the clip was replaced: a new request tries again
        assert queue.request(tmp_path / "bad")
        _wait(lambda: maker.calls.count("bad") == 2)
    finally:
        queue.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice is Linux's")
def test_the_worker_runs_nicer_than_the_app(tmp_path):
    maker = FakeMaker()
    maker.go.set()
    queue = ProxyQueue(make=maker)
    try:
        queue.request(tmp_path / "x")
        _wait(lambda: queue.pending() == 0)
        mine = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        assert maker.nice == [min(19, mine + proxy_queue.BACKGROUND_NICE)]
    finally:
        queue.close()


def test_an_idle_worker_ends_and_a_new_request_starts_another(tmp_path, monkeypatch):
    monkeypatch.setattr(proxy_queue, "IDLE_EXIT_S", 0.05)
    maker = FakeMaker()
    maker.go.set()
    queue = ProxyQueue(make=maker)
    try:
        queue.request(tmp_path / "x")
        _wait(lambda: not any(t.name == "proxy-maker" for t in threading.enumerate()))
        queue.request(tmp_path / "y")
        _wait(lambda: maker.calls == ["x", "y"])
    finally:
        queue.close()


def _clip(folder: Path, frames: int = 48) -> Path:
    folder.mkdir(parents=True)

    def paint(i: int, _n: int) -> Image.Image:
        return Image.new("RGB", (640, 360), (i * 5 % 256, 90, 40))

    return write_clip(folder / "video.mp4", paint, frames=frames)


def test_forget_stops_the_proxy_being_made_and_leaves_nothing(tmp_path):
    clip = _clip(tmp_path / "e")
    started = threading.Event()

    def slow_make(path: Path, *, cancel: threading.Event) -> Path:
        def progress(done: int, _total: int) -> None:
            started.set()
            time.sleep(0.02)  # slow enough for forget() to land between two frames

        return proxy.ensure_proxy(path, cancel=cancel, progress=progress)

    ready: list[Path] = []
    queue = ProxyQueue(make=slow_make, on_ready=ready.append)
    try:
        queue.request(clip)
        assert started.wait(10)
        queue.forget(clip)
        _wait(lambda: queue.pending() == 0)
        assert ready == []
        assert sorted(p.name for p in clip.parent.iterdir()) == ["video.mp4"]
        assert queue.state(clip) == "unknown"
    finally:
        queue.close()


def test_close_stops_the_work_and_refuses_more(tmp_path):
    clip = _clip(tmp_path / "e")
    queue = ProxyQueue()
    queue.request(clip)
    queue.request(tmp_path / "other.mp4")
    queue.close()
    assert not any(t.name == "proxy-maker" for t in threading.enumerate())
    assert not queue.request(clip)
    assert queue.pending() == 0


def test_a_real_proxy_is_made_in_the_background(tmp_path):
    clip = _clip(tmp_path / "e", frames=12)
    ready = threading.Event()
    queue = ProxyQueue(on_ready=lambda p: ready.set())
    try:
        assert queue.request(clip, urgent=True)
        assert ready.wait(20)
        assert proxy.is_fresh(clip)
        assert queue.state(clip) == "made"
    finally:
        queue.close()
