"""The job runner: a persisted local queue, a concurrency limit, cancel, retry and resume.

One ``JobRunner`` serves the window and the command line alike. It lives on one asyncio loop
(the qasync loop in the window): every public method is called on that loop, and listeners are
called there too. The jobs and their events are kept by :class:`~.book.JobBook`, the steps of
a job are :class:`~.work.JobWork`'s. A job or a take group enters the queue through
:class:`~.intake.JobIntake`, priced against the caps by :class:`~.spending.JobSpending`; a
waiting job is edited by :class:`~.job_editor.JobEditor`; what a cancel does in each state is
:class:`~.cancelling.JobCanceller`'s. The runner decides what runs when, and retries, removes
and reorders; its public API is the one the window, the commands and the tests use.

Every state change is committed before the runner acts on it, so after a crash ``start()``
carries each unfinished job on from where it was. A submit is never repeated on its own: a job
that died while its submit was in flight is failed with a clear message, flagged as needing
the user's attention, and Retry sends it again only when asked.

Spending caps (:mod:`core.budget`) are checked before a job or a take group is prepared: a
refusal raises :class:`~wan_desktop.core.budget.BudgetExceededError` and nothing is kept. What
fal billed goes to the machine's spend ledger, shared with every other process.

Only the process that owns the library's job queue (:mod:`.queue_lock`) may run a runner
that resumes jobs; ``generate`` runs one that carries only its own job (``start(resume=False)``).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import secrets
from collections.abc import Callable
from pathlib import Path

from ..core import limits
from ..core.budget import BudgetRefusal, Caps, SpendLedger
from ..core.request import GenerationRequest
from ..core.settings import CONCURRENCY_MAX, DEFAULT_UPLOAD_THRESHOLD_BYTES
from ..core.variants import Variant
from ..fal import FalClient
from ..library import Library
from .backend import Backend
from .book import JobBook, Listener
from .cancelling import JobCanceller
from .intake import JobIntake
from .job_editor import JobEditor
from .model import JobEventKind, JobSnapshot, JobState
from .spending import JobSpending, unbilled_usd
from .store import JobRecord
from .work import JobWork

__all__ = ["MAYBE_SUBMITTED_MESSAGE", "JobRunner", "unbilled_usd"]

#: Why a job whose submit was in flight when the app stopped is failed, and what to do.
MAYBE_SUBMITTED_MESSAGE = (
    "The app stopped while this request was being sent, so it may or may not have reached "
    "the service. Retry sends it again (if it did arrive, that is a second, billed request)."
)


class JobRunner:
    """Runs generation jobs against one backend and files the results in one library.

    ``concurrency`` is how many jobs may be submitted and unfinished at once (fal's default
    limit for a new account is 2); jobs beyond it wait locally, in order.
    ``start_timeout_s``: fal gives up on a job not started within this many seconds (``None``:
    never). ``upload_expiry_s``: fal keeps uploaded inputs at most this many seconds
    (``None``: the account's default). ``caps``: the spending caps (off by default);
    ``ledger``: where billed results are recorded and the spend is read (the window and the
    commands pass the machine's, :func:`~wan_desktop.core.budget.ledger_path`; ``None``
    records nothing: tests and benchmarks never touch the user's spend).
    """

    def __init__(
        self,
        library: Library,
        backend: Backend,
        *,
        concurrency: int = 2,
        upload_threshold_bytes: int = DEFAULT_UPLOAD_THRESHOLD_BYTES,
        client: FalClient | None = None,
        start_timeout_s: float | None = None,
        upload_expiry_s: int | None = None,
        caps: Caps | None = None,
        ledger: SpendLedger | None = None,
    ):
        self._library = library
        self._root = Path(library.root)
        self._backend = backend
        self._concurrency = self._clamp(concurrency)
        self._client = client
        self._own_client = client is None
        self._book = JobBook(self._root, library.paths.db)
        self._canceller = JobCanceller(self._book, backend, stop_task=self._cancel_task)
        self._spending = JobSpending(
            self._book.records,
            offline=backend.offline,
            caps=caps if caps is not None else Caps(),
            ledger=ledger,
        )
        self._work = JobWork(
            self._book,
            library,
            backend,
            upload_threshold_bytes=upload_threshold_bytes,
            on_submitted=self._canceller.after_submit,
            start_timeout_s=start_timeout_s,
            upload_expiry_s=upload_expiry_s,
            ledger=ledger,
        )
        self._tasks: dict[str, asyncio.Task[None]] = {}
        # Jobs not to launch yet: the takes of a group being admitted, a job being edited.
        self._holding: set[str] = set()
        self._intake = JobIntake(
            self._book, self._work, self._spending, backend=backend.name, holding=self._holding
        )
        self._editor = JobEditor(
            self._book,
            self._work,
            self._spending,
            holding=self._holding,
            launched=self._tasks.__contains__,
        )
        # With resume=False the runner carries only the jobs it was given (``generate``),
        # the ones its intake admitted (``mine``) and the ones it resumed on retry.
        self._runs_all = True
        self._mine = self._intake.mine
        self._started = False
        self._closed = False

    # ---- lifecycle ---------------------------------------------------------------------------

    @staticmethod
    def _clamp(value: int) -> int:
        return max(1, min(int(value), CONCURRENCY_MAX))

    @property
    def backend(self) -> Backend:
        """The backend jobs are sent to."""
        return self._backend

    @property
    def concurrency(self) -> int:
        """How many jobs may be submitted and unfinished at once (1..40)."""
        return self._concurrency

    @concurrency.setter
    def concurrency(self, value: int) -> None:
        self._concurrency = self._clamp(value)
        if self._started:
            self._fill_slots()

    def set_limits(self, *, start_timeout_s: float | None, upload_expiry_s: int | None) -> None:
        """Use a new start deadline and upload lifetime (seconds; ``None``: none / fal's
        default) for the jobs submitted and uploaded from now on. Loop thread."""
        self._work.start_timeout_s = start_timeout_s
        self._work.upload_expiry_s = upload_expiry_s

    @property
    def caps(self) -> Caps:
        """The spending caps checked before each submission."""
        return self._spending.caps

    def set_caps(self, caps: Caps) -> None:
        """Check submissions from now on against ``caps`` (Settings → Budget). Loop thread."""
        self._spending.caps = caps

    @property
    def ledger(self) -> SpendLedger | None:
        """The spend ledger billed results are recorded in (``None``: none)."""
        return self._spending.ledger

    async def start(self, *, resume: bool = True) -> None:
        """Load the job table and carry every unfinished job on. Call once, on the loop.

        ``resume=False`` only loads the table, and the runner then runs only the jobs it is
        given (``generate``: its own job; ``jobs cancel``: act on one job).
        """
        if self._started:
            return
        if self._client is None:
            self._client = self._backend.client()
            await self._client.__aenter__()
        self._work.client = self._canceller.client = self._client
        await self._book.load()
        self._started = True
        self._runs_all = resume
        if resume:
            await self._resume_all()
        self._fill_slots()

    async def _resume_all(self) -> None:
        for rec in self._book.ordered():
            if rec.state is JobState.SUBMITTING:
                if not rec.handle:
                    rec.maybe_submitted = True
                    await self._work.fail(rec, MAYBE_SUBMITTED_MESSAGE, retryable=True)
                    continue
                # The handle was committed just before the state change: it is queued.
                await self._book.transition(rec, JobState.QUEUED)
            if rec.backend != self._backend.name and rec.state.is_submitted:
                # Sent to the other backend (fal vs the offline engine): left as it is for a
                # runner on that backend (``jobs resume`` runs both).
                continue
            if rec.state.is_submitted:
                self._launch(rec)  # already at the service: it holds its slot already

    async def close(self) -> None:
        """Stop working; unfinished jobs stay in the table and resume on the next start."""
        if self._closed:
            return
        self._closed = True
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._client is not None and self._own_client:
            await self._client.__aexit__(None, None, None)
        await self._book.close()

    # ---- queries and listeners ---------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(event)`` on the loop for every job event; returns an unsubscribe."""
        return self._book.subscribe(listener)

    def jobs(self) -> list[JobSnapshot]:
        """Every job the runner knows, in queue order."""
        return [self._book.snapshot(r) for r in self._book.ordered()]

    def pending_elsewhere(self) -> list[JobSnapshot]:
        """Unfinished jobs that were sent to the other backend (this runner leaves them)."""
        return [
            self._book.snapshot(r)
            for r in self._book.ordered()
            if r.state.is_submitted and r.backend != self._backend.name
        ]

    def get(self, job_id: str) -> JobSnapshot:
        """One job; ``KeyError`` when unknown."""
        return self._book.snapshot(self._book.records[job_id])

    async def wait(self, job_id: str) -> JobSnapshot:
        """Wait until the job is done, failed or cancelled; returns its final snapshot."""
        return await self._book.wait(job_id)

    def spent_today_usd(self) -> float:
        """What fal billed today (local time), in US dollars, from the machine's spend ledger
        (every process's jobs; the offline engine is free; 0 without a ledger). A small
        indexed query."""
        return self._spending.spent_today_usd()

    def pending_usd(self) -> float:
        """What the jobs not yet billed will cost (estimates, US dollars): see
        :func:`unbilled_usd`."""
        return self._spending.pending_usd()

    def budget_refusal(self, price_usd: float, *, takes: int = 1) -> BudgetRefusal | None:
        """Why a submission of ``price_usd`` (``takes`` jobs) would be refused by the caps,
        counting what is queued; ``None`` when it fits (always on the offline engine). The
        window asks before the click; :meth:`enqueue` asks again."""
        return self._spending.refusal(price_usd, takes=takes)

    # ---- commands ----------------------------------------------------------------------------

    async def enqueue(
        self,
        request: GenerationRequest,
        *,
        parent_id: str | None = None,
        group_id: str | None = None,
        variant: str = "",
        take: int = 0,
    ) -> JobSnapshot:
        """Check ``request`` and the budget, copy and prepare its inputs, persist the job and
        queue it. ``group_id``/``variant``/``take``: its take group, label and place in the
        group's queue order, carried into the library.

        Raises ``InvalidInputError`` (naming the field and the limit; a spending cap:
        ``BudgetExceededError``) when refused; then nothing is kept and nothing is sent.
        Returns once the job is waiting.
        """
        self._check_started()
        rec = await self._intake.admit(
            request, parent_id=parent_id, group_id=group_id, variant=variant, take=take
        )
        self._fill_slots()
        return self._book.snapshot(rec)

    async def enqueue_group(
        self,
        variants: list[Variant],
        *,
        parent_id: str | None = None,
        group_id: str | None = None,
    ) -> list[JobSnapshot]:
        """Queue the takes of one click as one take group (a new group id unless given).

        Every request and the group's price (the sum of the takes' estimates) are checked
        first; the takes are prepared one by one and launched only once all of them are
        queued, so a refusal or a failure keeps none of them and sends nothing.
        """
        self._check_started()
        admitted = await self._intake.admit_group(variants, parent_id=parent_id, group_id=group_id)
        self._fill_slots()
        return [self._book.snapshot(rec) for rec in admitted]

    def _check_started(self) -> None:
        if not self._started:
            raise RuntimeError("JobRunner.start() must be awaited first")

    async def cancel(self, job_id: str) -> JobSnapshot:
        """Cancel a job: a local one leaves the queue; a submitted one gets fal's cancel.

        What happened is in the job's ``notes``: removed from the queue, cancellation requested
        (a running request may still finish and be billed; its result is then kept), or
        already completed (the result is fetched, since it is paid for). A job whose submit is
        in flight is cancelled at the service as soon as the service answers.
        """
        rec = self._book.records[job_id]
        await self._canceller.cancel(rec)
        return self._book.snapshot(rec)

    async def retry(self, job_id: str, *, new_seed: bool = False) -> JobSnapshot:
        """Run a finished job again.

        A job that failed after the service accepted it (the network went away while it was
        tracked or downloaded) is *resumed*: the same request is picked up from its stored
        URLs, nothing is sent or paid twice. Otherwise the request runs again as a new job,
        identical or with a new seed (a job whose submit may have reached the service is then
        no longer flagged: the user chose to send it again).
        """
        rec = self._book.records[job_id]
        if not rec.state.is_final:
            raise ValueError("Only a finished, failed or cancelled job can be run again.")
        if rec.resume_from and not new_seed:
            rec.notes.append(
                "Resumed: picking the request up where it was, without sending it again."
            )
            await self._book.transition(
                rec,
                JobState(rec.resume_from),
                resume_from=None,
                error=None,
                error_field=None,
                finished_at=None,
            )
            self._mine.add(rec.id)
            self._launch(rec)
            return self._book.snapshot(rec)
        request, variant = rec.request, rec.variant
        if new_seed:
            request = request.replace(seed=secrets.randbelow(limits.SEED_MAX + 1))
            # A take labelled by its seed keeps its place in the group under its new seed.
            variant = _SEED_LABEL.sub(f"seed {request.seed}", variant)
        image, audio = await self._book.io(self._retry_sources, rec)
        request = request.replace(image=str(image), audio=str(audio) if audio else None)
        job = await self.enqueue(
            request, parent_id=rec.parent_id, group_id=rec.group_id, variant=variant, take=rec.take
        )
        if rec.maybe_submitted:
            rec.maybe_submitted = False
            await self._book.note(rec, f"Sent again as job {job.id}.")
        return job

    def remove(self, job_id: str) -> None:
        """Forget a finished job, or take a waiting one out of the local queue."""
        rec = self._book.records.get(job_id)
        if rec is None:
            return
        if not (rec.state.is_final or rec.state is JobState.WAITING):
            raise ValueError("Cancel the job first: it is already at the service.")
        self._cancel_task(job_id)
        del self._book.records[job_id]
        self._book.emit(rec, JobEventKind.REMOVED)
        self._book.io_later(self._book.drop, rec, folder=rec.state is not JobState.DONE)
        self._fill_slots()

    def move(self, job_id: str, index: int) -> None:
        """Move a waiting job to ``index`` among the waiting jobs (0 = next to run)."""
        rec = self._book.records[job_id]
        if rec.state is not JobState.WAITING:
            raise ValueError("Only jobs waiting in the local queue can be reordered.")
        if not self._book.place_waiting(rec, index):
            return
        self._book.io_later(self._book.persist, rec)
        self._book.emit(rec, JobEventKind.POSITION)

    async def edit(self, job_id: str, request: GenerationRequest) -> JobSnapshot:
        """Replace the request of a job still waiting in the local queue (not yet sent).

        ``request`` is checked exactly like a new submission (``InvalidInputError`` naming the
        field and the limit) and so is its price against the spending caps (counting the
        other unbilled jobs, not this job's old price). Another image or audio file (or another
        duration with audio) is copied and prepared again into a fresh folder inside the job's,
        so a refused input leaves the job exactly as it was; the same image path keeps the
        job's own copy. The job keeps its id, place in line, parent and take group (a label
        naming its seed follows the new seed). The record is committed, then ``edited`` is
        emitted. A job that is not waiting, or is already being sent, raises
        :class:`~.job_edit.NotEditableError` saying why (see :func:`~.job_edit.edit_refusal`).
        """
        self._check_started()
        try:
            rec = await self._editor.edit(job_id, request)
        finally:
            self._fill_slots()  # it was held while its inputs changed
        return self._book.snapshot(rec)

    # ---- scheduling --------------------------------------------------------------------------

    def _fill_slots(self) -> None:
        if self._closed or not self._started:
            return
        busy = sum(1 for job_id in self._tasks if job_id in self._book.records)
        for rec in self._book.ordered():
            if busy >= self._concurrency:
                break
            if not (self._runs_all or rec.id in self._mine):
                continue
            if rec.id in self._holding:
                continue
            if rec.state is JobState.WAITING and rec.id not in self._tasks:
                self._launch(rec)
                busy += 1

    def _launch(self, rec: JobRecord) -> None:
        task = asyncio.get_running_loop().create_task(self._run(rec), name=f"job-{rec.id}")
        self._tasks[rec.id] = task

    def _cancel_task(self, job_id: str) -> None:
        task = self._tasks.pop(job_id, None)
        if task is not None and task is not asyncio.current_task():
            task.cancel()

    async def _run(self, rec: JobRecord) -> None:
        try:
            await self._work.run(rec)
        finally:
            if self._tasks.get(rec.id) is asyncio.current_task():
                del self._tasks[rec.id]
            if not self._closed:
                self._fill_slots()

    def _retry_sources(self, rec: JobRecord) -> tuple[Path, Path | None]:
        """The inputs of a finished job, from its folder or its library entry."""
        if rec.source_image and (self._root / rec.source_image).exists():
            image = self._root / rec.source_image
            audio = self._root / rec.source_audio if rec.source_audio else None
            return image, audio
        if rec.entry_id:
            entry = self._library.get(rec.entry_id)
            return Path(entry.image_path), Path(entry.audio_path) if entry.audio_path else None
        raise ValueError("The inputs of this job are gone; compose it again.")


_SEED_LABEL = re.compile(r"seed \d+\Z")
