"""How a command gets at its library's job queue: it owns it, hands its job to the owner, or
waits for the owner, saying so.

Exactly one process owns a library's queue (:mod:`.queue_lock`). ``generate`` and ``jobs
retry`` run one job: as the owner they carry only that job (never others'); while a window owns
the queue they hand the job to it and follow it there, with the same output and exit code;
while an owner without a hand-off endpoint runs (another ``generate``, ``jobs resume``) they
wait for it. Coroutines here run on the command's asyncio loop.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.atomic import ensure_dir
from ..core.budget import SpendLedger, ledger_path
from ..core.paths import app_paths
from ..core.problems import InvalidInputError
from ..core.settings import Settings, library_dir, load_settings
from ..library import Library
from .backend import Backend, NoKeyError, open_backend
from .cli_output import (
    EXIT_BUSY,
    EXIT_FAILED,
    EXIT_INVALID,
    EXIT_REFUSED,
    Progress,
    print_problems,
    report_final,
)
from .filing import result_summary
from .handoff import Call, HandoffError, Reply, call_owner
from .model import JobSnapshot, JobState
from .queue_lock import Holder, QueueLock
from .runner import JobRunner

__all__ = [
    "KEPT",
    "OFFLINE_NOTICE",
    "Interrupt",
    "Opened",
    "final_result",
    "hand_over",
    "library_root",
    "owned_runner",
    "print_notes",
    "run_one_job",
    "say_owner_limits",
    "take_queue",
]

OFFLINE_NOTICE = "Offline engine: animating the image locally (this is not the AI model)."
KEPT = "Interrupted. The job is kept: run `wan-desktop jobs resume` to finish it."

#: The command-line flags of the Advanced settings (``Settings`` field → flag).
_ADVANCED_FLAGS = {"start_timeout_min": "--start-timeout", "upload_expiry_h": "--upload-expiry"}


@dataclass
class Interrupt:
    """What to say when Ctrl+C (or SIGTERM) stops the command; updated as the command goes."""

    message: str = "Interrupted. Nothing was sent."


@dataclass
class Opened:
    """A command's own library, backend and runner."""

    settings: Settings
    library: Library
    backend: Backend
    runner: JobRunner


def library_root() -> Path:
    """The library folder in use, created if missing (blocking: a few file calls)."""
    paths = app_paths()
    return ensure_dir(library_dir(paths, load_settings(paths)), 0o700)


@asynccontextmanager
async def owned_runner(
    offline: bool, require_key: bool, *, resume: bool, advanced: dict[str, int] | None = None
) -> AsyncIterator[Opened]:
    """Open the library and the backend and start a runner (the caller owns the queue);
    everything is closed on the way out, also when cancelled. ``NoKeyError`` without a key.

    The runner follows the preferences the window does: concurrency, upload threshold, the
    spending caps and the Advanced settings (start deadline, upload lifetime), so a job run
    from a shell is sent exactly as the same job from the window. ``advanced``: settings
    given on the command line instead (``start_timeout_min``, ``upload_expiry_h``)."""
    paths = app_paths()
    settings = load_settings(paths)
    if advanced:
        settings = settings.replace(**advanced)
    loop = asyncio.get_running_loop()
    library = await loop.run_in_executor(None, Library.open, library_dir(paths, settings))
    try:
        backend = await open_backend(paths, settings, offline=offline, require_key=require_key)
    except BaseException:
        library.close()
        raise
    runner = JobRunner(
        library,
        backend,
        concurrency=settings.concurrency,
        upload_threshold_bytes=settings.upload_threshold_bytes,
        start_timeout_s=settings.start_timeout_s(),
        upload_expiry_s=settings.upload_expiry_s(),
        caps=settings.caps(),
        ledger=SpendLedger(ledger_path(paths)),
    )
    try:
        await runner.start(resume=resume)
        yield Opened(settings, library, backend, runner)
    finally:
        await asyncio.shield(_close(library, backend, runner))


async def _close(library: Library, backend: Backend, runner: JobRunner) -> None:
    await runner.close()
    await backend.close()
    library.close()


async def take_queue(lock: QueueLock, kind: str, *, hand_off: bool) -> Holder | None:
    """Own the queue (``None``), or with ``hand_off`` return an owner that takes jobs.

    While the owner neither lets go nor takes jobs, says on stderr who is awaited.
    """
    told: tuple[int, str] | None = None
    while not lock.try_acquire(kind):
        holder = lock.holder()
        if holder is not None and holder.endpoint is not None and hand_off:
            return holder
        who = (holder.pid, holder.kind) if holder is not None else (0, "")
        if who != told:
            told = who
            name = holder.describe() if holder is not None else "another process"
            print(f"waiting for {name}, which is running this library's jobs…", file=sys.stderr)
        await asyncio.sleep(0.25)
    return None


async def run_one_job(
    kind: str,
    call: Call,
    start_local: Callable[[JobRunner], Awaitable[JobSnapshot]],
    *,
    offline: bool,
    require_key: bool,
    as_json: bool,
    whole_job: bool,
    interrupt: Interrupt,
    advanced: dict[str, int] | None = None,
) -> int:
    """Run one job to its end, here or in the queue's owner; returns the exit code.

    ``call`` is the job as handed to an owner, ``start_local(runner)`` the same job started
    on this process's own runner; ``advanced``: see :func:`owned_runner` (an owner sends the
    job with its own, which is said).
    """
    loop = asyncio.get_running_loop()
    lock = QueueLock(await loop.run_in_executor(None, library_root))
    try:
        while (holder := await take_queue(lock, kind, hand_off=True)) is not None:
            say_owner_limits(holder, advanced)
            try:
                return await _run_remote(holder, call, as_json, whole_job, interrupt)
            except HandoffError as exc:
                if exc.reached:
                    print(
                        f"error: lost contact with {holder.describe()} ({exc}); the job goes "
                        "on there: see `wan-desktop jobs list`.",
                        file=sys.stderr,
                    )
                    return EXIT_FAILED
                await asyncio.sleep(0.25)  # it just went away: take the queue, or wait
        return await _run_local(
            start_local, offline, require_key, as_json, whole_job, interrupt, advanced
        )
    finally:
        lock.release()


async def _run_local(
    start_local: Callable[[JobRunner], Awaitable[JobSnapshot]],
    offline: bool,
    require_key: bool,
    as_json: bool,
    whole_job: bool,
    interrupt: Interrupt,
    advanced: dict[str, int] | None,
) -> int:
    try:
        async with owned_runner(offline, require_key, resume=False, advanced=advanced) as opened:
            if opened.backend.offline:
                print(OFFLINE_NOTICE, file=sys.stderr)
            try:
                job = await start_local(opened.runner)
            except InvalidInputError as exc:
                print_problems(exc, sys.stderr)
                return EXIT_INVALID
            interrupt.message = KEPT
            print_notes(job)
            opened.runner.subscribe(Progress(job.id, sys.stderr))
            final, result = await final_result(opened, job.id)
            return report_final(final, result, as_json=as_json, whole_job=whole_job)
    except NoKeyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_REFUSED


async def _run_remote(
    holder: Holder, call: Call, as_json: bool, whole_job: bool, interrupt: Interrupt
) -> int:
    assert holder.endpoint is not None
    who = holder.describe()
    print(f"{who} is running this library's jobs: handing this job to it.", file=sys.stderr)
    interrupt.message = f"Interrupted. If {who} took the job, it goes on there."

    def on_accepted(job: JobSnapshot) -> Progress:
        interrupt.message = f"Interrupted. The job goes on in {who}."
        if job.backend == "offline":
            print(OFFLINE_NOTICE, file=sys.stderr)
        print_notes(job)
        return Progress(job.id, sys.stderr)

    reply = await hand_over(holder, call, on_accepted)
    if isinstance(reply, int):
        return reply
    assert reply.job is not None
    return report_final(reply.job, reply.result, as_json=as_json, whole_job=whole_job)


def say_owner_limits(holder: Holder, advanced: dict[str, int] | None) -> None:
    """Say on stderr that the owner sends what it is handed with its own Advanced settings
    (a runner's limits are its own), when ``advanced`` settings were given."""
    if advanced:
        flags = " and ".join(_ADVANCED_FLAGS[name] for name in advanced)
        verb = "are" if len(advanced) > 1 else "is"
        print(
            f"note: {holder.describe()} sends jobs with its own Advanced settings: {flags} "
            f"{verb} not used.",
            file=sys.stderr,
        )


async def hand_over(
    holder: Holder, call: Call, on_accepted: Callable[[JobSnapshot], Progress]
) -> Reply | int:
    """Hand ``call`` to the queue's owner and follow its job there to the end.

    ``on_accepted(job)`` runs once the owner took the job and returns the progress printer
    its events go to. Returns the owner's last reply, or the exit code when the owner
    refused the job (the problems or its message already said on stderr). Raises
    :class:`~.handoff.HandoffError` when the owner cannot be reached or stops answering.
    """
    assert holder.endpoint is not None
    progress: list[Progress] = []
    try:
        return await call_owner(
            holder.endpoint,
            call,
            on_accepted=lambda job: progress.append(on_accepted(job)),
            on_event=lambda event: progress[0](event) if progress else None,
        )
    except InvalidInputError as exc:
        print_problems(exc, sys.stderr)
        return EXIT_INVALID
    except ValueError as exc:
        print(f"error: {holder.describe()}: {exc}", file=sys.stderr)
        return EXIT_BUSY


async def final_result(opened: Opened, job_id: str) -> tuple[JobSnapshot, dict[str, Any] | None]:
    """Wait for job ``job_id`` of the command's own runner to end: its final snapshot, and
    what ``--json`` prints for it when it is done (``None`` otherwise)."""
    final = await opened.runner.wait(job_id)
    if final.state is not JobState.DONE:
        return final, None
    loop = asyncio.get_running_loop()
    return final, await loop.run_in_executor(None, result_summary, final, opened.library)


def print_notes(job: JobSnapshot) -> None:
    """The job's notes (input conversions, warnings) on stderr."""
    for note in job.notes:
        print(f"note: {note}", file=sys.stderr)
