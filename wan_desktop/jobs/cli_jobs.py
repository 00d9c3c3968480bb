"""``wan-desktop jobs list|cancel|resume|retry|remove``: the job queue from a shell.

``list`` only reads the table. The others act on the queue, so they need to own it
(:mod:`.queue_lock`): ``resume`` refuses while another process owns it (that process carries
the jobs on itself); ``cancel`` and ``remove`` go through the window when it owns the queue;
``retry`` runs like ``generate``. Coroutines on the command's asyncio loop.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

from ..core.paths import app_paths
from ..core.problems import InvalidInputError
from ..library import Library
from .backend import NoKeyError
from .cli_output import (
    EXIT_BUSY,
    EXIT_DONE,
    EXIT_FAILED,
    EXIT_INVALID,
    EXIT_REFUSED,
    Progress,
    attention_lines,
    busy_message,
    exit_code,
    job_json,
    print_problems,
)
from .cli_queue import Interrupt, Opened, library_root, owned_runner, run_one_job
from .cli_request import resolve_service
from .filing import result_summary
from .handoff import Call, HandoffError, call_owner
from .model import JobSnapshot, JobState
from .queue_lock import QueueLock
from .store import JobRecord, JobStore

__all__ = [
    "jobs_cancel",
    "jobs_list",
    "jobs_remove",
    "jobs_resume",
    "jobs_retry",
    "on_one_job",
    "read_table",
    "run_order",
]


def read_table() -> tuple[Any, list[JobRecord]]:
    """The library folder and every job in its table, read as any process may (blocking)."""
    root = library_root()
    with Library.open(root) as library:
        store = JobStore(library.paths.db)
        try:
            return library.root, store.load()
        finally:
            store.close()


async def jobs_list(args: argparse.Namespace, interrupt: Interrupt) -> int:
    """Print every job, newest last, and what to do about those that need the user."""
    root, records = await asyncio.get_running_loop().run_in_executor(None, read_table)
    jobs = [r.snapshot(now=time.time(), eta_s=None, library_root=root) for r in records]
    order = run_order(records)
    if args.json:
        items = [{**job_json(j), "order": order.get(j.id)} for j in jobs]
        print(json.dumps(items, ensure_ascii=False, indent=2))
        return EXIT_DONE
    if not jobs:
        print("No jobs.")
        return EXIT_DONE
    for job in jobs:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(job.created_at))
        prompt = job.request.prompt.replace("\n", " ")
        prompt = prompt if len(prompt) <= 48 else prompt[:47] + "…"
        take = f"  [{job.variant}]" if job.variant else ""  # one take of a group
        extra = take + (f"  ({job.error})" if job.error else "")
        state = f"{job.state.value} #{order[job.id]}" if job.id in order else job.state.value
        print(f"{job.id}  {when}  {state:<11}  {prompt}{extra}")
    for job in jobs:
        if job.needs_attention:
            print("\n".join(["", *attention_lines(job)]))
    return EXIT_DONE


def run_order(records: list[JobRecord]) -> dict[str, int]:
    """The order the jobs waiting in the local queue will be sent in (1 = next), by id;
    ``records`` in queue order, as the table gives them."""
    waiting = [r.id for r in records if r.state is JobState.WAITING]
    return {job_id: place for place, job_id in enumerate(waiting, start=1)}


def _backend_of(job_id: str) -> str | None:
    """The backend a job was sent to (``fal``/``offline``), read from the job table."""
    _root, records = read_table()
    return next((r.backend for r in records if r.id == job_id), None)


def _no_such_job(job_id: str) -> int:
    print(f"error: no job with id {job_id!r} (see `wan-desktop jobs list`)", file=sys.stderr)
    return EXIT_INVALID


_DOING = {"cancel": "cancelling a job", "remove": "removing a job"}


async def on_one_job(
    args: argparse.Namespace,
    kind: str,
    call: Call,
    act: Callable[[Opened], Awaitable[JobSnapshot]],
    *,
    report: Callable[[JobSnapshot], None] | None = None,
) -> int:
    """``cancel``/``remove``/``edit``/``move`` one job (``call``, as handed to an owner):
    here when the queue is free (``act`` on this process's runner), else through its owner;
    an owner that takes no calls (``generate``, ``jobs resume``) is named and nothing is
    done. ``report(job)`` prints the outcome without ``--json``."""
    op = call.op
    loop = asyncio.get_running_loop()
    backend = await loop.run_in_executor(None, _backend_of, args.job_id)
    if backend is None:
        return _no_such_job(args.job_id)
    lock = QueueLock(await loop.run_in_executor(None, library_root))
    try:
        if lock.try_acquire(kind):
            async with owned_runner(backend == "offline", False, resume=False) as opened:
                job = await act(opened)
        else:
            job = await _through_owner(lock, call)
    except InvalidInputError as exc:
        print_problems(exc, sys.stderr)
        return EXIT_INVALID
    except (ValueError, HandoffError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BUSY if isinstance(exc, HandoffError) else EXIT_INVALID
    except NoKeyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    finally:
        lock.release()
    if args.json:
        print(json.dumps(job_json(job), ensure_ascii=False))
    elif report is not None:
        report(job)
    else:
        print(f"{job.id}: {'removed' if op == 'remove' else job.state.value}")
        for note in job.notes[-1:] if op == "cancel" else ():
            print(note)
    return EXIT_DONE


async def _through_owner(lock: QueueLock, call: Call) -> JobSnapshot:
    holder = lock.holder()
    if holder is None or holder.endpoint is None:
        if call.op in _DOING:
            message = busy_message(holder, _DOING[call.op]).removeprefix("error: ")
        else:  # edit, move: only the owner's runner may change its queue
            who = holder.describe() if holder is not None else "another process"
            message = (
                f"{who} is running this library's jobs and takes no changes to its queue from "
                f"other processes, so the job cannot be {call.op}d now. Try again once it has "
                "finished."
            )
        raise HandoffError(message, reached=False)
    reply = await call_owner(holder.endpoint, call)
    assert reply.job is not None
    return reply.job


async def jobs_cancel(args: argparse.Namespace, interrupt: Interrupt) -> int:
    """Cancel one job, leaving the others for whoever resumes them."""
    call = Call(op="cancel", job_id=args.job_id)
    return await on_one_job(args, "jobs cancel", call, lambda o: o.runner.cancel(args.job_id))


async def jobs_remove(args: argparse.Namespace, interrupt: Interrupt) -> int:
    """Forget one finished job (a job that needs the user, once dealt with)."""

    async def remove(opened: Opened) -> JobSnapshot:
        job = opened.runner.get(args.job_id)
        opened.runner.remove(args.job_id)
        return job

    return await on_one_job(args, "jobs remove", Call(op="remove", job_id=args.job_id), remove)


async def jobs_retry(args: argparse.Namespace, interrupt: Interrupt) -> int:
    """Run a finished job again (resumed without a new submit when the service has it), here
    or in the queue's owner, and follow it to its end like ``generate``."""
    backend = await asyncio.get_running_loop().run_in_executor(None, _backend_of, args.job_id)
    if backend is None:
        return _no_such_job(args.job_id)

    async def start(runner: Any) -> JobSnapshot:
        try:
            return await runner.retry(args.job_id, new_seed=args.new_seed)
        except ValueError as exc:
            raise _Refused(str(exc)) from None

    # Sent again under fal's current schema (a job's extra inputs are checked by it).
    await resolve_service(app_paths(), offline=backend == "offline")
    call = Call(op="retry", job_id=args.job_id, new_seed=args.new_seed, backend=backend)
    try:
        return await run_one_job(
            "jobs retry",
            call,
            start,
            offline=backend == "offline",
            require_key=False,
            as_json=args.json,
            whole_job=True,
            interrupt=interrupt,
        )
    except _Refused as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID


class _Refused(Exception):
    """The job cannot be run again (not finished, or its inputs are gone)."""


async def jobs_resume(args: argparse.Namespace, interrupt: Interrupt) -> int:
    """Finish every unfinished job (and every failed one kept resumable: an account that was
    out of credit, a network loss after the submit): those sent to fal (with the key), then
    those sent to the offline engine (started for them), printing what became of each; then
    list the jobs that need the user. Refuses while another process owns the queue."""
    interrupt.message = "Interrupted. Unfinished jobs stay resumable."
    lock = QueueLock(await asyncio.get_running_loop().run_in_executor(None, library_root))
    if not lock.try_acquire("jobs resume"):
        print(busy_message(lock.holder(), "resuming"), file=sys.stderr)
        return EXIT_BUSY
    try:
        finals, outputs, attention = await _resume_passes(args)
    except NoKeyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    finally:
        lock.release()
    outputs += [job_json(j) for j in attention]
    if args.json:
        print(json.dumps(outputs, ensure_ascii=False, indent=2))
    for job in attention:
        print("\n".join(attention_lines(job)), file=sys.stderr)
    if not finals and not attention and not args.json:
        print("Nothing to resume.", file=sys.stderr)
    codes = [exit_code(j) for j in finals] + [EXIT_FAILED for _ in attention]
    return max(codes, default=EXIT_DONE)


async def _resume_passes(
    args: argparse.Namespace,
) -> tuple[list[JobSnapshot], list[dict[str, Any]], list[JobSnapshot]]:
    finals: list[JobSnapshot] = []
    outputs: list[dict[str, Any]] = []
    attention: list[JobSnapshot] = []
    passes = [args.offline]
    while passes:
        offline = passes.pop(0)
        await resolve_service(app_paths(), offline=offline)
        async with owned_runner(offline, False, resume=True) as opened:
            runner = opened.runner
            for job in runner.jobs():
                # Failed but kept to go as it is (an account that was out of credit, a
                # network loss after the submit): picked up where it was, never sent twice.
                if (
                    job.state is JobState.FAILED
                    and job.resumable
                    and job.backend == runner.backend.name
                ):
                    await runner.retry(job.id)
            pending = [
                j
                for j in runner.jobs()
                if not j.state.is_final and j.backend == runner.backend.name
            ]
            for job in pending:
                runner.subscribe(Progress(job.id, sys.stderr))
            for job in pending:
                final = await runner.wait(job.id)
                finals.append(final)
                outputs.append(_resume_json(final, opened.library))
                if not args.json:
                    what = final.entry_id if final.state is JobState.DONE else (final.error or "")
                    print(f"{final.id}: {final.state.value} {what}".rstrip())
            attention = [j for j in runner.jobs() if j.needs_attention]
            if (
                not args.offline
                and not offline
                and any(j.backend == "offline" for j in runner.pending_elsewhere())
            ):
                passes.append(True)
    return finals, outputs, attention


def _resume_json(final: JobSnapshot, library: Library) -> dict[str, Any]:
    item = job_json(final)
    if final.state is JobState.DONE:
        item.update(result_summary(final, library), id=final.id, entry_id=final.entry_id)
    return item
