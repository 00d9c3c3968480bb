"""The steps of one job: copy and prepare its inputs, submit, track, download, file.

A job's life (see :class:`~wan_desktop.jobs.model.JobState`)::

    preparing → waiting → submitting → queued → running → downloading → done
                                                       ↘ failed | cancelled

Each step starts from the committed state, so a job carried on after a crash (tracking from
its stored request URLs, the download from its partial file) takes the same path. A submit is
never repeated on its own. Coroutines run on the runner's loop; image and file work goes to
executors.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

from ..core import limits
from ..core.atomic import atomic_write_bytes
from ..core.budget import SpendLedger
from ..core.hashing import sha256_file
from ..core.problems import InvalidInputError
from ..fal import (
    Completed,
    FalClient,
    FalError,
    InProgress,
    ProtocolError,
    Queued,
    RequestTimeoutError,
    ResultExpiredError,
    ValidationError,
)
from ..fal.output import VideoFile, parse_output
from ..fal.submit import InlineMedia
from ..library import Library, new_id
from ..media.fetch import fetch_image
from ..media.prepared import PreparedMedia
from ..media.video import check_playable
from . import inputs
from .backend import Backend
from .book import JobBook
from .filing import file_result, filed_entry
from .model import JobEventKind, JobState
from .output_check import disagreements
from .progress_gate import ProgressGate
from .store import JobRecord

__all__ = ["JobWork"]

log = logging.getLogger(__name__)

_LOG_LINES_KEPT = 200
#: States a job can be picked up from after a network failure, without a new submit.
_RESUMABLE = (JobState.QUEUED, JobState.RUNNING, JobState.DOWNLOADING)


class JobWork:
    """Carries jobs through their steps against one backend, filing results in one library.

    ``client`` is set by the runner once it is open. ``on_submitted(rec)`` is awaited right
    after a submit is committed (the runner cancels there a job cancelled while submitting).
    ``ledger`` records each result fal completed (and so billed); ``None`` records nothing.
    """

    def __init__(
        self,
        book: JobBook,
        library: Library,
        backend: Backend,
        *,
        upload_threshold_bytes: int,
        on_submitted: Callable[[JobRecord], Awaitable[None]],
        start_timeout_s: float | None = None,
        upload_expiry_s: int | None = None,
        ledger: SpendLedger | None = None,
    ):
        self.book = book
        self.ledger = ledger
        self.library = library
        self.backend = backend
        self.client: FalClient | None = None
        self.upload_threshold = upload_threshold_bytes
        self.on_submitted = on_submitted
        self.start_timeout_s = start_timeout_s
        self.upload_expiry_s = upload_expiry_s
        self._seen_logs: dict[str, set[tuple[str, str]]] = {}

    @property
    def root(self) -> Path:
        """The library folder (job folders and paths in records are relative to it)."""
        return self.book.root

    async def run(self, rec: JobRecord) -> None:
        """Carry ``rec`` from its current state to its end; a failure fails the job."""
        try:
            if rec.state is JobState.PREPARING:
                await self.prepare(rec)
            if rec.state is JobState.WAITING:
                await self._submit(rec)
                await self.on_submitted(rec)
            if rec.state in (JobState.QUEUED, JobState.RUNNING):
                await self._track(rec)
            if rec.state is JobState.DOWNLOADING:
                await self._download(rec)
        except asyncio.CancelledError:
            raise  # closing, or cancelled by the user: the state says which
        except InvalidInputError as exc:
            await self.fail(rec, str(exc), field=exc.problems[0].field, retryable=False)
        except FalError as exc:
            await self._fail_from(rec, exc)
        except Exception as exc:  # a bug must not lose the job: fail it, keep everything
            log.exception("job %s failed unexpectedly", rec.id)
            await self.fail(rec, f"Unexpected error: {type(exc).__name__}: {exc}", retryable=True)
        finally:
            self._seen_logs.pop(rec.id, None)

    # ---- inputs ------------------------------------------------------------------------------

    async def copy_sources(self, rec: JobRecord, folder: Path) -> None:
        """Copy the user's image (fetching a URL) and audio into the job's folder."""
        request = rec.request
        if request.image.startswith(("https://", "http://")):
            async with httpx.AsyncClient(timeout=30.0) as http:
                data, name = await fetch_image(request.image, client=http)
            dest = folder / inputs.copy_name(name, "source-image.png")
            await self.book.io(atomic_write_bytes, dest, data)
        else:
            source = Path(request.image).expanduser()
            dest = await self.book.io(
                inputs.copy_source, source, folder, "source-image.png", field="image_url"
            )
        rec.source_image = dest.relative_to(self.root).as_posix()
        if request.audio:
            source = Path(request.audio).expanduser()
            adest = await self.book.io(
                inputs.copy_source, source, folder, "source-audio.wav", field="audio_url"
            )
            rec.source_audio = adest.relative_to(self.root).as_posix()

    async def prepare(self, rec: JobRecord) -> None:
        """Check and convert the copied inputs; keep the bytes to send; the job then waits."""
        folder = self.root / rec.folder
        assert rec.source_image is not None
        image_src = self.root / rec.source_image
        audio_src = self.root / rec.source_audio if rec.source_audio else None
        image, audio = await asyncio.get_running_loop().run_in_executor(
            None, inputs.prepare_inputs, image_src, audio_src, rec.request.duration
        )
        sent_image = folder / f"sent-{image.file_name}"
        await self.book.io(atomic_write_bytes, sent_image, image.data)
        rec.sent_image = sent_image.relative_to(self.root).as_posix()
        rec.notes.extend(image.notes)
        if audio is not None:
            sent_audio = folder / f"sent-{audio.file_name}"
            await self.book.io(atomic_write_bytes, sent_audio, audio.data)
            rec.sent_audio = sent_audio.relative_to(self.root).as_posix()
            rec.notes.extend(audio.notes)
        rec.notes.extend(p.message for p in rec.request.warnings())
        if rec.state is not JobState.PREPARING:
            return  # cancelled meanwhile
        await self.book.transition(rec, JobState.WAITING)

    async def load_sent(self, rec: JobRecord) -> tuple[PreparedMedia, PreparedMedia | None]:
        """The prepared inputs as they were (or will be) sent, re-read from the job folder
        (trusted: never checked or decoded again)."""
        assert rec.sent_image is not None
        image_path = self.root / rec.sent_image
        audio_path = self.root / rec.sent_audio if rec.sent_audio else None
        return await asyncio.get_running_loop().run_in_executor(
            None, inputs.load_prepared, image_path, audio_path, rec.request.duration
        )

    async def _media_url(self, media: PreparedMedia, *, public: bool = False) -> str | InlineMedia:
        """A data URI (streamed inside the body as it encodes, never built whole), or fal's CDN
        for large files and for what must be a public URL.

        The API says the audio URL "must be publicly accessible", so audio always goes through
        the CDN on fal. The offline engine takes data URIs only.
        """
        if self.backend.offline or (not public and media.size_bytes <= self.upload_threshold):
            return InlineMedia(media.data, media.mime)
        assert self.client is not None
        return await self.client.upload(
            media.data, media.mime, media.file_name, expires_in_s=self.upload_expiry_s
        )

    # ---- at the service ----------------------------------------------------------------------

    async def _submit(self, rec: JobRecord) -> None:
        assert self.client is not None
        image, audio = await self.load_sent(rec)
        await self.book.transition(
            rec, JobState.SUBMITTING, started_at=rec.started_at or time.time()
        )
        image_url = await self._media_url(image)
        audio_url = await self._media_url(audio, public=True) if audio else None
        # What the sidecar keeps: the arguments as sent, with data URIs named by file.
        rec.arguments = rec.request.to_arguments(
            _named(image_url, image), _named(audio_url, audio) if audio and audio_url else None
        )
        arguments = {**rec.arguments, "image_url": image_url}
        if audio_url is not None:
            arguments["audio_url"] = audio_url
        try:
            handle = await self.client.submit(
                limits.ENDPOINT_ID, arguments, start_timeout_s=self.start_timeout_s
            )
        except FalError as exc:
            if getattr(exc, "maybe_submitted", False):
                rec.maybe_submitted = True
            raise
        # Committed before anything else happens: this is what makes the job resumable.
        await self.book.transition(
            rec, JobState.QUEUED, handle=handle.to_dict(), submitted_at=time.time()
        )

    async def _track(self, rec: JobRecord) -> None:
        assert self.client is not None and rec.handle is not None
        handle = self.backend.live_handle(rec.handle, rec.backend)
        completed: Completed | None = None
        # aclosing: leaving the loop early closes the stream at once, in this task (not later,
        # from the garbage collector, outside any task).
        async with contextlib.aclosing(self.client.watch(handle)) as statuses:
            async for status in statuses:
                if isinstance(status, Completed):
                    self._add_logs(rec, status.logs or ())
                    completed = status
                    break
                await self._on_status(rec, status)
        if completed is None:
            raise ProtocolError("The status updates ended before the request finished.")
        rec.completed_at = time.time()
        rec.queue_position = None
        if completed.error and completed.error_type == "client_cancelled":
            rec.notes.append("Cancelled at the service.")
            await self.book.transition(rec, JobState.CANCELLED)
            return
        if not completed.error:
            # Completed without an error: fal bills it now, whether or not the result is
            # fetched in time (an expired result is still paid for).
            await self._bill(rec)
        # Any other error: result() raises the matching typed error with the service's words.
        result = await self.client.result(handle)
        # The library id is fixed before filing, so a crash between filing the entry and
        # marking the job done cannot file it twice (resume finds it by this id).
        await self.book.transition(
            rec, JobState.DOWNLOADING, result=result, planned_entry_id=new_id(), progress=0.0
        )

    async def _on_status(self, rec: JobRecord, status: Any) -> None:
        if isinstance(status, Queued):
            if rec.state is not JobState.QUEUED:
                await self.book.transition(rec, JobState.QUEUED, queue_position=status.position)
                self.book.emit(rec, JobEventKind.POSITION)
            elif rec.queue_position != status.position:
                rec.queue_position = status.position
                self.book.emit(rec, JobEventKind.POSITION)
        elif isinstance(status, InProgress):
            if rec.state is not JobState.RUNNING:
                await self.book.transition(
                    rec, JobState.RUNNING, queue_position=None, running_at=time.time()
                )
            self._add_logs(rec, status.logs or ())

    def _add_logs(self, rec: JobRecord, entries: Any) -> None:
        seen = self._seen_logs.setdefault(rec.id, set())
        for entry in entries:
            key = (str(getattr(entry, "timestamp", "")), str(getattr(entry, "message", "")))
            if key in seen:
                continue
            seen.add(key)
            line = key[1]
            rec.logs.append(line)
            del rec.logs[:-_LOG_LINES_KEPT]
            self.book.emit(rec, JobEventKind.LOG, line)

    # ---- the result --------------------------------------------------------------------------

    async def _download(self, rec: JobRecord) -> None:
        assert self.client is not None and rec.result is not None
        loop = asyncio.get_running_loop()
        folder = self.root / rec.folder
        filed = await loop.run_in_executor(None, filed_entry, self.library, rec)
        if filed is None:
            # A name of this process's own: no two processes ever write one partial file.
            dest = folder / f"video-{os.getpid()}.mp4"
            await self.book.io(_claim_partial, folder, dest)
            stated = parse_output(rec.result).video or VideoFile()
            url = self.backend.live_url(stated.url or "", rec.backend)
            # The announced size lets a short or padded file be told apart from the real one;
            # the bytes, not the Content-Type, say whether it is a video.
            await self.client.download(
                url,
                dest,
                on_progress=self._progress_reporter(rec),
                expected_size=stated.file_size,
            )
            # The file exactly as served (the library then adds its metadata by remuxing),
            # hashed off the loop from the page cache.
            rec.download_sha256 = await loop.run_in_executor(None, sha256_file, dest)
            info = await loop.run_in_executor(None, check_playable, dest)
            for line in disagreements(stated, info):
                self._warn(rec, line)
            image, audio = await self.load_sent(rec)
            filed = await loop.run_in_executor(
                None, file_result, self.library, rec, dest, image, audio
            )
        rec.entry_id = filed.id
        rec.progress = 1.0
        # The library holds the inputs now; the folder goes before the job is marked done
        # (a crash in between is harmless: resume finds the entry by its planned id).
        await self.book.io(inputs.remove_folder, folder)
        # Again at the end (a no-op when recorded at completion): a job carried on from a
        # version without the ledger is counted too.
        await self._bill(rec)
        await self.book.transition(rec, JobState.DONE)

    async def _bill(self, rec: JobRecord) -> None:
        """Record in the spend ledger what fal billed for ``rec``: its estimate, once per
        request id. Called once fal has completed the request (a completed request is billed;
        failed and cancelled ones are not). The offline engine is free."""
        request_id = str((rec.handle or {}).get("request_id") or "")
        if self.ledger is None or rec.backend == "offline" or not rec.cost_usd or not request_id:
            return
        try:
            await self.book.io(
                self.ledger.record,
                request_id,
                rec.cost_usd,
                job_id=rec.id,
                source=rec.cost_source or "",
            )
        except (sqlite3.Error, OSError) as exc:
            # The video is paid for and must still be fetched: the ledger missing one charge
            # is the lesser harm (the caps then undercount it), said in the log.
            log.warning("job %s: the spend ledger could not record it: %s", rec.id, exc)

    def _progress_reporter(self, rec: JobRecord) -> Callable[[int, int | None], None]:
        """The download's per-chunk callback: progress events at most about ten a second (each
        repaints the window's jobs list on its GUI thread), and always the 100 % one."""
        gate = ProgressGate()

        def on_progress(done: int, total: int | None) -> None:
            fraction = gate.admit(done, total)
            if fraction is not None:
                rec.progress = fraction
                self.book.emit(rec, JobEventKind.PROGRESS)

        return on_progress

    # ---- failures ----------------------------------------------------------------------------

    async def _fail_from(self, rec: JobRecord, exc: FalError) -> None:
        """Fail ``rec`` with the service's answer, kept resumable where ``exc`` says so."""
        field = None
        if isinstance(exc, ValidationError) and exc.field_errors:
            field = exc.field_errors[0].field
        message = str(exc)
        retryable = bool(exc.retryable) or not exc.refused
        submitted = bool(rec.handle) and rec.state in _RESUMABLE
        if isinstance(exc, ResultExpiredError):
            message += " Run it again to make a new one (it is billed again)."
        elif isinstance(exc, RequestTimeoutError):
            pass  # the service dropped the request: only a new submit can run it
        elif submitted and exc.resumable:
            # The service has (or had) the request: resuming must not submit it again.
            rec.resume_from = rec.state.value
            if exc.retryable:
                message += (
                    " The service still has the request: Retry picks it up without sending "
                    "it again."
                )
        elif exc.resumable and not exc.retryable and not rec.maybe_submitted:
            # Refused for now (an account out of credit): the same job is sent as it is once
            # the account is open again (``jobs resume``, Retry), nothing changed.
            rec.resume_from = JobState.WAITING.value
        await self.fail(rec, message, field=field, retryable=retryable)

    def _warn(self, rec: JobRecord, line: str) -> None:
        """A warning in the job's log (kept with the job, shown as it runs)."""
        log.warning("job %s: %s", rec.id, line)
        text = f"warning: {line}"
        rec.logs.append(text)
        del rec.logs[:-_LOG_LINES_KEPT]
        self.book.emit(rec, JobEventKind.LOG, text)

    async def fail(
        self, rec: JobRecord, message: str, *, field: str | None = None, retryable: bool
    ) -> None:
        """End ``rec`` failed with ``message`` (a sentence for people)."""
        await self.book.transition(
            rec, JobState.FAILED, error=message, error_field=field, retryable=retryable
        )


def _named(url: str | InlineMedia, media: PreparedMedia) -> str:
    """A sent URL as the sidecar keeps it: a data URI is named by its file."""
    if isinstance(url, InlineMedia) or url.startswith("data:"):
        return media.file_name
    return url


def _claim_partial(folder: Path, dest: Path) -> None:
    """Take over the partial download a dead process left (the queue lock guarantees it is
    dead), so the download resumes instead of starting again (the book's thread)."""
    own = dest.with_name(dest.name + ".part")
    if own.exists():
        return
    leftovers = [p for p in folder.glob("video*.mp4.part") if p != own]
    for part in sorted(leftovers, key=lambda p: p.stat().st_mtime, reverse=True):
        with contextlib.suppress(FileNotFoundError):
            os.replace(part, own)
            return
