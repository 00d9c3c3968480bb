"""The runner's book of jobs: the records in memory, their persistence, and the events.

Every state change of a job goes through :meth:`JobBook.transition`, which commits the record
(the job table and the job folder's ``job.json``) before it tells the listeners: what the
runner acts on next is on disk first. Loop-thread object; file and database calls run on its
own single thread, in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from . import inputs
from .eta import eta_s
from .model import JobEvent, JobEventKind, JobSnapshot, JobState
from .record_file import remove_record, restore_queue, write_record
from .store import JobRecord, JobStore

__all__ = ["JobBook", "Listener"]

log = logging.getLogger(__name__)

Listener = Callable[[JobEvent], None]


class JobBook:
    """The jobs of one library (``root``, table in ``db_path``): records, saves, events."""

    def __init__(self, root: Path, db_path: Path):
        self.root = root
        self.records: dict[str, JobRecord] = {}
        self._store = JobStore(db_path)
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jobs-db")
        self._listeners: list[Listener] = []
        self._waiters: dict[str, list[asyncio.Future[JobSnapshot]]] = {}

    # ---- disk --------------------------------------------------------------------------------

    async def io(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run a small file or database call on the book's own thread (in call order)."""
        call = functools.partial(fn, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._db, call)

    def io_later(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Queue a file or database call on the book's thread without waiting for it."""
        self._db.submit(fn, *args, **kwargs)

    async def load(self) -> None:
        """Restore jobs whose folders outlived the table, then read the table."""
        records = await self.io(self._restore_and_load)
        for rec in records:
            self.records[rec.id] = rec

    def _restore_and_load(self) -> list[JobRecord]:
        restored = restore_queue(self.root, self._store)
        if restored:
            ids = [rec.id for rec in restored]
            log.warning("restored %d jobs from their folders: %s", len(ids), ids)
        return self._store.load()

    def persist(self, rec: JobRecord) -> None:
        """Commit ``rec`` to the table and its folder's record (the book's thread)."""
        self._store.save(rec)
        write_record(self.root, rec)

    async def save(self, rec: JobRecord) -> None:
        """Commit ``rec`` (a change that is not a change of state: notes, position)."""
        await self.io(self.persist, rec)

    def drop(self, rec: JobRecord, *, folder: bool) -> None:
        """Forget ``rec`` on disk: its record file, its row, and with ``folder`` its inputs."""
        remove_record(self.root, rec)
        self._store.delete(rec.id)
        if folder and rec.folder:
            inputs.remove_folder(self.root / rec.folder)

    async def close(self) -> None:
        """Close the table; the book is unusable afterwards."""
        await self.io(self._store.close)
        self._db.shutdown(wait=True)

    # ---- state -------------------------------------------------------------------------------

    async def transition(self, rec: JobRecord, state: JobState, **changes: Any) -> None:
        """Move ``rec`` to ``state`` (setting the record fields in ``changes`` too), commit it,
        then emit ``state`` (and ``finished`` for done, failed, cancelled)."""
        for name, value in changes.items():
            setattr(rec, name, value)
        rec.state = state
        if state.is_final:
            rec.finished_at = time.time()
            rec.queue_position = None
        await self.save(rec)
        self.emit(rec, JobEventKind.STATE)
        if not state.is_final:
            return
        self.emit(rec, JobEventKind.FINISHED)
        snapshot = self.snapshot(rec)
        for future in self._waiters.pop(rec.id, []):
            if not future.done():
                future.set_result(snapshot)

    async def note(self, rec: JobRecord, text: str) -> None:
        """Add a sentence about what happened to ``rec``, commit it and tell the listeners."""
        rec.notes.append(text)
        await self.save(rec)
        self.emit(rec, JobEventKind.STATE)

    # ---- queries and events ------------------------------------------------------------------

    def ordered(self) -> list[JobRecord]:
        """Every record, in queue order."""
        return sorted(self.records.values(), key=lambda r: r.position)

    def place_waiting(self, rec: JobRecord, index: int) -> bool:
        """Give ``rec`` the position of ``index`` among the other waiting jobs (0: next to
        run; clamped), between its neighbours' so no other record changes. ``False`` when
        there is no other waiting job (nothing moves). Not committed: the caller saves."""
        waiting = [r for r in self.ordered() if r.state is JobState.WAITING and r is not rec]
        index = max(0, min(index, len(waiting)))
        before = waiting[index - 1].position if index > 0 else None
        after = waiting[index].position if index < len(waiting) else None
        if before is None and after is None:
            return False
        if before is None:
            rec.position = after - 1.0
        elif after is None:
            rec.position = before + 1.0
        else:
            rec.position = (before + after) / 2.0
        return True

    def snapshot(self, rec: JobRecord) -> JobSnapshot:
        """The frozen view of ``rec`` handed to listeners, with its ETA."""
        now = time.time()
        eta = eta_s(rec, self.records.values(), now)
        return rec.snapshot(now=now, eta_s=eta, library_root=self.root)

    async def wait(self, job_id: str) -> JobSnapshot:
        """Wait until the job is done, failed or cancelled; its final snapshot."""
        rec = self.records[job_id]
        if rec.state.is_final:
            return self.snapshot(rec)
        future: asyncio.Future[JobSnapshot] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(job_id, []).append(future)
        return await future

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(event)`` on the loop for every job event; returns an unsubscribe."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                self._listeners.remove(listener)

        return unsubscribe

    def emit(self, rec: JobRecord, kind: JobEventKind, line: str | None = None) -> None:
        """Tell every listener; a broken listener is logged and never stops the jobs."""
        if not self._listeners:
            return
        event = JobEvent(self.snapshot(rec), kind, line)
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                log.exception("job listener failed")
