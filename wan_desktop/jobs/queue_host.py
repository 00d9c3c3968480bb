"""A long-lived process's hold on its library's job queue: the window's.

The window owns its library's queue for as long as it runs (:mod:`.queue_lock`): it waits for
the lock before its runner resumes anything (a ``generate`` or ``jobs resume`` may be running
the jobs), keeps it across engine restarts (new key, other backend), and serves the hand-off
endpoint beside each runner so that ``generate`` from a shell runs its job in the window's
queue (:mod:`.handoff`). Loop thread (the qasync loop); Qt-free.
"""

from __future__ import annotations

import logging
from pathlib import Path

from ..library import Library
from .handoff import HandoffServer
from .queue_lock import Holder, QueueLock
from .runner import JobRunner

__all__ = ["QueueHost"]

log = logging.getLogger(__name__)


class QueueHost:
    """Owns the queue of the library at ``library_root`` as ``kind`` (``window``)."""

    def __init__(self, library_root: Path | str, kind: str = "window"):
        self.kind = kind
        self.lock = QueueLock(library_root)
        self._server: HandoffServer | None = None

    async def start(self, runner: JobRunner, library: Library) -> None:
        """Take the queue (waiting while another process runs its jobs), start ``runner``
        (resuming the unfinished jobs) and take jobs handed over by other processes."""
        if not self.lock.owned:
            await self.lock.acquire(self.kind, on_wait=_log_wait)
        await runner.start()
        server = HandoffServer(runner, self.lock, library)
        await server.start()
        self._server = server

    async def stop_serving(self) -> None:
        """Stop taking jobs (before the runner closes); the queue stays this process's."""
        server, self._server = self._server, None
        if server is not None:
            await server.close()

    async def close(self) -> None:
        """Stop taking jobs and give the queue up (the process is quitting)."""
        await self.stop_serving()
        self.lock.release()


def _log_wait(holder: Holder | None) -> None:
    who = holder.describe() if holder is not None else "another process"
    log.warning("waiting for %s, which is running this library's jobs", who)
