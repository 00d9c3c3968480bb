"""The job runner: a persisted local queue, a concurrency limit, cancel, retry and resume.

One ``JobRunner`` serves the window and the command line alike. It lives on one asyncio loop
(the qasync loop in the window): every public method is called on that loop, and listeners are
called there too. The jobs and their events are kept by :class:`~.book.JobBook`, the steps of
a job are :class:`~.work.JobWork`'s; the runner decides what runs when.

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
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from ..core import limits
from ..core.budget import BudgetExceededError, BudgetRefusal, Caps, SpendLedger, check
from ..core.pricing import Estimate, estimate
from ..core.problems import InvalidInputError, Problem
from ..core.request import GenerationRequest
from ..core.settings import CONCURRENCY_MAX, DEFAULT_UPLOAD_THRESHOLD_BYTES
from ..core.variants import MAX_TAKES, Variant
from ..fal import CancelOutcome, FalClient
from ..library import Library
from ..library.ids import is_valid_group_id, new_group_id
from .backend import Backend
from .book import JobBook, Listener
from .job_edit import (
    EDITED_NOTE,
    LEFT_QUEUE,
    NotEditableError,
    drop_replaced,
    edit_refusal,
    inputs_changed,
    relabel,
    stage_edit,
    warning_notes,
)
from .model import JobEventKind, JobSnapshot, JobState
from .record_file import JOBS_DIR
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
        self._caps = caps if caps is not None else Caps()
        self._ledger = ledger
        self._work = JobWork(
            self._book,
            library,
            backend,
            upload_threshold_bytes=upload_threshold_bytes,
            on_submitted=self._on_submitted,
            start_timeout_s=start_timeout_s,
            upload_expiry_s=upload_expiry_s,
            ledger=self._ledger,
        )
        self._tasks: dict[str, asyncio.Task[None]] = {}
        # Takes of a group being admitted: not launched until the whole group is queued.
        self._holding: set[str] = set()
        self._cancel_after_submit: set[str] = set()
        # With resume=False the runner carries only the jobs it was given (``generate``).
        self._runs_all = True
        self._mine: set[str] = set()
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
        return self._caps

    def set_caps(self, caps: Caps) -> None:
        """Check submissions from now on against ``caps`` (Settings → Budget). Loop thread."""
        self._caps = caps

    @property
    def ledger(self) -> SpendLedger | None:
        """The spend ledger billed results are recorded in (``None``: none)."""
        return self._ledger

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
        self._work.client = self._client
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
        return self._ledger.today_usd() if self._ledger is not None else 0.0

    def pending_usd(self) -> float:
        """What the jobs not yet billed will cost (estimates, US dollars): see
        :func:`unbilled_usd`."""
        return unbilled_usd(self._book.records.values())

    def budget_refusal(self, price_usd: float, *, takes: int = 1) -> BudgetRefusal | None:
        """Why a submission of ``price_usd`` (``takes`` jobs) would be refused by the caps,
        counting what is queued; ``None`` when it fits (always on the offline engine). The
        window asks before the click; :meth:`enqueue` asks again."""
        if self._backend.offline:
            return None
        return check(
            self._caps, self._ledger, price_usd, pending_usd=self.pending_usd(), takes=takes
        )

    # ---- commands ----------------------------------------------------------------------------

    async def enqueue(
        self,
        request: GenerationRequest,
        *,
        parent_id: str | None = None,
        group_id: str | None = None,
        variant: str = "",
    ) -> JobSnapshot:
        """Check ``request`` and the budget, copy and prepare its inputs, persist the job and
        queue it. ``group_id``/``variant``: its take group and label, carried into the library.

        Raises ``InvalidInputError`` (naming the field and the limit; a spending cap:
        ``BudgetExceededError``) when refused; then nothing is kept and nothing is sent.
        Returns once the job is waiting.
        """
        self._check_started()
        request.raise_if_invalid()
        _check_group(group_id)
        price = self._price(request)
        self._check_budget(price.amount_usd, 1)
        rec = await self._admit(request, parent_id, group_id, variant)
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
        if not 1 <= len(variants) <= MAX_TAKES:
            raise InvalidInputError(
                Problem("variants", f"Variants: 1 to {MAX_TAKES} takes (got {len(variants)}).")
            )
        problems = [p for v in variants for p in v.request.validate()]
        if problems:
            raise InvalidInputError(list(dict.fromkeys(problems)))
        gid = group_id if group_id is not None else new_group_id()
        _check_group(gid)
        total = sum(self._price(v.request).amount_usd for v in variants)
        self._check_budget(round(total, 4), len(variants))
        admitted: list[JobRecord] = []
        try:
            for v in variants:
                rec = await self._admit(v.request, parent_id, gid, v.label, hold=True)
                admitted.append(rec)
        except BaseException:
            for rec in admitted:
                self._holding.discard(rec.id)
                await self._forget(rec)
            raise
        for rec in admitted:
            self._holding.discard(rec.id)
        self._fill_slots()
        return [self._book.snapshot(rec) for rec in admitted]

    def _check_started(self) -> None:
        if not self._started:
            raise RuntimeError("JobRunner.start() must be awaited first")

    @staticmethod
    def _price(request: GenerationRequest) -> Estimate:
        # The resolved price (fal's for this account, else the bundled table), halved silent.
        return estimate(request.resolution, request.duration, generate_audio=request.generate_audio)

    def _check_budget(self, price_usd: float, takes: int) -> None:
        refusal = self.budget_refusal(price_usd, takes=takes)
        if refusal is not None:
            raise BudgetExceededError(refusal)

    async def _admit(
        self,
        request: GenerationRequest,
        parent_id: str | None,
        group_id: str | None,
        variant: str,
        *,
        hold: bool = False,
    ) -> JobRecord:
        """Persist and prepare one job (it then waits for a slot); ``hold`` keeps it from
        being launched until released. Nothing is kept when this raises."""
        price = self._price(request)
        job_id = _new_job_id()
        rec = JobRecord(
            id=job_id,
            request=request,
            state=JobState.PREPARING,
            created_at=time.time(),
            position=self._next_position(),
            backend=self._backend.name,
            folder=f"{JOBS_DIR}/{job_id}",
            parent_id=parent_id,
            group_id=group_id,
            variant=variant,
            cost_usd=price.amount_usd,
            cost_source=price.source,
        )
        self._mine.add(job_id)
        if hold:
            self._holding.add(job_id)
        try:
            await self._work.copy_sources(rec, self._root / rec.folder)
            self._book.records[job_id] = rec
            await self._book.save(rec)
            self._book.emit(rec, JobEventKind.ADDED)
            await self._work.prepare(rec)
        except BaseException:
            # Refused input (or an interruption): keep nothing; the user's files are untouched.
            self._holding.discard(job_id)
            await self._forget(rec)
            raise
        return rec

    async def cancel(self, job_id: str) -> JobSnapshot:
        """Cancel a job: a local one leaves the queue; a submitted one gets fal's cancel.

        What happened is in the job's ``notes``: removed from the queue, cancellation requested
        (a running request may still finish and be billed; its result is then kept), or
        already completed (the result is fetched, since it is paid for). A job whose submit is
        in flight is cancelled at the service as soon as the service answers.
        """
        rec = self._book.records[job_id]
        if rec.state.is_final:
            return self._book.snapshot(rec)
        if rec.state in (JobState.PREPARING, JobState.WAITING):
            self._cancel_task(job_id)
            rec.notes.append("Cancelled before it was sent: nothing was sent or billed.")
            await self._book.transition(rec, JobState.CANCELLED)
        elif rec.state is JobState.SUBMITTING and not rec.handle:
            self._cancel_after_submit.add(job_id)
            rec.notes.append("Cancelling as soon as the service confirms it received the request.")
            self._book.emit(rec, JobEventKind.STATE)
        elif rec.state is JobState.DOWNLOADING:
            rec.notes.append("It had already finished: the result is kept, since it is paid for.")
            self._book.emit(rec, JobEventKind.STATE)
        else:
            await self._cancel_at_service(rec)
        return self._book.snapshot(rec)

    async def _on_submitted(self, rec: JobRecord) -> None:
        if rec.id in self._cancel_after_submit:
            self._cancel_after_submit.discard(rec.id)
            await self._cancel_at_service(rec)

    async def _cancel_at_service(self, rec: JobRecord) -> None:
        assert self._client is not None and rec.handle is not None
        outcome = await self._client.cancel(self._backend.live_handle(rec.handle, rec.backend))
        if outcome is CancelOutcome.REMOVED:
            self._cancel_task(rec.id)
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
            self._cancel_task(rec.id)
            rec.notes.append("The service no longer knows this request.")
            await self._book.transition(rec, JobState.CANCELLED)

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
            request, parent_id=rec.parent_id, group_id=rec.group_id, variant=variant
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
        waiting = [r for r in self._book.ordered() if r.state is JobState.WAITING and r is not rec]
        index = max(0, min(index, len(waiting)))
        before = waiting[index - 1].position if index > 0 else None
        after = waiting[index].position if index < len(waiting) else None
        if before is None and after is None:
            return
        if before is None:
            rec.position = after - 1.0
        elif after is None:
            rec.position = before + 1.0
        else:
            rec.position = (before + after) / 2.0
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
        rec = self._book.records[job_id]
        if job_id in self._holding:
            raise NotEditableError("It is being queued or edited right now; try again in a moment.")
        refusal = edit_refusal(rec.state, launched=job_id in self._tasks)
        if refusal is not None:
            raise NotEditableError(refusal)
        request.raise_if_invalid()
        price = self._price(request)
        if not self._backend.offline:
            others = unbilled_usd(r for r in self._book.records.values() if r is not rec)
            budget = check(self._caps, self._ledger, price.amount_usd, pending_usd=others)
            if budget is not None:
                raise BudgetExceededError(budget)
        self._holding.add(job_id)  # never launched while its inputs change
        try:
            staged = None
            if inputs_changed(rec.request, request):
                try:
                    staged = await stage_edit(self._work, rec, request)
                except Exception:
                    if self._still_waiting(rec):
                        raise
                    raise NotEditableError(LEFT_QUEUE) from None  # removed: its folder went
            if not self._still_waiting(rec):
                if staged is not None:
                    gone = [staged.source_image, staged.source_audio, staged.sent_image]
                    gone.append(staged.sent_audio)
                    await self._book.io(drop_replaced, self._root, [f for f in gone if f])
                raise NotEditableError(LEFT_QUEUE)
            await self._apply_edit(rec, request, price, staged)
        finally:
            self._holding.discard(job_id)
            self._fill_slots()
        return self._book.snapshot(rec)

    def _still_waiting(self, rec: JobRecord) -> bool:
        """``rec`` is still in the book and waiting (an edit's awaits let it be cancelled)."""
        return self._book.records.get(rec.id) is rec and rec.state is JobState.WAITING

    async def _apply_edit(
        self, rec: JobRecord, request: GenerationRequest, price: Estimate, staged: JobRecord | None
    ) -> None:
        """Put the edited request (and the staged inputs) on ``rec``, commit, emit, then drop
        the inputs it no longer uses."""
        old_files = [rec.source_image, rec.source_audio, rec.sent_image, rec.sent_audio]
        if staged is not None:
            notes = staged.notes
            rec.source_image, rec.source_audio = staged.source_image, staged.source_audio
            rec.sent_image, rec.sent_audio = staged.sent_image, staged.sent_audio
        else:
            stale = set(warning_notes(rec.request))
            notes = [n for n in rec.notes if n not in stale] + warning_notes(request)
        rec.notes = [n for n in notes if n != EDITED_NOTE] + [EDITED_NOTE]
        rec.variant = relabel(rec.variant, rec.request.seed, request.seed)
        rec.request = request
        rec.cost_usd, rec.cost_source = price.amount_usd, price.source
        await self._book.save(rec)
        self._book.emit(rec, JobEventKind.EDITED)
        if staged is not None:
            kept = {rec.source_image, rec.source_audio, rec.sent_image, rec.sent_audio}
            gone = [f for f in old_files if f and f not in kept]
            self._book.io_later(drop_replaced, self._root, gone)

    # ---- scheduling --------------------------------------------------------------------------

    def _next_position(self) -> float:
        return max((r.position for r in self._book.records.values()), default=0.0) + 1.0

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

    async def _forget(self, rec: JobRecord) -> None:
        if self._book.records.pop(rec.id, None) is not None:
            self._book.emit(rec, JobEventKind.REMOVED)
        await self._book.io(self._book.drop, rec, folder=True)

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


#: The states of a job fal has not billed yet (it bills a request when it completes it).
_UNBILLED = (
    JobState.PREPARING,
    JobState.WAITING,
    JobState.SUBMITTING,
    JobState.QUEUED,
    JobState.RUNNING,
)


def unbilled_usd(records: Iterable[JobRecord]) -> float:
    """What ``records`` not billed yet will cost once fal completes them (their estimates,
    US dollars): jobs preparing, waiting, sent or running on fal (the offline engine is
    free)."""
    total = sum(
        r.cost_usd or 0.0 for r in records if r.state in _UNBILLED and r.backend != "offline"
    )
    return round(total, 4)


_SEED_LABEL = re.compile(r"seed \d+\Z")


def _check_group(group_id: str | None) -> None:
    if group_id is not None and not is_valid_group_id(group_id):
        raise InvalidInputError(
            Problem(
                "group_id",
                "A take group id is 4 to 64 lowercase letters, digits or dashes "
                f"(got {group_id!r}).",
            )
        )


def _new_job_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S", time.gmtime()) + "-" + secrets.token_hex(3)
