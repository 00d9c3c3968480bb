"""Proxies made in the background by worker threads, one proxy at a time per lane (Qt-free).

The library pane asks for the proxy of every card it shows (:meth:`ProxyQueue.request`); hover
scrubbing and the contact sheet ask with ``urgent=True`` for the one the user waits on. The two
kinds go in two lanes, each with its own worker thread:

- the background lane serves the newest requests first (the cards on screen now), forgets the
  oldest when too many wait (scrolling through a large library never builds a backlog), and
  runs at a lower CPU priority on Linux (``nice`` +10, inherited by FFmpeg's codec threads),
  so the window and the players keep the cores when they need them;
- the urgent lane serves its requests in order at the app's own priority: a proxy somebody is
  waiting for is not slowed down by a busy machine's other work.

A clip is made (or found fresh) once per queue, and one that failed is not tried again, so a
painter asking on every repaint cannot loop; a clip already being made in either lane is not
made twice. Each worker starts with its lane's first request and ends after
:data:`IDLE_EXIT_S` with nothing to do, so an idle queue holds no thread. ``on_ready(path)`` and
``on_failed(path, message)`` are called from the worker threads; :meth:`forget` and
:meth:`close` stop a proxy being made between two frames. Queues still open when the
interpreter exits are closed first (``atexit``), so no worker is inside FFmpeg while Python
shuts down.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import sys
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from .proxy import ProxyCancelled, ensure_proxy

__all__ = ["BACKGROUND_NICE", "IDLE_EXIT_S", "MAX_WAITING", "ProxyQueue"]

log = logging.getLogger(__name__)

#: How much nicer than the app the worker runs (Linux), so it yields the cores to the GUI.
BACKGROUND_NICE = 10
#: Seconds the worker waits for more work before its thread ends.
IDLE_EXIT_S = 2.0
#: Non-urgent requests kept waiting at most; the oldest are forgotten beyond this.
MAX_WAITING = 256

Maker = Callable[..., Path]
_OPEN: weakref.WeakSet[ProxyQueue] = weakref.WeakSet()


class ProxyQueue:
    """Makes proxies in the background (see the module docstring). Methods are safe from any
    thread; callbacks run on a worker thread and must not block it for long."""

    def __init__(
        self,
        *,
        on_ready: Callable[[Path], None] | None = None,
        on_failed: Callable[[Path, str], None] | None = None,
        max_waiting: int = MAX_WAITING,
        make: Maker = ensure_proxy,
    ) -> None:
        self.on_ready = on_ready
        self.on_failed = on_failed
        self.max_waiting = max(1, int(max_waiting))
        self._make = make
        self._lock = threading.Condition()
        # The two lanes' waiting paths: urgent ones in order, background ones newest last.
        self._lanes: dict[bool, OrderedDict[Path, None]] = {True: OrderedDict(),
                                                            False: OrderedDict()}  # fmt: skip
        self._threads: dict[bool, threading.Thread | None] = {True: None, False: None}
        self._running: dict[Path, threading.Event] = {}  # path -> its cancel event
        self._settled: dict[Path, bool] = {}  # path -> made (True) or failed (False)
        self._closed = False
        self.made = 0  # proxies this queue handed to on_ready (tests, bench)
        _OPEN.add(self)

    # ---- asking -------------------------------------------------------------------------------

    def request(self, video_path: Path | str, *, urgent: bool = False) -> bool:
        """Ask for the proxy of ``video_path``; ``urgent`` for one the user waits on (its own
        lane, at the app's priority). Returns False when there is nothing to do (being made,
        the queue is closed, or, for a background request, made or failed before). An urgent
        request is served even then: the user found no fresh proxy, so the clip may have
        changed since (the maker returns at once when the proxy is fresh after all). Cheap: no
        file is looked at on the caller's thread."""
        path = Path(video_path)
        with self._lock:
            if self._closed or path in self._running or (path in self._settled and not urgent):
                return False
            self._settled.pop(path, None)
            urgent_lane, background = self._lanes[True], self._lanes[False]
            if urgent:
                background.pop(path, None)
                urgent_lane[path] = None
            elif path in urgent_lane:
                return True
            else:
                background[path] = None
                background.move_to_end(path)
                while len(background) > self.max_waiting:
                    background.popitem(last=False)
            self._start_locked(urgent)
            self._lock.notify_all()
            return True

    def forget(self, video_path: Path | str) -> None:
        """Drop ``video_path``'s request (a clip moved to the trash): a proxy being made for
        it stops between two frames, leaving nothing, and a later request starts afresh."""
        path = Path(video_path)
        with self._lock:
            for lane in self._lanes.values():
                lane.pop(path, None)
            self._settled.pop(path, None)
            cancel = self._running.get(path)
            if cancel is not None:
                cancel.set()

    def state(self, video_path: Path | str) -> str:
        """``"made"``, ``"failed"``, ``"running"``, ``"waiting"`` or ``"unknown"`` (tests and
        the UI's hints)."""
        path = Path(video_path)
        with self._lock:
            if path in self._settled:
                return "made" if self._settled[path] else "failed"
            if path in self._running:
                return "running"
            if any(path in lane for lane in self._lanes.values()):
                return "waiting"
            return "unknown"

    def pending(self) -> int:
        """Requests waiting or running."""
        with self._lock:
            return sum(len(lane) for lane in self._lanes.values()) + len(self._running)

    def close(self, timeout_s: float = 5.0) -> None:
        """Stop: forget what waits, stop the proxies being made (between two frames) and wait
        up to ``timeout_s`` for the workers to end. Further requests are refused."""
        with self._lock:
            self._closed = True
            for lane in self._lanes.values():
                lane.clear()
            for cancel in self._running.values():
                cancel.set()
            threads = [t for t in self._threads.values() if t is not None]
            self._lock.notify_all()
        for thread in threads:
            if thread is not threading.current_thread():
                thread.join(timeout_s)

    # ---- the workers --------------------------------------------------------------------------

    def _start_locked(self, urgent: bool) -> None:
        if self._threads[urgent] is None:
            name = "proxy-maker-urgent" if urgent else "proxy-maker"
            thread = threading.Thread(target=self._work, args=(urgent,), name=name, daemon=True)
            self._threads[urgent] = thread
            thread.start()

    def _next_locked(self, urgent: bool) -> Path | None:
        """The lane's next path that nobody is making, waiting up to :data:`IDLE_EXIT_S`;
        None: end the thread."""
        lane = self._lanes[urgent]
        while not self._closed:
            for path in list(lane) if urgent else reversed(list(lane)):  # background: newest
                del lane[path]
                if path not in self._running and path not in self._settled:
                    return path
            if not self._lock.wait(IDLE_EXIT_S) and not lane:
                break
        self._threads[urgent] = None  # decided under the lock: a later request starts another
        return None

    def _work(self, urgent: bool) -> None:
        if not urgent:
            _lower_priority()
        while True:
            with self._lock:
                path = self._next_locked(urgent)
                if path is None:
                    return
                cancel = self._running[path] = threading.Event()
            made, message = self._make_one(path, cancel)
            with self._lock:
                del self._running[path]
                if made is None or self._closed:
                    continue  # forgotten or closed meanwhile: nothing to report
                self._settled[path] = made
                self.made += made
            self._report(path, made, message)

    def _make_one(self, path: Path, cancel: threading.Event) -> tuple[bool | None, str]:
        try:
            self._make(path, cancel=cancel)
        except ProxyCancelled:
            return None, ""
        except Exception as exc:  # a damaged clip, a folder moved away: said once, not retried
            return False, str(exc) or type(exc).__name__
        return True, ""

    def _report(self, path: Path, made: bool, message: str) -> None:
        try:
            if made:
                if self.on_ready is not None:
                    self.on_ready(path)
            else:
                log.debug("no proxy for %s: %s", path, message)
                if self.on_failed is not None:
                    self.on_failed(path, message)
        except Exception:  # a listener's bug must not end the worker
            log.exception("a proxy listener failed for %s", path)


def _lower_priority() -> None:
    """Make the calling thread (and the codec threads it starts) nicer, on Linux, where a
    thread has a priority of its own; elsewhere the call would lower the whole app."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + BACKGROUND_NICE)


@atexit.register
def _close_open_queues() -> None:
    """At exit: stop every worker still making a proxy, before the interpreter goes away."""
    for queue in list(_OPEN):
        queue.close(timeout_s=2.0)
