"""What cancelling a job does in each of its states, and what the job's notes then say.

Nothing of a job still preparing or waiting has left the machine: it is simply cancelled. A
job whose submit is in flight has no request id yet, so its cancel is sent as soon as the
service answers (:meth:`JobCanceller.after_submit`, which the job's work calls). A job at the
service gets fal's cancel, whose answer decides: removed from the queue (not billed),
requested (a running request may still finish, be billed and then be kept), or already
completed (the result is fetched, since it is paid for). A job already downloading keeps its
result for the same reason. Loop-thread object.
"""

from __future__ import annotations

from collections.abc import Callable

from ..fal import CancelOutcome, FalClient
from .backend import Backend
from .book import JobBook
from .model import JobEventKind, JobState
from .store import JobRecord

__all__ = ["JobCanceller"]


class JobCanceller:
    """Cancels the jobs of ``book`` on ``backend``; ``stop_task(job_id)`` stops the runner's
    task for a job that ends here. :attr:`client` is set once the runner has started."""

    def __init__(self, book: JobBook, backend: Backend, *, stop_task: Callable[[str], None]):
        self._book = book
        self._backend = backend
        self._stop_task = stop_task
        self.client: FalClient | None = None
        # Jobs cancelled while their submit was in flight: cancelled once it is answered.
        self._after_submit: set[str] = set()

    async def cancel(self, rec: JobRecord) -> None:
        """Cancel ``rec`` as its state allows, saying what happened in its notes."""
        if rec.state.is_final:
            return
        if rec.state in (JobState.PREPARING, JobState.WAITING):
            self._stop_task(rec.id)
            rec.notes.append("Cancelled before it was sent: nothing was sent or billed.")
            await self._book.transition(rec, JobState.CANCELLED)
        elif rec.state is JobState.SUBMITTING and not rec.handle:
            self._after_submit.add(rec.id)
            rec.notes.append("Cancelling as soon as the service confirms it received the request.")
            self._book.emit(rec, JobEventKind.STATE)
        elif rec.state is JobState.DOWNLOADING:
            rec.notes.append("It had already finished: the result is kept, since it is paid for.")
            self._book.emit(rec, JobEventKind.STATE)
        else:
            await self._at_service(rec)

    async def after_submit(self, rec: JobRecord) -> None:
        """The service accepted ``rec``: send the cancel asked for while it was being sent."""
        if rec.id in self._after_submit:
            self._after_submit.discard(rec.id)
            await self._at_service(rec)

    async def _at_service(self, rec: JobRecord) -> None:
        assert self.client is not None and rec.handle is not None
        outcome = await self.client.cancel(self._backend.live_handle(rec.handle, rec.backend))
        if outcome is CancelOutcome.REMOVED:
            self._stop_task(rec.id)
            rec.notes.append("Removed from the service's queue before it started: not billed.")
            await self._book.transition(rec, JobState.CANCELLED)
        elif outcome is CancelOutcome.REQUESTED:
            await self._book.note(
                rec,
                "Cancellation requested. A request that is already running may still finish "
                "and be billed; if it does, its video is kept.",
            )
        elif outcome is CancelOutcome.ALREADY_COMPLETED:
            await self._book.note(
                rec, "It had already finished: fetching the result, since it is paid for."
            )
        else:
            self._stop_task(rec.id)
            rec.notes.append("The service no longer knows this request.")
            await self._book.transition(rec, JobState.CANCELLED)
