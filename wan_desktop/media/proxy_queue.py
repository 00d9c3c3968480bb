"""Proxies made in the background, one at a time, by a worker thread of low priority (Qt-free).

The library pane asks for the proxy of every card it shows (:meth:`ProxyQueue.request`); hover
scrubbing and the contact sheet ask with ``urgent=True`` for the one they need now. Urgent
requests go first, oldest first; the rest newest first (the cards on screen now), and the
oldest of those are forgotten when too many wait, so scrolling through a large library never
builds a backlog. A clip is made (or found fresh) once per queue; a clip that failed is not
tried again, so a painter asking on every repaint cannot loop.

One worker thread makes the proxies (:func:`~wan_desktop.media.proxy.ensure_proxy`, frame by
frame). On Linux it runs at a lower CPU priority (``nice`` +10, inherited by FFmpeg's codec
threads), so the window and the players keep the cores when they need them. It starts with
the first request and ends after :data:`IDLE_EXIT_S` with nothing to do, so an idle queue
holds no thread. ``on_ready(path)`` and ``on_failed(path, message)`` are called from that
thread; :meth:`forget` and :meth:`close` stop the proxy being made between two frames. Queues
still open when the interpreter exits are closed first (``atexit``), so no worker is inside
FFmpeg while Python shuts down.
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
    thread; callbacks run on the worker thread and must not block it for long."""

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
        self._urgent: OrderedDict[Path, None] = OrderedDict()
        self._waiting: OrderedDict[Path, None] = OrderedDict()
        self._settled: dict[Path, bool] = {}  # path -> made (True) or failed (False)
        self._running: Path | None = None
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None
        self._closed = False
        self.made = 0  # proxies this queue handed to on_ready (tests, bench)
        _OPEN.add(self)

    # ---- asking -------------------------------------------------------------------------------

    def request(self, video_path: Path | str, *, urgent: bool = False) -> bool:
        """Ask for the proxy of ``video_path``; ``urgent`` puts it before every background
        request. Returns False when there is nothing to do (made or failed before, already
        running, or the queue is closed). Cheap: no file is looked at on the caller's thread."""
        path = Path(video_path)
        with self._lock:
            if self._closed or path in self._settled or path == self._running:
                return False
            if urgent:
                self._waiting.pop(path, None)
                self._urgent[path] = None
            elif path in self._urgent:
                return True
            else:
                self._waiting[path] = None
                self._waiting.move_to_end(path)
                while len(self._waiting) > self.max_waiting:
                    self._waiting.popitem(last=False)
            self._start_locked()
            self._lock.notify()
            return True

    def forget(self, video_path: Path | str) -> None:
        """Drop ``video_path``'s request (a clip moved to the trash): a proxy being made for
        it stops between two frames, leaving nothing, and a later request starts afresh."""
        path = Path(video_path)
        with self._lock:
            self._urgent.pop(path, None)
            self._waiting.pop(path, None)
            self._settled.pop(path, None)
            if path == self._running:
                self._cancel.set()

    def state(self, video_path: Path | str) -> str:
        """``"made"``, ``"failed"``, ``"running"``, ``"waiting"`` or ``"unknown"`` (tests and
        the UI's hints)."""
        path = Path(video_path)
        with self._lock:
            if path in self._settled:
                return "made" if self._settled[path] else "failed"
            if path == self._running:
                return "running"
            if path in self._urgent or path in self._waiting:
                return "waiting"
            return "unknown"

    def pending(self) -> int:
        """Requests waiting or running."""
        with self._lock:
            return len(self._urgent) + len(self._waiting) + (self._running is not None)

    def close(self, timeout_s: float = 5.0) -> None:
        """Stop: forget what waits, stop the proxy being made (between two frames) and wait
        up to ``timeout_s`` for the worker to end. Further requests are refused."""
        with self._lock:
            self._closed = True
            self._urgent.clear()
            self._waiting.clear()
            self._cancel.set()
            thread = self._thread
            self._lock.notify_all()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout_s)

    # ---- the worker ---------------------------------------------------------------------------

    def _start_locked(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="proxy-maker", daemon=True)
            self._thread.start()

    def _next_locked(self) -> Path | None:
        """The next path to make, waiting up to :data:`IDLE_EXIT_S`; None: end the thread."""
        while not self._closed:
            if self._urgent:
                return self._urgent.popitem(last=False)[0]
            if self._waiting:
                return self._waiting.popitem(last=True)[0]  # newest: on screen now
            if not self._lock.wait(IDLE_EXIT_S) and not (self._urgent or self._waiting):
                break
        self._thread = None
        return None

    def _work(self) -> None:
        _lower_priority()
        while True:
            with self._lock:
                path = self._next_locked()
                if path is None:
                    return
                self._running = path
                self._cancel = threading.Event()
                cancel = self._cancel
            made, message = self._make_one(path, cancel)
            with self._lock:
                self._running = None
                if made is None or self._closed:
                    continue  # forgotten or closed meanwhile: nothing to report
                self._settled[path] = made
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
                self.made += 1
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
