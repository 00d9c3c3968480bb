"""Writing judgements into the videos later, a few at a time: :class:`CommentSync`, a thread
that runs :meth:`Library.sync_comment` for the entries it is told changed, once per entry,
some seconds after the last change to it (Qt-free).

Why a queue: culling is a burst of keys (3, 4, P on one take, then the next); each key updates
the sidecar and the index at once, but a comment rewrite remuxes the video. Coalescing per
entry makes a burst cost one rewrite per clip, after the person moved on, and never on the GUI
thread. A rewrite the file system refused (on Windows, a video a player has open cannot be
replaced) is tried again later. :meth:`CommentSync.close` writes what is still waiting before
it returns (the window calls it at exit).

Why a file too: a process killed before its rewrites ran would leave the comments out of date
until each clip's next change. With a :class:`~.comment_pending.PendingFile`, the queue notes
each entry on disk when it is first told of it (one small atomic write per entry per burst) and
forgets it once its comment is written; a new queue on the same library adopts what dead
processes left and writes those comments first. An entry whose rewrite failed on the file
system (a busy file, a full disk) stays noted for the next process; one that is gone or whose
video cannot be read is dropped (the failure is reported). The note is made before the sidecar
changes (:meth:`CommentSync.note`, the library's ``before`` hook of :meth:`Library.on_judged`),
so no kill leaves a judgement unnoted; ``wan-desktop library sync-comments`` finds every comment
out of date by reading the videos, whatever left it so.

Threads: :meth:`CommentSync.changed` and :meth:`CommentSync.flush` may be called from any
thread (they take a lock, and ``changed`` writes the pending file when the set grows: not the
GUI thread when there is one); the syncs run in the one thread of the queue.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from .comment_pending import PendingFile
from .ids import is_valid_id

__all__ = ["DEFAULT_DELAY_S", "DEFAULT_RETRY_S", "DEFAULT_TRIES", "CommentSync", "Failure"]

_log = logging.getLogger(__name__)

#: Seconds after the last change to an entry before its comment is written.
DEFAULT_DELAY_S = 3.0
#: Seconds before a rewrite that failed on the file system is tried again, and how many tries.
DEFAULT_RETRY_S = 30.0
DEFAULT_TRIES = 3
#: Told of an entry whose sync failed, from the queue's thread: ``(entry_id, error)``.
Failure = Callable[[str, BaseException], None]


class CommentSync:
    """A debounced, per-entry queue of comment rewrites.

    ``sync(entry_id)`` does one rewrite (normally ``library.sync_comment``); ``delay_s`` is the
    quiet time per entry. A rewrite that fails with ``OSError`` (the file is busy: Windows
    refuses to replace a video a player has open; a full disk) is tried again ``retry_s``
    later, ``tries`` times in all, except while flushing; ``on_failure`` hears of a rewrite
    that failed for good (then the entry waits for its next change, or with ``pending_file``
    and a file system error, for the next process). ``pending_file`` keeps the entries not yet
    written on disk; what dead processes left there is adopted and queued at once, with the
    same quiet time.
    """

    def __init__(
        self,
        sync: Callable[[str], object],
        *,
        delay_s: float = DEFAULT_DELAY_S,
        retry_s: float = DEFAULT_RETRY_S,
        tries: int = DEFAULT_TRIES,
        on_failure: Failure | None = None,
        pending_file: PendingFile | None = None,
    ):
        if delay_s < 0:
            raise ValueError(f"delay_s must be 0 or more seconds; got {delay_s!r}")
        if retry_s < 0:
            raise ValueError(f"retry_s must be 0 or more seconds; got {retry_s!r}")
        if isinstance(tries, bool) or not isinstance(tries, int) or tries < 1:
            raise ValueError(f"tries must be a whole number of at least 1; got {tries!r}")
        self._sync = sync
        self._delay_s = delay_s
        self._retry_s = retry_s
        self._tries = tries
        self._on_failure = on_failure
        self._clock = time.monotonic
        self._due: dict[str, float] = {}
        self._failed: dict[str, int] = {}
        self._flushing = 0
        self._running: str | None = None
        self._closed = False
        self._wake = threading.Condition()
        # Entries whose comment may be out of date, as the pending file should say; written
        # under its own lock so a slow disk never holds up ``pending`` or the queue's thread.
        self._pending_file = pending_file
        self._noted: set[str] = set()
        # Edits between note() and changed(): their entries stay noted whatever a sync of
        # an earlier change finds meanwhile.
        self._editing: dict[str, int] = {}
        self._saved: frozenset[str] = frozenset()
        self._disk = threading.Lock()
        self._disk_warned = False
        if pending_file is not None:
            self._adopt(pending_file)
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
            self._failed.pop(entry_id, None)  # a new change earns fresh tries
            grew = entry_id not in self._noted
            self._noted.add(entry_id)
            left = self._editing.pop(entry_id, 0) - 1
            if left > 0:
                self._editing[entry_id] = left
            self._wake.notify()
        if grew:
            self._save()

    def note(self, entry_id: str) -> None:
        """Before ``entry_id``'s rating or flag changes: note it in the pending file (without
        queueing it), so a process killed before :meth:`changed` leaves it to the next one.
        Each call is ended by one :meth:`changed` (the library makes it also when the edit
        failed). Ignored once closed, and for a text that is not an entry id."""
        if not is_valid_id(entry_id):
            return
        with self._wake:
            if self._closed:
                return
            self._editing[entry_id] = self._editing.get(entry_id, 0) + 1
            grew = entry_id not in self._noted
            self._noted.add(entry_id)
        if grew:
            self._save()

    def flush(self, timeout_s: float | None = None) -> bool:
        """Write every waiting entry now and wait for them; returns whether all were written
        within ``timeout_s`` (``None``: no limit)."""
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        with self._wake:
            self._flushing += 1
            try:
                for entry_id in self._due:
                    self._due[entry_id] = float("-inf")
                self._wake.notify_all()
                while self._due or self._running:
                    left = None if deadline is None else deadline - time.monotonic()
                    if left is not None and left <= 0:
                        return False
                    self._wake.wait(left)
            finally:
                self._flushing -= 1
        return True

    def close(self, timeout_s: float | None = 10.0) -> bool:
        """Write what is waiting (see :meth:`flush`), then stop the thread; returns whether
        everything was written in time. Idempotent."""
        done = self.flush(timeout_s)
        with self._wake:
            self._closed = True
            self._wake.notify_all()
        self._thread.join(timeout_s)
        self._save()  # what failed on the file system stays noted for the next process
        return done

    def _adopt(self, pending_file: PendingFile) -> None:
        """Take over the entries dead processes left unwritten: noted in this process's file
        first, their files deleted after, so a kill in between loses none."""
        adopted = pending_file.adopt()
        if not adopted.files:
            return
        due = self._clock() + self._delay_s
        with self._wake:
            self._noted.update(adopted.ids)
            for entry_id in adopted.ids:
                self._due.setdefault(entry_id, due)
            self._wake.notify()
        if self._save():
            pending_file.discard(adopted.files)
        _log.info("%d comments left out of date by an earlier run are queued", len(adopted.ids))

    def _done(self, entry_id: str, *, keep: bool) -> None:
        """``entry_id``'s sync is over: forget it unless it is queued again or ``keep``."""
        with self._wake:
            if keep or entry_id in self._due or entry_id in self._editing:
                return
            self._noted.discard(entry_id)
        self._save()

    def _save(self) -> bool:
        """Write the noted set to the pending file when it changed; whether the file says it.
        A library that cannot be written is warned of once (the syncs go on)."""
        if self._pending_file is None:
            return False
        with self._disk:
            with self._wake:
                noted = frozenset(self._noted)
            if noted == self._saved:
                return True
            try:
                self._pending_file.save(noted)
            except OSError as exc:
                if not self._disk_warned:
                    self._disk_warned = True
                    _log.warning("the comments still to write could not be noted: %s", exc)
                return False
            self._saved = noted
            return True

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
                self._sync_one(entry_id)
            finally:
                with self._wake:
                    self._running = None
                    self._wake.notify_all()

    def _sync_one(self, entry_id: str) -> None:
        """Sync ``entry_id``; then forget it in the pending file unless it must be tried
        again (before a flush waiting on it returns)."""
        keep = True
        try:
            self._sync(entry_id)
        except Exception as exc:  # reported; the queue goes on
            if not self._retry_later(entry_id, exc):
                # A file system error may pass: the next process tries again.
                keep = isinstance(exc, OSError)
                self._report(entry_id, exc)
        else:
            keep = False
            with self._wake:
                self._failed.pop(entry_id, None)
        self._done(entry_id, keep=keep)

    def _retry_later(self, entry_id: str, exc: Exception) -> bool:
        """Queue ``entry_id`` again ``retry_s`` from now when ``exc`` may pass (a file system
        error) and it has tries left; whether it did."""
        with self._wake:
            tries = self._failed.get(entry_id, 0) + 1
            if (
                not isinstance(exc, OSError)
                or tries >= self._tries
                or self._flushing
                or self._closed
            ):
                self._failed.pop(entry_id, None)
                return False
            self._failed[entry_id] = tries
            # A change made meanwhile already queued it: that time stands.
            self._due.setdefault(entry_id, self._clock() + self._retry_s)
        _log.info("the comment of entry %s will be tried again: %s", entry_id, exc)
        return True

    def _report(self, entry_id: str, exc: Exception) -> None:
        _log.warning("the comment of entry %s was not written: %s", entry_id, exc)
        if self._on_failure is not None:
            try:
                self._on_failure(entry_id, exc)
            except Exception:  # a listener's bug must not stop the syncs
                _log.exception("the comment sync's failure listener failed")
