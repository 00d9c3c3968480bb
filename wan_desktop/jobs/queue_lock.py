"""Which process owns a library's job queue: an OS lock on a file beside its database.

Exactly one process at a time submits, tracks, downloads and files a library's jobs: the window,
``generate`` or ``jobs resume``. Two runners on one table resumed each other's jobs (a request
submitted twice, a result filed twice, two writers on one partial file). The lock is held for
the owner's life and the operating system drops it when the process dies, ``kill -9``
included, so a stale file never blocks anyone.

The locked file also records who holds it (:class:`Holder`: pid, kind, since when, and the
hand-off endpoint when the owner offers one), for the messages of the processes that wait and
for ``generate`` to find the owner. It is private (0600): the endpoint's token is in it.

Blocking calls here are a few system calls each; :meth:`QueueLock.acquire` waits on the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import msgspec

__all__ = ["LOCK_NAME", "Endpoint", "Holder", "QueueLock"]

LOCK_NAME = "jobs.lock"
#: Windows locks byte ranges: the lock sits far past the record, so reading it never blocks.
_LOCK_OFFSET = 1 << 20
_RECORD_MAX_BYTES = 4096
#: Windows opens descriptors in text mode unless told otherwise.
_BINARY = getattr(os, "O_BINARY", 0)


class Endpoint(msgspec.Struct, frozen=True):
    """Where the owner takes jobs handed to it: a loopback TCP port and its secret token."""

    host: str
    port: int
    token: str = msgspec.field(default="")

    def __repr__(self) -> str:  # the token stays out of logs and tracebacks
        return f"Endpoint(host={self.host!r}, port={self.port})"


class Holder(msgspec.Struct, frozen=True):
    """Who owns the queue: ``kind`` is ``window``, ``generate``, ``jobs resume``…; ``since``
    in epoch seconds."""

    pid: int
    kind: str
    since: float
    endpoint: Endpoint | None = None

    def describe(self) -> str:
        """``window (pid 1234)``: how messages name the owner."""
        return f"{self.kind} (pid {self.pid})"


def _lock_fd(fd: int) -> bool:
    """Take the lock on ``fd`` without waiting; False when another process holds it."""
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, _LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock_fd(fd: int) -> None:
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, _LOCK_OFFSET, os.SEEK_SET)
        with contextlib.suppress(OSError):
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_UN)


class QueueLock:
    """The lock on ``<library>/jobs.lock``. One object per process and library.

    ``try_acquire``/``acquire`` take it (recording the holder), ``release`` gives it back;
    ``holder()`` reads who holds it now (``None`` when nobody does).
    """

    def __init__(self, library_root: Path | str):
        self.path = Path(library_root) / LOCK_NAME
        self._fd: int | None = None
        self._holder: Holder | None = None

    @property
    def owned(self) -> bool:
        """True while this process holds the lock."""
        return self._fd is not None

    def try_acquire(self, kind: str) -> bool:
        """Take the lock now if it is free (recording ``kind`` and this pid); False if not."""
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | _BINARY, 0o600)
        if not _lock_fd(fd):
            os.close(fd)
            return False
        self._fd = fd
        self._write(Holder(pid=os.getpid(), kind=kind, since=time.time()))
        return True

    async def acquire(
        self,
        kind: str,
        *,
        on_wait: Callable[[Holder | None], None] | None = None,
        poll_s: float = 0.25,
    ) -> None:
        """Take the lock, waiting as long as another process holds it (on the loop).

        ``on_wait(holder)`` is called when the wait begins and whenever the holder changes
        (``None``: its record could not be read).
        """
        told: object = object()
        while not self.try_acquire(kind):
            holder = self.holder()
            if on_wait is not None and holder != told:
                told = holder
                on_wait(holder)
            await asyncio.sleep(poll_s)

    def advertise(self, endpoint: Endpoint | None) -> None:
        """Record (or, with ``None``, withdraw) the hand-off endpoint; the lock must be held."""
        if self._holder is None:
            raise RuntimeError("the queue lock is not held")
        self._write(msgspec.structs.replace(self._holder, endpoint=endpoint))

    def holder(self) -> Holder | None:
        """Who holds the lock now, from its record; ``None`` when it is free or unreadable."""
        if self._holder is not None:
            return self._holder
        for _ in range(3):  # the owner may be rewriting its record this very moment
            try:
                with open(self.path, "rb") as handle:
                    data = handle.read(_RECORD_MAX_BYTES)
            except FileNotFoundError:
                return None
            except OSError:
                data = b""
            with contextlib.suppress(msgspec.DecodeError, msgspec.ValidationError):
                holder = msgspec.json.decode(data, type=Holder)
                return holder if self._held_by_someone() else None
            time.sleep(0.02)
        return None

    def release(self) -> None:
        """Give the lock back (its record is emptied first). Idempotent."""
        fd, self._fd = self._fd, None
        self._holder = None
        if fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            _unlock_fd(fd)
        os.close(fd)

    def _held_by_someone(self) -> bool:
        """True when another process holds the lock (probed by trying to take it)."""
        if self._fd is not None:
            return True
        try:
            fd = os.open(self.path, os.O_RDWR | _BINARY)
        except OSError:
            return False
        try:
            if _lock_fd(fd):
                _unlock_fd(fd)
                return False
            return True
        finally:
            os.close(fd)

    def _write(self, holder: Holder) -> None:
        assert self._fd is not None
        data = msgspec.json.encode(holder)
        # Written over the old record, then cut to length: a reader never sees an empty file.
        os.lseek(self._fd, 0, os.SEEK_SET)
        os.write(self._fd, data)
        os.ftruncate(self._fd, len(data))
        self._holder = holder
