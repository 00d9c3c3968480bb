"""Writing judgements into the videos later, a few at a time: :class:`CommentSync`, a thread
that runs :meth:`Library.sync_comment` for the entries it is told changed, once per entry,
some seconds after the last change to it (Qt-free).

Why a queue: culling is a burst of keys (3, 4, P on one take, then the next); each key updates
the sidecar and the index at once, but a comment rewrite remuxes the video. Coalescing per
entry makes a burst cost one rewrite per clip, after the person moved on, and never on the GUI
thread. :meth:`CommentSync.close` writes what is still waiting before it returns (the window
calls it at exit); a process killed before that loses no judgement, only the comment's copy of
it, which the next change or ``wan-desktop library rate`` writes.

Threads: :meth:`CommentSync.changed` and :meth:`CommentSync.flush` may be called from any
thread (they only take a lock); the syncs run in the one thread of the queue.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

__all__ = ["DEFAULT_DELAY_S", "CommentSync", "Failure"]

_log = logging.getLogger(__name__)

#: Seconds after the last change to an entry before its comment is written.
DEFAULT_DELAY_S = 3.0
#: Told of an entry whose sync failed, from the queue's thread: ``(entry_id, error)``.
Failure = Callable[[str, BaseException], None]


class CommentSync:
    """A debounced, per-entry queue of comment rewrites.

    ``sync(entry_id)`` does one rewrite (normally ``library.sync_comment``); ``delay_s`` is the
    quiet time per entry; ``on_failure`` hears of a rewrite that raised (the entry is not
    retried until it changes again); ``clock`` is for tests.
    """

    def __init__(
        self,
        sync: Callable[[str], object],
        *,
        delay_s: float = DEFAULT_DELAY_S,
        on_failure: Failure | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        if delay_s < 0:
            raise ValueError(f"delay_s must be 0 or more seconds; got {delay_s!r}")
        self._sync = sync
        self._delay_s = delay_s
        self._on_failure = on_failure
        self._clock = clock
        self._due: dict[str, float] = {}
        self._running: str | None = None
        self._closed = False
        self._wake = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="comment-sync", daemon=True)
        self._thread.start()

    @property
    def pending(self) -> list[str]:
        """The entries waiting for their rewrite (and the one being written), soonest first."""
        with self._wake:
            waiting = sorted(self._due, key=self._due.__getitem__)
            return [self._running, *waiting] if self._running else waiting

    def changed(self, entry_id: str) -> None:
        """Note that ``entry_id``'s rating or flag changed: its comment is written
        ``delay_s`` after the last such call. Ignored once closed."""
        with self._wake:
            if self._closed:
                return
            self._due[entry_id] = self._clock() + self._delay_s
            self._wake.notify()

    def flush(self, timeout_s: float | None = None) -> bool:
        """Write every waiting entry now and wait for them; returns whether all were written
        within ``timeout_s`` (``None``: no limit)."""
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        with self._wake:
            for entry_id in self._due:
                self._due[entry_id] = float("-inf")
            self._wake.notify_all()
            while self._due or self._running:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._wake.wait(left)
        return True

    def close(self, timeout_s: float | None = 10.0) -> bool:
        """Write what is waiting (see :meth:`flush`), then stop the thread; returns whether
        everything was written in time. Idempotent."""
        done = self.flush(timeout_s)
        with self._wake:
            self._closed = True
            self._wake.notify_all()
        self._thread.join(timeout_s)
        return done

    def _next(self) -> str | None:
        """Under the lock: wait for the entry whose quiet time is over; ``None`` once closed."""
        while True:
            if self._closed and not self._due:
                return None
            if self._due:
                entry_id = min(self._due, key=self._due.__getitem__)
                wait = self._due[entry_id] - self._clock()
                if wait <= 0:
                    del self._due[entry_id]
                    self._running = entry_id
                    return entry_id
                self._wake.wait(wait)
            else:
                self._wake.wait()

    def _run(self) -> None:
        while True:
            with self._wake:
                entry_id = self._next()
            if entry_id is None:
                return
            try:
                self._sync(entry_id)
            except Exception as exc:  # reported; the queue goes on
                _log.warning("the comment of entry %s was not written: %s", entry_id, exc)
                if self._on_failure is not None:
                    try:
                        self._on_failure(entry_id, exc)
                    except Exception:  # a listener's bug must not stop the syncs
                        _log.exception("the comment sync's failure listener failed")
            finally:
                with self._wake:
                    self._running = None
                    self._wake.notify_all()
