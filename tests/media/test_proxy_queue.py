"""media.proxy_queue: the background proxy maker: two lanes (urgent ones in order at the app's
priority, background ones newest first and nicer), a bounded backlog, once per clip, failures
not retried, forget and close stop the work, an idle worker ends."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import pytest
from PIL import Image
from wan_testkit import wait_until, write_clip

from wan_desktop.media import proxy, proxy_queue
from wan_desktop.media.proxy_queue import ProxyQueue

pytestmark = pytest.mark.timeout(60)


class FakeMaker:
    """Stands in for ensure_proxy: records the order and each call's thread and priority;
    a call for a name in ``hold`` blocks until ``go`` is set."""

    def __init__(self, fail: set[str] | None = None, hold: set[str] | None = None) -> None:
        self.calls: list[str] = []
        self.threads: dict[str, str] = {}
        self.nice: dict[str, int] = {}
        self.holding = threading.Event()
        self.go = threading.Event()
        self.fail = fail or set()
        self.hold = hold or set()

    def __call__(self, path: Path, *, cancel: threading.Event) -> Path:
        self.calls.append(path.name)
        self.threads[path.name] = threading.current_thread().name
        if sys.platform.startswith("linux"):
            tid = threading.get_native_id()
            self.nice[path.name] = os.getpriority(os.PRIO_PROCESS, tid)
        if path.name in self.hold:
            self.holding.set()
            self.go.wait(10)
        if path.name in self.fail:
            raise ValueError(f"{path.name} is damaged")
        return path.with_name(proxy.PROXY_NAME)


def test_background_newest_first_with_a_bounded_backlog(tmp_path):
    maker = FakeMaker(hold={"first"})
    ready: list[str] = []
    queue = ProxyQueue(make=maker, max_waiting=3, on_ready=lambda p: ready.append(p.name))
    try:
        queue.request(tmp_path / "first")
        assert maker.holding.wait(5)
        for name in ("a", "b", "c", "d"):  # "a" is forgotten: only 3 may wait
            assert queue.request(tmp_path / name)
        assert queue.state(tmp_path / "first") == "running"
        assert queue.state(tmp_path / "c") == "waiting"
        assert queue.state(tmp_path / "a") == "unknown"
        assert not queue.request(tmp_path / "first")  # being made: not twice
        maker.go.set()
        wait_until(lambda: queue.pending() == 0)
        assert maker.calls == ["first", "d", "c", "b"]
        wait_until(lambda: len(ready) == 4)
        assert queue.made == 4
    finally:
        queue.close()


def test_urgent_requests_skip_a_busy_background_lane_in_order(tmp_path):
    maker = FakeMaker(hold={"slow"})
    queue = ProxyQueue(make=maker)
    try:
        queue.request(tmp_path / "slow")  # the background lane is busy with this one
        assert maker.holding.wait(5)
        queue.request(tmp_path / "later")
        for name in ("u1", "u2", "later"):  # "later" moves from the background to the front
            queue.request(tmp_path / name, urgent=True)
        wait_until(lambda: maker.calls[1:] == ["u1", "u2", "later"])
        assert queue.state(tmp_path / "slow") == "running"
        assert {maker.threads[n] for n in ("u1", "u2", "later")} == {"proxy-maker-urgent"}
        assert maker.threads["slow"] == "proxy-maker"
        if sys.platform.startswith("linux"):  # the background lane runs nicer, urgent does not
            mine = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
            assert maker.nice["u1"] == mine
            assert maker.nice["slow"] == min(19, mine + proxy_queue.BACKGROUND_NICE)
        maker.go.set()
        wait_until(lambda: queue.pending() == 0)
        assert sorted(maker.calls) == ["later", "slow", "u1", "u2"]  # each made once
    finally:
        maker.go.set()
        queue.close()


def test_a_clip_is_made_once_and_a_failure_is_not_retried(tmp_path):
    maker = FakeMaker(fail={"bad"})
    failed: list[tuple[str, str]] = []
    queue = ProxyQueue(make=maker, on_failed=lambda p, m: failed.append((p.name, m)))
    try:
        queue.request(tmp_path / "good")
        queue.request(tmp_path / "bad")
        wait_until(lambda: queue.state(tmp_path / "bad") == "failed")
        wait_until(lambda: queue.state(tmp_path / "good") == "made")
        assert not queue.request(tmp_path / "good")
        assert not queue.request(tmp_path / "bad")
        assert failed == [("bad", "bad is damaged")]
        assert sorted(maker.calls) == ["bad", "good"]
        queue.forget(tmp_path / "bad")  # e.g. the clip was replaced: a new request tries again
        assert queue.request(tmp_path / "bad")
        wait_until(lambda: maker.calls.count("bad") == 2)
        # Somebody waits on a clip made before and found no fresh proxy: it is checked again.
        assert queue.request(tmp_path / "good", urgent=True)
        wait_until(lambda: maker.calls.count("good") == 2)
    finally:
        queue.close()


def test_an_idle_worker_ends_and_a_new_request_starts_another(tmp_path, monkeypatch):
    monkeypatch.setattr(proxy_queue, "IDLE_EXIT_S", 0.05)
    maker = FakeMaker()
    queue = ProxyQueue(make=maker)
    try:
        queue.request(tmp_path / "x")
        wait_until(lambda: not any(t.name.startswith("proxy-maker") for t in threading.enumerate()))
        queue.request(tmp_path / "y")
        wait_until(lambda: maker.calls == ["x", "y"])
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
        wait_until(lambda: queue.pending() == 0)
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
    assert not any(t.name.startswith("proxy-maker") for t in threading.enumerate())
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
