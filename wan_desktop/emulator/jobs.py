"""The engine's queue: jobs, the worker threads that render them, and their persistence.

States follow fal's queue: IN_QUEUE → IN_PROGRESS → COMPLETED; a failed or cancelled job
also ends COMPLETED, with ``error``/``error_type``. ``workers`` jobs render at once; the rest
wait in submit order. Every change bumps a version and wakes :meth:`JobStore.wait_for_change`
(the SSE streams wait there).

On disk (one folder, a temporary one unless the engine was given ``state_dir``)::

    requests/{id}.json    the job: inputs metadata, state, seed, result, error (atomic writes)
    inputs/{id}.image     the decoded image bytes, kept until the job is rendered
    inputs/{id}.audio     the audio bytes, when given (without them, the clip gets the
                          made-up soundtrack of .soundtrack unless generate_audio is false)
    files/{id}.mp4        the rendered video

A new :class:`JobStore` on the same folder knows the old request ids; jobs that were not
finished are queued again and rendered from their kept inputs.
"""

from __future__ import annotations

import json
import logging
import math
import secrets
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wan_desktop.core import limits
from wan_desktop.core.atomic import atomic_write_bytes, atomic_write_json

from .faults import Faults
from .output_fields import video_fields
from .prompts import expand_prompt
from .render import RenderCancelled, camera_move, output_size, render_video
from .soundtrack import soundtrack_wav
from .validate import Inputs

__all__ = [
    "CANCEL_ALREADY_COMPLETED",
    "CANCEL_NOT_FOUND",
    "CANCEL_OK",
    "CANCEL_REQUESTED",
    "COMPLETED",
    "IN_PROGRESS",
    "IN_QUEUE",
    "Job",
    "JobStore",
]

log = logging.getLogger(__name__)

IN_QUEUE = "IN_QUEUE"
IN_PROGRESS = "IN_PROGRESS"
COMPLETED = "COMPLETED"

CANCEL_OK = "OK"
CANCEL_REQUESTED = "CANCELLATION_REQUESTED"
CANCEL_ALREADY_COMPLETED = "ALREADY_COMPLETED"
CANCEL_NOT_FOUND = "NOT_FOUND"

_LOG_EVERY_FRAMES = limits.OUTPUT_FPS // 2  # a progress line per half second of video
_SCHEMA = 1


class _Shutdown(Exception):
    """The engine is stopping: leave the job unfinished (a restart renders it again)."""


@dataclass
class Job:
    """One request. Mutated only under the store's lock; read through snapshots.

    Times: ``*_mono`` are ``time.monotonic()`` seconds, ``*_wall`` ``time.time()`` seconds.
    """

    request_id: str
    gateway_request_id: str
    created_wall: float
    inputs: dict[str, Any]
    seed: int
    actual_prompt: str | None
    has_audio: bool
    state: str = IN_QUEUE
    fail: dict[str, Any] | None = None
    logs: deque[dict[str, str]] = field(default_factory=deque)
    started_mono: float | None = None
    completed_mono: float | None = None
    completed_wall: float | None = None
    inference_time_s: float | None = None
    error: str | None = None
    error_type: str | None = None
    error_status: int | None = None
    file_size: int | None = None
    # X-Fal-Request-Timeout: the job is dropped if it has not started by then (wall clock).
    start_by_wall: float | None = None
    video_fields: dict[str, Any] | None = None  # measured on the file (output_fields)
    cancel: threading.Event = field(default_factory=threading.Event)
    # The echo_key fault's copy of the request's key: in memory only, never in to_json().
    echo_key: str | None = field(default=None, repr=False)

    @property
    def succeeded(self) -> bool:
        return self.state == COMPLETED and self.error is None

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": _SCHEMA,
            "request_id": self.request_id,
            "gateway_request_id": self.gateway_request_id,
            "created_wall": self.created_wall,
            "inputs": self.inputs,
            "seed": self.seed,
            "actual_prompt": self.actual_prompt,
            "has_audio": self.has_audio,
            "state": self.state,
            "fail": self.fail,
            "completed_wall": self.completed_wall,
            "inference_time_s": self.inference_time_s,
            "error": self.error,
            "error_type": self.error_type,
            "error_status": self.error_status,
            "file_size": self.file_size,
            "start_by_wall": self.start_by_wall,
            "video_fields": self.video_fields,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], log_window: int) -> Job:
        job = cls(
            request_id=data["request_id"],
            gateway_request_id=data["gateway_request_id"],
            created_wall=data["created_wall"],
            inputs=data["inputs"],
            seed=data["seed"],
            actual_prompt=data.get("actual_prompt"),
            has_audio=data.get("has_audio", False),
            state=data["state"],
            fail=data.get("fail"),
            completed_wall=data.get("completed_wall"),
            inference_time_s=data.get("inference_time_s"),
            error=data.get("error"),
            error_type=data.get("error_type"),
            error_status=data.get("error_status"),
            file_size=data.get("file_size"),
            start_by_wall=data.get("start_by_wall"),
            video_fields=data.get("video_fields"),
        )
        job.logs = deque(maxlen=log_window)
        return job


def _recorded(inputs: Inputs) -> dict[str, Any]:
    """What a job's record keeps of its validated inputs (the media stay in ``inputs/``)."""
    return {
        "prompt": inputs.prompt,
        "negative_prompt": inputs.negative_prompt,
        "resolution": inputs.resolution,
        "duration": str(inputs.duration_s),
        "seed": inputs.seed,
        "enable_prompt_expansion": inputs.enable_prompt_expansion,
        "multi_shots": inputs.multi_shots,
        "enable_safety_checker": inputs.enable_safety_checker,
        "image_size": list(inputs.image_size),
        "audio_duration_s": inputs.audio_duration_s,
        "generate_audio": inputs.generate_audio,
        "extra_inputs": inputs.extra_inputs,
    }


def _overdue(job: Job, now: float) -> bool:
    """True when ``job`` has a start deadline and it passed before ``now`` (epoch seconds)."""
    return (job.start_by_wall or math.inf) <= now


class JobStore:
    """The queue and its workers.

    Public methods are thread-safe: the HTTP handler threads call them while ``workers``
    threads (started by :meth:`start`) render. ``min_run_s`` keeps each job IN_PROGRESS for
    at least that many seconds; ``log_window`` is how many recent log lines a status shows.
    ``render`` is :func:`render_video` unless a test swaps it.
    """

    def __init__(
        self,
        folder: Path,
        *,
        workers: int = 2,
        min_run_s: float = 0.0,
        faults: Faults | None = None,
        log_window: int = 20,
        render: Callable[..., None] = render_video,
    ) -> None:
        self.folder = Path(folder)
        self.workers = max(1, int(workers))
        self.min_run_s = float(min_run_s)
        self.faults = faults or Faults()
        self.log_window = log_window
        self._render = render
        self._cond = threading.Condition()
        self._jobs: dict[str, Job] = {}
        self._pending: deque[str] = deque()
        self._version = 0
        self._stopping = False
        self._threads: list[threading.Thread] = []
        self._completions: dict[str, dict[str, float]] = {}
        for sub in ("requests", "inputs", "files"):
            (self.folder / sub).mkdir(parents=True, exist_ok=True)
        self._load()

    # ---- lifecycle ----------------------------------------------------------------------

    def start(self) -> None:
        """Start the worker threads."""
        for index in range(self.workers):
            thread = threading.Thread(
                target=self._work, name=f"emulator-worker-{index}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop the workers; a render under way is abandoned (and redone by a restart)."""
        with self._cond:
            self._stopping = True
            for job in self._jobs.values():
                job.cancel.set()
            self._cond.notify_all()
        for thread in self._threads:
            thread.join(timeout_s)
        self._threads.clear()

    @property
    def stopping(self) -> bool:
        return self._stopping

    # ---- queue operations ---------------------------------------------------------------

    def submit(
        self,
        inputs: Inputs,
        *,
        fail: dict[str, Any] | None = None,
        echo_key: str | None = None,
        start_timeout_s: float | None = None,
    ) -> dict[str, Any]:
        """Queue a validated request; returns ``{request_id, gateway_request_id, position}``.

        ``fail`` (the ``fail_request`` fault's parameters) makes the job end with that error;
        ``echo_key`` (the ``echo_key`` fault) is logged back and returned by :meth:`get`;
        ``start_timeout_s`` (``X-Fal-Request-Timeout``): not started within that many
        seconds, the job is dropped (COMPLETED, ``request_timeout``, 504).
        """
        now = time.time()
        seed = inputs.seed if inputs.seed is not None else secrets.randbelow(limits.SEED_MAX + 1)
        actual_prompt = None
        if inputs.enable_prompt_expansion:
            actual_prompt = expand_prompt(inputs.prompt, seed, multi_shots=inputs.multi_shots)
        job = Job(
            request_id=str(uuid.uuid4()),
            gateway_request_id=str(uuid.uuid4()),
            created_wall=now,
            inputs=_recorded(inputs),
            seed=seed,
            actual_prompt=actual_prompt,
            has_audio=inputs.audio is not None,
            fail=fail,
            logs=deque(maxlen=self.log_window),
            echo_key=echo_key,
            start_by_wall=None if start_timeout_s is None else now + start_timeout_s,
        )
        atomic_write_bytes(self._input_path(job.request_id, "image"), inputs.image)
        if inputs.audio is not None:
            atomic_write_bytes(self._input_path(job.request_id, "audio"), inputs.audio)
        self._save(job)
        with self._cond:
            self._jobs[job.request_id] = job
            self._pending.append(job.request_id)
            position = len(self._pending) - 1
            self._changed()
        return {
            "request_id": job.request_id,
            "gateway_request_id": job.gateway_request_id,
            "position": position,
        }

    def snapshot(self, request_id: str, *, logs: bool) -> dict[str, Any] | None:
        """The status body of a request (without URLs), or None when the id is unknown."""
        self._drop_overdue()
        with self._cond:
            job = self._jobs.get(request_id)
            if job is None:
                return None
            body: dict[str, Any] = {"status": job.state}
            if job.state == IN_QUEUE:
                body["queue_position"] = self._pending.index(request_id)
                return body
            body["logs"] = list(job.logs) if logs else None
            if job.state == COMPLETED:
                body["metrics"] = (
                    {"inference_time": job.inference_time_s}
                    if job.inference_time_s is not None
                    else {}
                )
                body["error"] = job.error
                body["error_type"] = job.error_type
            return body

    def get(self, request_id: str) -> dict[str, Any] | None:
        """A copy of a job's persistent fields and its ``echo_key``, or None when the id is
        unknown."""
        self._drop_overdue()
        with self._cond:
            job = self._jobs.get(request_id)
            return None if job is None else {**job.to_json(), "echo_key": job.echo_key}

    def cancel(self, request_id: str) -> str:
        """Cancel a request: one of the ``CANCEL_*`` outcomes of fal's cancel endpoint."""
        with self._cond:
            job = self._jobs.get(request_id)
            if job is None:
                return CANCEL_NOT_FOUND
            if job.state == COMPLETED:
                return CANCEL_ALREADY_COMPLETED
            if job.state == IN_QUEUE:
                self._pending.remove(request_id)
                self._finish_locked(job, error="Request was cancelled by the client.")
                job.error_type = "client_cancelled"
                job.error_status = 400
                self._changed()
                to_save = job
            else:
                job.cancel.set()
                return CANCEL_REQUESTED
        self._save(to_save)
        self._drop_inputs(request_id)
        return CANCEL_OK

    def media_path(self, request_id: str) -> Path | None:
        """The rendered video of a successfully completed request, else None."""
        with self._cond:
            job = self._jobs.get(request_id)
            if job is None or not job.succeeded:
                return None
        return self.folder / "files" / f"{request_id}.mp4"

    def wait_for_change(self, version: int, timeout_s: float) -> int:
        """Block until the store changes after ``version`` (or ``timeout_s`` passes, or the
        store stops); returns the current version."""
        with self._cond:
            self._cond.wait_for(
                lambda: self._version != version or self._stopping, timeout=timeout_s
            )
            return self._version

    @property
    def version(self) -> int:
        with self._cond:
            return self._version

    def counts(self) -> dict[str, int]:
        """How many jobs are in each state."""
        with self._cond:
            out = {IN_QUEUE: 0, IN_PROGRESS: 0, COMPLETED: 0}
            for job in self._jobs.values():
                out[job.state] += 1
            return out

    def completions(self) -> dict[str, dict[str, float]]:
        """When each request was marked COMPLETED in this process:
        ``{id: {"monotonic": s, "time": s}}``."""
        with self._cond:
            return {k: dict(v) for k, v in self._completions.items()}

    # ---- workers ------------------------------------------------------------------------

    def _drop_overdue(self) -> None:
        """Drop the queued jobs whose start deadline has passed, as fal does: COMPLETED with
        ``request_timeout`` (504), never run, never billed."""
        now = time.time()
        with self._cond:
            overdue = [self._jobs[r] for r in self._pending if _overdue(self._jobs[r], now)]
            for job in overdue:
                self._pending.remove(job.request_id)
                self._finish_locked(job, error="Request timed out before it started.")
                job.error_type, job.error_status = "request_timeout", 504
            if overdue:
                self._changed()
        for job in overdue:
            self._save(job)
            self._drop_inputs(job.request_id)

    def _work(self) -> None:
        while True:
            self._drop_overdue()  # never start a job after its deadline
            with self._cond:
                self._cond.wait_for(lambda: self._pending or self._stopping)
                if self._stopping:
                    return
                job = self._jobs[self._pending.popleft()]
                job.state = IN_PROGRESS
                job.started_mono = time.monotonic()
                self._changed()
            try:
                try:
                    self._run(job)
                except _Shutdown:
                    raise
                except Exception:  # a bug or bad input: the job fails, the worker lives on
                    log.exception("render of %s failed", job.request_id)
                    self._complete(job, error="The offline engine failed to render the video.")
            except _Shutdown:
                return

    def _run(self, job: Job) -> None:
        inputs = job.inputs
        width, height = output_size(*inputs["image_size"], inputs["resolution"])
        total = int(inputs["duration"]) * limits.OUTPUT_FPS
        self._log(job, f"Offline engine: {width}x{height}, {inputs['duration']} s, seed {job.seed}")
        self._log(job, f"Camera: {camera_move(job.seed).name}")
        if job.echo_key is not None:
            self._log(job, f"Authorised with key {job.echo_key}")
        if job.fail is not None:
            self._hold(job)
            self._complete(
                job,
                error=str(job.fail.get("error")),
                error_type=str(job.fail.get("error_type")),
                error_status=int(job.fail.get("status", 500)),
            )
            return

        def progress(done: int, of: int) -> None:
            if job.cancel.is_set():
                raise RenderCancelled
            if done % _LOG_EVERY_FRAMES == 0 or done == of:
                self._log(job, f"Rendering frame {done}/{of}")

        image = self._input_path(job.request_id, "image").read_bytes()
        audio = self._audio_for(job)
        dest = self.folder / "files" / f"{job.request_id}.mp4"
        try:
            self._render(
                image,
                resolution=inputs["resolution"],
                duration_s=int(inputs["duration"]),
                seed=job.seed,
                audio_bytes=audio,
                dest=dest,
                progress=progress,
            )
            self._log(job, f"Encoded {total} frames at {limits.OUTPUT_FPS} fps")
            self._hold(job)
        except RenderCancelled:
            self._cancelled(job)
            return
        job.file_size = dest.stat().st_size
        job.video_fields = video_fields(dest)
        self._complete(job)

    def _audio_for(self, job: Job) -> bytes | None:
        """The sound of the clip: the given audio, else the made-up soundtrack, or none for a
        silent clip (a job stored before the switch existed stays silent, as it was)."""
        if job.has_audio:
            return self._input_path(job.request_id, "audio").read_bytes()
        if job.inputs.get("generate_audio", False):
            self._log(job, "Soundtrack: a made-up chord (the model would compose its own)")
            return soundtrack_wav(job.seed, int(job.inputs["duration"]))
        return None

    def _hold(self, job: Job) -> None:
        """Stay IN_PROGRESS until ``min_run_s`` has passed since the start (cancellable)."""
        assert job.started_mono is not None
        remaining = job.started_mono + self.min_run_s - time.monotonic()
        if remaining > 0 and job.cancel.wait(remaining):
            raise RenderCancelled
        if job.cancel.is_set():
            raise RenderCancelled

    def _cancelled(self, job: Job) -> None:
        if self._stopping:
            raise _Shutdown
        self._complete(
            job,
            error="Request was cancelled by the client.",
            error_type="client_cancelled",
            error_status=400,
        )

    def _complete(
        self,
        job: Job,
        *,
        error: str | None = None,
        error_type: str | None = None,
        error_status: int | None = None,
    ) -> None:
        if error is not None and error_type is None:
            error_type = "runner_error"
        with self._cond:
            if self._stopping:
                raise _Shutdown
            self._finish_locked(job, error=error)
            job.error_type = error_type
            job.error_status = error_status if error is not None else None
            if job.started_mono is not None:
                job.inference_time_s = round(job.completed_mono - job.started_mono, 4)
            self._changed()
        self._save(job)
        self._drop_inputs(job.request_id)

    def _finish_locked(self, job: Job, *, error: str | None) -> None:
        job.state = COMPLETED
        job.error = error
        job.completed_mono = time.monotonic()
        job.completed_wall = time.time()
        self._completions[job.request_id] = {
            "monotonic": job.completed_mono,
            "time": job.completed_wall,
        }

    def _log(self, job: Job, message: str) -> None:
        entry = {
            "message": message,
            "level": "INFO",
            "source": "USER",
            "timestamp": datetime.now(UTC).isoformat(timespec="microseconds"),
        }
        with self._cond:
            job.logs.append(entry)
            self._changed()

    def _changed(self) -> None:
        # Caller holds the lock.
        self._version += 1
        self._cond.notify_all()

    # ---- persistence --------------------------------------------------------------------

    def _input_path(self, request_id: str, kind: str) -> Path:
        return self.folder / "inputs" / f"{request_id}.{kind}"

    def _save(self, job: Job) -> None:
        with self._cond:
            data = job.to_json()
        atomic_write_json(self.folder / "requests" / f"{job.request_id}.json", data)

    def _drop_inputs(self, request_id: str) -> None:
        for kind in ("image", "audio"):
            self._input_path(request_id, kind).unlink(missing_ok=True)

    def _load(self) -> None:
        """Read the jobs a previous engine left; queue again the ones it did not finish."""
        unfinished: list[Job] = []
        for path in sorted((self.folder / "requests").glob("*.json")):
            try:
                job = Job.from_json(json.loads(path.read_text("utf-8")), self.log_window)
            except (OSError, ValueError, KeyError, TypeError):
                log.warning("ignoring unreadable engine state %s", path.name)
                continue
            self._jobs[job.request_id] = job
            if job.state != COMPLETED:
                job.state = IN_QUEUE
                if self._input_path(job.request_id, "image").exists():
                    unfinished.append(job)
                else:
                    job.state = COMPLETED
                    job.error = "The engine lost this request's inputs."
                    job.error_type = "runner_error"
                    job.error_status = 500
        for job in sorted(unfinished, key=lambda j: j.created_wall):
            self._pending.append(job.request_id)
