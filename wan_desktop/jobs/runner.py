"""The job runner: a persisted local queue, a concurrency limit, tracking, download, resume.

One ``JobRunner`` serves the window and the command line alike. It lives on one asyncio loop
(the qasync loop in the window): every public method is called on that loop, and listeners are
called there too. File, image and database work goes to executors; only plain data comes back.

The life of a job (see :class:`~wan_desktop.jobs.model.JobState`)::

    preparing → waiting → submitting → queued → running → downloading → done
                                                       ↘ failed | cancelled

Every state change is committed to the job table before the runner acts on it, so after a
crash ``start()`` carries each unfinished job on from where it was: tracking from the stored
request URLs, the download from its partial file. A submit is never repeated on its own: a job
that died while its submit was in flight is failed with a clear message and a Retry button.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import logging
import secrets
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from ..core import limits
from ..core.atomic import atomic_write_bytes
from ..core.pricing import estimate_usd
from ..core.problems import InvalidInputError
from ..core.request import GenerationRequest
from ..core.settings import CONCURRENCY_MAX, DEFAULT_UPLOAD_THRESHOLD_BYTES
from ..fal import (
    CancelOutcome,
    Completed,
    FalClient,
    FalError,
    InProgress,
    ProtocolError,
    Queued,
    RequestHandle,
    ResultExpiredError,
    ValidationError,
)
from ..library import Library, NewEntry, new_id
from ..media.fetch import fetch_image
from ..media.prepared import PreparedMedia
from ..media.video import check_playable
from . import inputs
from .backend import Backend
from .model import JobEvent, JobSnapshot, JobState
from .store import JobRecord, JobStore

__all__ = ["JobRunner"]

log = logging.getLogger(__name__)

Listener = Callable[[JobEvent], None]

#: fal keeps a result for 1 hour after completion (6 minutes when 10 KB or larger).
RESULT_KEPT_S = 3600
_LOG_LINES_KEPT = 200
#: States a job can be picked up from after a network failure, without a new submit.
_RESUMABLE = (JobState.QUEUED, JobState.RUNNING, JobState.DOWNLOADING)


def _now() -> float:
    return time.time()


class JobRunner:
    """Runs generation jobs against one backend and files the results in one library.

    ``concurrency`` is how many jobs may be submitted and unfinished at once (fal's default
    limit for a new account is 2); jobs beyond it wait locally, in order.
    """

    def __init__(
        self,
        library: Library,
        backend: Backend,
        *,
        concurrency: int = 2,
        upload_threshold_bytes: int = DEFAULT_UPLOAD_THRESHOLD_BYTES,
        client: FalClient | None = None,
    ):
        self._library = library
        self._root = Path(library.root)
        self._backend = backend
        self._concurrency = self._clamp(concurrency)
        self._upload_threshold = upload_threshold_bytes
        self._client = client
        self._own_client = client is None
        self._store = JobStore(library.paths.db)
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jobs-db")
        self._records: dict[str, JobRecord] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._waiters: dict[str, list[asyncio.Future[JobSnapshot]]] = {}
        self._seen_logs: dict[str, set[tuple[str, str]]] = {}
        self._cancel_after_submit: set[str] = set()
        self._listeners: list[Listener] = []
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

    async def start(self, *, resume: bool = True) -> None:
        """Load the job table and carry every unfinished job on. Call once, on the loop.

        ``resume=False`` only loads the table (``jobs cancel``: act on one job, leave the
        others for whoever resumes them).
        """
        if self._started:
            return
        if self._client is None:
            self._client = self._backend.client()
            await self._client.__aenter__()
        records = await self._io(self._store.load)
        for rec in records:
            self._records[rec.id] = rec
        self._started = True
        if not resume:
            return
        for rec in list(self._records.values()):
            if rec.state.is_final:
                continue
            if rec.state is JobState.SUBMITTING:
                if rec.handle:
                    # The handle was committed just before the state change: it is queued.
                    rec.state = JobState.QUEUED
                else:
                    await self._fail(
                        rec,
                        "The app stopped while this request was being sent, so it may or may "
                        "not have reached the service. Retry sends it again (if it did arrive, "
                        "that is a second, billed request).",
                        retryable=True,
                    )
                    rec.maybe_submitted = True
                    await self._save(rec)
                    continue
            if rec.backend != self._backend.name and rec.state.is_submitted:
                # Sent to the other backend (fal vs the offline engine): left as it is for a
                # runner on that backend (``jobs resume`` runs both).
                continue
            if rec.state.is_submitted:
                self._launch(rec)  # already at the service: it holds its slot already
        self._fill_slots()

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
        await self._io(self._store.close)
        self._db.shutdown(wait=True)

    # ---- queries and listeners ---------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(event)`` on the loop for every job event; returns an unsubscribe."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                self._listeners.remove(listener)

        return unsubscribe

    def jobs(self) -> list[JobSnapshot]:
        """Every job the runner knows, in queue order."""
        return [self._snapshot(r) for r in self._ordered()]

    def pending_elsewhere(self) -> list[JobSnapshot]:
        """Unfinished jobs that were sent to the other backend (this runner leaves them)."""
        return [
            self._snapshot(r)
            for r in self._ordered()
            if r.state.is_submitted and r.backend != self._backend.name
        ]

    def get(self, job_id: str) -> JobSnapshot:
        """One job; ``KeyError`` when unknown."""
        return self._snapshot(self._records[job_id])

    async def wait(self, job_id: str) -> JobSnapshot:
        """Wait until the job is done, failed or cancelled; returns its final snapshot."""
        rec = self._records[job_id]
        if rec.state.is_final:
            return self._snapshot(rec)
        future: asyncio.Future[JobSnapshot] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(job_id, []).append(future)
        return await future

    def spent_today_usd(self) -> float:
        """Estimated spend on fal of the jobs finished today (local time), in US dollars."""
        start = time.mktime((*time.localtime()[:3], 0, 0, 0, 0, 0, -1))
        return round(
            sum(
                r.cost_usd or 0.0
                for r in self._records.values()
                if r.state is JobState.DONE
                and r.backend != "offline"  # the offline engine is free
                and (r.finished_at or 0) >= start
            ),
            4,
        )

    # ---- commands ----------------------------------------------------------------------------

    async def enqueue(
        self, request: GenerationRequest, *, parent_id: str | None = None
    ) -> JobSnapshot:
        """Check ``request``, copy and prepare its inputs, persist the job and queue it.

        Raises ``InvalidInputError`` (naming the field and the limit) when the inputs are
        refused; then nothing is kept and nothing is sent. Returns once the job is waiting.
        """
        if not self._started:
            raise RuntimeError("JobRunner.start() must be awaited first")
        request.raise_if_invalid()
        job_id = _new_job_id()
        folder_rel = f"jobs/{job_id}"
        folder = self._root / folder_rel
        rec = JobRecord(
            id=job_id,
            request=request,
            state=JobState.PREPARING,
            created_at=_now(),
            position=self._next_position(),
            backend=self._backend.name,
            folder=folder_rel,
            parent_id=parent_id,
            cost_usd=estimate_usd(request.resolution, request.duration),
        )
        try:
            await self._copy_sources(rec, folder)
            self._records[job_id] = rec
            await self._save(rec)
            self._emit(rec, "added")
            await self._prepare(rec)
        except BaseException:
            # Refused input (or an interruption): keep nothing; the user's files are untouched.
            await self._forget(rec, folder)
            raise
        self._fill_slots()
        return self._snapshot(rec)

    async def cancel(self, job_id: str) -> JobSnapshot:
        """Cancel a job: a local one leaves the queue; a submitted one gets fal's cancel.

        What happened is in the job's ``notes``: removed from the queue, cancellation requested
        (a running request may still finish and be billed; its result is then kept), or
        already completed (the result is fetched, since it is paid for). A job whose submit is
        in flight is cancelled at the service as soon as the service answers.
        """
        rec = self._records[job_id]
        if rec.state.is_final:
            return self._snapshot(rec)
        if rec.state in (JobState.PREPARING, JobState.WAITING):
            self._cancel_task(job_id)
            rec.notes.append("Cancelled before it was sent: nothing was sent or billed.")
            await self._finish(rec, JobState.CANCELLED)
        elif rec.state is JobState.SUBMITTING and not rec.handle:
            self._cancel_after_submit.add(job_id)
            rec.notes.append("Cancelling as soon as the service confirms it received the request.")
            self._emit(rec, "state")
        elif rec.state is JobState.DOWNLOADING:
            rec.notes.append("It had already finished: the result is kept, since it is paid for.")
            self._emit(rec, "state")
        else:
            await self._cancel_at_service(rec)
        return self._snapshot(rec)

    async def _cancel_at_service(self, rec: JobRecord) -> None:
        assert self._client is not None
        outcome = await self._client.cancel(self._handle(rec))
        if outcome is CancelOutcome.REMOVED:
            self._cancel_task(rec.id)
            rec.notes.append("Removed from the service's queue before it started: not billed.")
            await self._finish(rec, JobState.CANCELLED)
            return
        if outcome is CancelOutcome.REQUESTED:
            rec.notes.append(
                "Cancellation requested. A request that is already running may still finish "
                "and be billed; if it does, its video is kept."
            )
        elif outcome is CancelOutcome.ALREADY_COMPLETED:
            rec.notes.append("It had already finished: fetching the result, since it is paid for.")
        else:
            self._cancel_task(rec.id)
            rec.notes.append("The service no longer knows this request.")
            await self._finish(rec, JobState.CANCELLED)
            return
        await self._save(rec)
        self._emit(rec, "state")

    async def retry(self, job_id: str, *, new_seed: bool = False) -> JobSnapshot:
        """Run a finished job again.

        A job that failed after the service accepted it (the network went away while it was
        tracked or downloaded) is *resumed*: the same request is picked up from its stored
        URLs, nothing is sent or paid twice. Otherwise the request runs again as a new job,
        identical or with a new seed.
        """
        rec = self._records[job_id]
        if not rec.state.is_final:
            raise ValueError("Only a finished, failed or cancelled job can be run again.")
        if rec.resume_from and not new_seed:
            rec.state = JobState(rec.resume_from)
            rec.resume_from = None
            rec.error = rec.error_field = None
            rec.finished_at = None
            rec.notes.append(
                "Resumed: picking the request up where it was, without sending it again."
            )
            await self._save(rec)
            self._emit(rec, "state")
            self._launch(rec)
            return self._snapshot(rec)
        request = rec.request
        if new_seed:
            request = request.replace(seed=secrets.randbelow(limits.SEED_MAX + 1))
        image, audio = await self._io(self._retry_sources, rec)
        request = request.replace(image=str(image), audio=str(audio) if audio else None)
        return await self.enqueue(request, parent_id=rec.parent_id)

    def remove(self, job_id: str) -> None:
        """Forget a finished job, or take a waiting one out of the local queue."""
        rec = self._records.get(job_id)
        if rec is None:
            return
        if not (rec.state.is_final or rec.state is JobState.WAITING):
            raise ValueError("Cancel the job first: it is already at the service.")
        self._cancel_task(job_id)
        del self._records[job_id]
        folder = self._root / rec.folder if rec.folder else None
        self._emit(rec, "removed")

        def forget() -> None:
            self._store.delete(job_id)
            if folder is not None and rec.state is not JobState.DONE:
                inputs.remove_folder(folder)

        self._db.submit(forget)
        self._fill_slots()

    def move(self, job_id: str, index: int) -> None:
        """Move a waiting job to ``index`` among the waiting jobs (0 = next to run)."""
        rec = self._records[job_id]
        if rec.state is not JobState.WAITING:
            raise ValueError("Only jobs waiting in the local queue can be reordered.")
        waiting = [r for r in self._ordered() if r.state is JobState.WAITING and r is not rec]
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
        self._db.submit(self._store.save, rec)
        self._emit(rec, "position")

    # ---- scheduling --------------------------------------------------------------------------

    def _ordered(self) -> list[JobRecord]:
        return sorted(self._records.values(), key=lambda r: r.position)

    def _next_position(self) -> float:
        return max((r.position for r in self._records.values()), default=0.0) + 1.0

    def _fill_slots(self) -> None:
        if self._closed or not self._started:
            return
        busy = sum(1 for job_id in self._tasks if self._records.get(job_id))
        for rec in self._ordered():
            if busy >= self._concurrency:
                break
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
            if rec.state is JobState.PREPARING:
                await self._prepare(rec)
            if rec.state is JobState.WAITING:
                await self._submit(rec)
            if rec.state in (JobState.QUEUED, JobState.RUNNING):
                await self._track(rec)
            if rec.state is JobState.DOWNLOADING:
                await self._download(rec)
        except asyncio.CancelledError:
            raise  # closing, or cancelled by the user: the state says which
        except InvalidInputError as exc:
            await self._fail(rec, str(exc), field=exc.problems[0].field, retryable=False)
        except FalError as exc:
            await self._fail_from(rec, exc)
        except Exception as exc:  # a bug must not lose the job: fail it, keep everything
            log.exception("job %s failed unexpectedly", rec.id)
            await self._fail(rec, f"Unexpected error: {type(exc).__name__}: {exc}", retryable=True)
        finally:
            if self._tasks.get(rec.id) is asyncio.current_task():
                del self._tasks[rec.id]
            if not self._closed:
                self._fill_slots()

    # ---- the steps ---------------------------------------------------------------------------

    async def _copy_sources(self, rec: JobRecord, folder: Path) -> None:
        request = rec.request
        image = request.image
        if image.startswith(("https://", "http://")):
            async with httpx.AsyncClient(timeout=30.0) as http:
                data, name = await fetch_image(image, client=http)
            dest = folder / inputs.safe_name(name, "source-image.png")
            await self._io(atomic_write_bytes, dest, data)
        else:
            dest = await self._io(
                inputs.copy_source,
                Path(image).expanduser(),
                folder,
                "source-image.png",
                field="image_url",
            )
        rec.source_image = dest.relative_to(self._root).as_posix()
        if request.audio:
            adest = await self._io(
                inputs.copy_source,
                Path(request.audio).expanduser(),
                folder,
                "source-audio.wav",
                field="audio_url",
            )
            rec.source_audio = adest.relative_to(self._root).as_posix()

    async def _prepare(self, rec: JobRecord) -> None:
        folder = self._root / rec.folder
        image_src = self._root / rec.source_image  # type: ignore[operator]
        audio_src = self._root / rec.source_audio if rec.source_audio else None
        image, audio = await asyncio.get_running_loop().run_in_executor(
            None, inputs.prepare_inputs, image_src, audio_src, rec.request.duration
        )
        sent_image = folder / f"sent-{image.file_name}"
        await self._io(atomic_write_bytes, sent_image, image.data)
        rec.sent_image = sent_image.relative_to(self._root).as_posix()
        rec.notes.extend(image.notes)
        if audio is not None:
            sent_audio = folder / f"sent-{audio.file_name}"
            await self._io(atomic_write_bytes, sent_audio, audio.data)
            rec.sent_audio = sent_audio.relative_to(self._root).as_posix()
            rec.notes.extend(audio.notes)
        rec.notes.extend(p.message for p in rec.request.warnings())
        if rec.state is not JobState.PREPARING:
            return  # cancelled meanwhile
        rec.state = JobState.WAITING
        await self._save(rec)
        self._emit(rec, "state")

    async def _media_url(self, media: PreparedMedia, *, public: bool = False) -> str:
        """A data URI, or fal's CDN for large files and for what must be a public URL.

        The API says the audio URL "must be publicly accessible", so audio always goes through
        the CDN on fal. The offline engine takes data URIs only.
        """
        if self._backend.offline or (not public and media.size_bytes <= self._upload_threshold):
            return await asyncio.get_running_loop().run_in_executor(None, media.to_data_uri)
        assert self._client is not None
        return await self._client.upload(media.data, media.mime, media.file_name)

    async def _submit(self, rec: JobRecord) -> None:
        assert self._client is not None
        image, audio = await self._load_sent(rec)
        rec.started_at = rec.started_at or _now()
        rec.state = JobState.SUBMITTING
        await self._save(rec)
        self._emit(rec, "state")
        image_url = await self._media_url(image)
        audio_url = await self._media_url(audio, public=True) if audio else None
        arguments = rec.request.to_arguments(image_url, audio_url)
        # What the sidecar keeps: the arguments as sent, with data URIs named by file.
        rec.arguments = {
            **arguments,
            "image_url": image.file_name if image_url.startswith("data:") else image_url,
        }
        if audio is not None and audio_url is not None:
            rec.arguments["audio_url"] = (
                audio.file_name if audio_url.startswith("data:") else audio_url
            )
        try:
            handle = await self._client.submit(limits.ENDPOINT_ID, arguments)
        except FalError as exc:
            if getattr(exc, "maybe_submitted", False):
                rec.maybe_submitted = True
            raise
        # Committed before anything else happens: this is what makes the job resumable.
        rec.handle = handle.to_dict()
        rec.submitted_at = _now()
        rec.state = JobState.QUEUED
        await self._save(rec)
        self._emit(rec, "state")
        if rec.id in self._cancel_after_submit:
            self._cancel_after_submit.discard(rec.id)
            await self._cancel_at_service(rec)

    async def _track(self, rec: JobRecord) -> None:
        assert self._client is not None
        handle = self._handle(rec)
        seen = self._seen_logs.setdefault(rec.id, set())
        completed: Completed | None = None
        # aclosing: leaving the loop early closes the stream at once, in this task (not later,
        # from the garbage collector, outside any task).
        async with contextlib.aclosing(self._client.watch(handle)) as statuses:
            async for status in statuses:
                if isinstance(status, Queued):
                    if rec.state is not JobState.QUEUED or rec.queue_position != status.position:
                        changed_state = rec.state is not JobState.QUEUED
                        rec.state = JobState.QUEUED
                        rec.queue_position = status.position
                        if changed_state:
                            await self._save(rec)
                        self._emit(rec, "position")
                elif isinstance(status, InProgress):
                    if rec.state is not JobState.RUNNING:
                        rec.state = JobState.RUNNING
                        rec.queue_position = None
                        rec.running_at = _now()
                        await self._save(rec)
                        self._emit(rec, "state")
                    self._add_logs(rec, status.logs or (), seen)
                elif isinstance(status, Completed):
                    self._add_logs(rec, status.logs or (), seen)
                    completed = status
                    break
        if completed is None:
            raise ProtocolError("The status updates ended before the request finished.")
        rec.completed_at = _now()
        rec.queue_position = None
        if completed.error and completed.error_type == "client_cancelled":
            rec.notes.append("Cancelled at the service.")
            await self._finish(rec, JobState.CANCELLED)
            return
        # Any other error: result() raises the matching typed error with the service's words.
        result = await self._client.result(handle)
        rec.result = result
        # The library id is fixed before filing, so a crash between filing the entry and
        # marking the job done cannot file it twice (resume finds it by this id).
        rec.planned_entry_id = new_id()
        rec.state = JobState.DOWNLOADING
        rec.progress = 0.0
        await self._save(rec)
        self._emit(rec, "state")

    async def _download(self, rec: JobRecord) -> None:
        assert self._client is not None and rec.result is not None
        loop = asyncio.get_running_loop()
        folder = self._root / rec.folder
        filed = await loop.run_in_executor(None, self._filed_entry, rec)
        if filed is None:
            dest = folder / "video.mp4"
            video = rec.result.get("video") or {}
            url = self._live_url(rec, str(video.get("url", "")))
            last = [-1.0]

            def on_progress(done: int, total: int | None) -> None:
                if not total:
                    return
                fraction = min(1.0, done / total)
                if fraction - last[0] >= 0.01 or fraction >= 1.0:
                    last[0] = fraction
                    rec.progress = fraction
                    self._emit(rec, "progress")

            await self._client.download(url, dest, on_progress=on_progress)
            # The file exactly as served (the library then adds its metadata by remuxing),
            # hashed off the loop from the page cache.
            rec.download_sha256 = await loop.run_in_executor(None, _sha256_file, dest)
            await loop.run_in_executor(None, check_playable, dest)
            image, audio = await self._load_sent(rec)
            filed = await loop.run_in_executor(None, self._add_to_library, rec, dest, image, audio)
        rec.entry_id = filed.id
        rec.progress = 1.0
        # The library holds the inputs now; the folder goes before the job is marked done
        # (a crash in between is harmless: resume finds the entry by its planned id).
        await self._io(inputs.remove_folder, folder)
        await self._finish(rec, JobState.DONE)

    def _filed_entry(self, rec: JobRecord):
        """The library entry of this job if it was filed before a crash (executor)."""
        if rec.planned_entry_id is None:
            return None
        try:
            return self._library.get(rec.planned_entry_id)
        except KeyError:
            return None

    def _add_to_library(
        self, rec: JobRecord, video: Path, image: PreparedMedia, audio: PreparedMedia | None
    ):
        """Runs in an executor: file the finished video (idempotent across a crash)."""
        planned = rec.planned_entry_id or new_id()
        result = rec.result or {}
        now = _now()
        timings = {
            "queue_s": _span(rec.submitted_at, rec.running_at),
            "run_s": _span(rec.running_at, rec.completed_at),
            "download_s": _span(rec.completed_at, now),
            "total_s": _span(rec.started_at, now),
            "submitted_at": _iso(rec.submitted_at),
            "completed_at": _iso(rec.completed_at),
        }
        handle = rec.handle or {}
        remote = {
            "video_url": (result.get("video") or {}).get("url"),
            "response_url": handle.get("response_url"),
            # fal keeps the result for an hour; media links follow the account's lifecycle.
            "expires_at": _iso((rec.completed_at or now) + RESULT_KEPT_S),
            "backend": rec.backend,
            # The file as the service sent it (the library then adds its metadata by remuxing).
            "download_sha256": rec.download_sha256,
        }
        entry = NewEntry(
            video_path=video,
            image=image,
            audio=audio,
            request=rec.request,
            arguments=rec.arguments or {},
            response=result,
            request_id=str(handle.get("request_id", "")),
            endpoint=limits.ENDPOINT_ID,
            timings=timings,
            cost_usd=rec.cost_usd,
            remote=remote,
            parent_id=rec.parent_id,
            id=planned,
        )
        return self._library.add(entry)

    # ---- helpers -----------------------------------------------------------------------------

    def _handle(self, rec: JobRecord) -> RequestHandle:
        assert rec.handle is not None
        handle = RequestHandle.from_dict(rec.handle)
        if rec.backend == "offline" and self._backend.offline:
            # The engine listens on a new port each run; its request ids stay valid.
            return RequestHandle.from_base(
                self._backend.base_url, handle.endpoint_id, handle.request_id
            )
        return handle

    def _live_url(self, rec: JobRecord, url: str) -> str:
        if rec.backend == "offline" and self._backend.offline and url:
            live = urlsplit(self._backend.base_url)
            parts = urlsplit(url)
            return urlunsplit((live.scheme, live.netloc, parts.path, parts.query, ""))
        return url

    def _add_logs(self, rec: JobRecord, entries: Any, seen: set[tuple[str, str]]) -> None:
        for entry in entries:
            key = (str(getattr(entry, "timestamp", "")), str(getattr(entry, "message", "")))
            if key in seen:
                continue
            seen.add(key)
            line = key[1]
            rec.logs.append(line)
            del rec.logs[:-_LOG_LINES_KEPT]
            self._emit(rec, "log", line)

    async def _load_sent(self, rec: JobRecord) -> tuple[PreparedMedia, PreparedMedia | None]:
        """The prepared inputs as they were (or will be) sent, re-read from the job folder."""
        assert rec.sent_image is not None
        image_path = self._root / rec.sent_image
        audio_path = self._root / rec.sent_audio if rec.sent_audio else None
        return await asyncio.get_running_loop().run_in_executor(
            None, inputs.prepare_inputs, image_path, audio_path, rec.request.duration
        )

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

    async def _fail_from(self, rec: JobRecord, exc: FalError) -> None:
        field = None
        if isinstance(exc, ValidationError) and exc.field_errors:
            field = exc.field_errors[0].field
        message = str(exc)
        retryable = bool(exc.retryable) or not exc.refused
        if isinstance(exc, ResultExpiredError):
            message += " Run it again to make a new one (it is billed again)."
        elif rec.handle and rec.state in _RESUMABLE and exc.retryable:
            # The service has (or had) the request: resuming must not submit it again.
            rec.resume_from = rec.state.value
            message += (
                " The service still has the request: Retry picks it up without sending it again."
            )
        await self._fail(rec, message, field=field, retryable=retryable)

    async def _fail(
        self, rec: JobRecord, message: str, *, field: str | None = None, retryable: bool
    ) -> None:
        rec.error = message
        rec.error_field = field
        rec.retryable = retryable
        await self._finish(rec, JobState.FAILED)

    async def _finish(self, rec: JobRecord, state: JobState) -> None:
        rec.state = state
        rec.finished_at = _now()
        rec.queue_position = None
        self._seen_logs.pop(rec.id, None)
        await self._save(rec)
        self._emit(rec, "state")
        self._emit(rec, "finished")
        snapshot = self._snapshot(rec)
        for future in self._waiters.pop(rec.id, []):
            if not future.done():
                future.set_result(snapshot)

    async def _forget(self, rec: JobRecord, folder: Path) -> None:
        if self._records.pop(rec.id, None) is not None:
            self._emit(rec, "removed")
        await self._io(self._store.delete, rec.id)
        await self._io(inputs.remove_folder, folder)

    async def _save(self, rec: JobRecord) -> None:
        await self._io(self._store.save, rec)

    async def _io(self, fn, *args, **kwargs):
        """Run a small file or database call on the runner's own thread."""
        call = functools.partial(fn, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._db, call)

    def _eta(self, rec: JobRecord) -> float | None:
        if rec.state.is_final or rec.submitted_at is None:
            return None
        similar = [
            r.finished_at - r.submitted_at
            for r in self._records.values()
            if r.state is JobState.DONE
            and r.submitted_at is not None
            and r.finished_at is not None
            and r.request.resolution == rec.request.resolution
            and r.request.duration == rec.request.duration
        ][-10:]
        if not similar:
            return None
        return max(0.0, statistics.median(similar) - (_now() - rec.submitted_at))

    def _snapshot(self, rec: JobRecord) -> JobSnapshot:
        return rec.snapshot(now=_now(), eta_s=self._eta(rec), library_root=self._root)

    def _emit(self, rec: JobRecord, kind: str, line: str | None = None) -> None:
        if not self._listeners:
            return
        event = JobEvent(self._snapshot(rec), kind, line)
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:  # one broken listener must not stop the jobs
                log.exception("job listener failed")


def _new_job_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S", time.gmtime()) + "-" + secrets.token_hex(3)


def _sha256_file(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _span(start: float | None, end: float | None) -> float | None:
    return round(end - start, 3) if start is not None and end is not None else None


def _iso(epoch_s: float | None) -> str | None:
    if epoch_s is None:
        return None
    return datetime.fromtimestamp(epoch_s, UTC).isoformat(timespec="seconds")
