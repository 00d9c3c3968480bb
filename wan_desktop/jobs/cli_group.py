"""``generate --variants``: the takes of one command as one take group, here or in the owner.

Like :func:`.cli_queue.run_one_job` for a group. The group's price is checked against the caps
first (counting what the library's queue already holds), so a refused group sends nothing.
As the owner of the queue, the command's runner queues every take at once
(:meth:`.runner.JobRunner.enqueue_group`: all or none). While a window owns it, each take is
handed over in order with the group's id and its label, and followed there. Every take prints
its JSON line on stdout as it ends (:func:`.cli_output.report_take`). Event-loop coroutines.
"""

from __future__ import annotations

import asyncio
import sys

from ..core.budget import BudgetRefusal, SpendLedger, check, ledger_path
from ..core.paths import app_paths
from ..core.pricing import PriceQuote
from ..core.problems import InvalidInputError
from ..core.settings import load_settings
from ..core.variants import Variant, group_price_usd
from ..library import Library
from ..library.ids import new_group_id
from .backend import NoKeyError
from .cli_output import (
    EXIT_FAILED,
    EXIT_INVALID,
    EXIT_REFUSED,
    Progress,
    print_problems,
    report_take,
    worst_exit,
)
from .cli_queue import (
    OFFLINE_NOTICE,
    Interrupt,
    final_result,
    hand_over,
    library_root,
    owned_runner,
    print_notes,
    say_owner_limits,
    take_queue,
)
from .handoff import Call, HandoffError
from .model import JobSnapshot
from .queue_lock import Holder, QueueLock
from .spending import unbilled_usd
from .store import JobStore

__all__ = ["KEPT_GROUP", "group_refusal", "run_group"]

KEPT_GROUP = "Interrupted. The takes are kept: run `wan-desktop jobs resume` to finish them."


def group_refusal(takes: list[Variant], price: PriceQuote) -> BudgetRefusal | None:
    """Why the caps refuse ``takes`` at ``price`` (their estimates summed, with what the
    library's queue holds unbilled), ``None`` when they fit or are free (blocking)."""
    total = group_price_usd(takes, price=price)
    if total <= 0:
        return None
    paths = app_paths()
    caps = load_settings(paths).caps()
    if not caps.any:
        return None
    with Library.open(library_root()) as library:
        store = JobStore(library.paths.db)
        try:
            pending = unbilled_usd(store.load(include_final=False))
        finally:
            store.close()
    ledger = SpendLedger(ledger_path(paths))
    return check(caps, ledger, total, pending_usd=pending, takes=len(takes))


async def run_group(
    takes: list[Variant],
    *,
    parent_id: str | None,
    offline: bool,
    interrupt: Interrupt,
    advanced: dict[str, int] | None = None,
) -> int:
    """Run ``takes`` as one new take group to their end; returns the group's exit code.
    ``advanced``: see :func:`.cli_queue.owned_runner`."""
    group_id = new_group_id()
    loop = asyncio.get_running_loop()
    lock = QueueLock(await loop.run_in_executor(None, library_root))
    try:
        while (holder := await take_queue(lock, "generate", hand_off=True)) is not None:
            say_owner_limits(holder, advanced)
            try:
                return await _run_remote(holder, takes, group_id, parent_id, offline, interrupt)
            except HandoffError:
                await asyncio.sleep(0.25)  # it went away before taking any: take the queue
        return await _run_local(takes, group_id, parent_id, offline, interrupt, advanced)
    finally:
        lock.release()


async def _run_local(
    takes: list[Variant],
    group_id: str,
    parent_id: str | None,
    offline: bool,
    interrupt: Interrupt,
    advanced: dict[str, int] | None,
) -> int:
    try:
        async with owned_runner(offline, not offline, resume=False, advanced=advanced) as opened:
            if opened.backend.offline:
                print(OFFLINE_NOTICE, file=sys.stderr)
            try:
                jobs = await opened.runner.enqueue_group(
                    takes, parent_id=parent_id, group_id=group_id
                )
            except InvalidInputError as exc:
                print_problems(exc, sys.stderr)
                return EXIT_INVALID
            interrupt.message = KEPT_GROUP
            _say_queued(jobs, group_id)
            for job in jobs:
                opened.runner.subscribe(Progress(job.id, sys.stderr, label=job.variant))

            async def follow(job: JobSnapshot) -> int:
                return report_take(*await final_result(opened, job.id))

            return worst_exit(list(await asyncio.gather(*(follow(job) for job in jobs))))
    except NoKeyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_REFUSED


def _say_queued(jobs: list[JobSnapshot], group_id: str) -> None:
    print(f"Queued {len(jobs)} takes as group {group_id}.", file=sys.stderr)
    if jobs:
        print_notes(jobs[0])  # the takes share their inputs, so their notes too


async def _run_remote(
    holder: Holder,
    takes: list[Variant],
    group_id: str,
    parent_id: str | None,
    offline: bool,
    interrupt: Interrupt,
) -> int:
    """Hand the takes over one after another (each once the previous one was taken, so they
    queue in order) and follow them all. Raises :class:`HandoffError` only when the owner
    could not be reached before it took any take."""
    assert holder.endpoint is not None
    who = holder.describe()
    print(
        f"{who} is running this library's jobs: handing {len(takes)} takes to it.", file=sys.stderr
    )
    interrupt.message = f"Interrupted. The takes {who} took go on there."
    backend = "offline" if offline else "fal"
    followers: list[asyncio.Task[int]] = []
    taken: list[JobSnapshot] = []
    for take in takes:
        accepted: asyncio.Future[JobSnapshot | None] = asyncio.get_running_loop().create_future()
        call = Call(
            op="enqueue",
            request=take.request,
            backend=backend,
            parent_id=parent_id,
            group_id=group_id,
            variant=take.label,
            take=take.take,
        )
        followers.append(asyncio.create_task(_follow_remote(holder, call, accepted, bool(taken))))
        job = await accepted
        if job is None:
            break  # refused, or the owner went away: the rest are not sent
        if not taken and job.backend == "offline":
            print(OFFLINE_NOTICE, file=sys.stderr)
        taken.append(job)
    if taken:
        _say_queued(taken, group_id)
    codes = await asyncio.gather(*followers, return_exceptions=True)
    for code in codes:
        if isinstance(code, HandoffError) and not taken:
            raise code
    return worst_exit([code if isinstance(code, int) else EXIT_FAILED for code in codes])


async def _follow_remote(
    holder: Holder,
    call: Call,
    accepted: asyncio.Future[JobSnapshot | None],
    after_others: bool,
) -> int:
    """One take in the owner, to its end; ``accepted`` gets the job once taken, ``None`` when
    it was not."""

    def on_accepted(job: JobSnapshot) -> Progress:
        accepted.set_result(job)
        return Progress(job.id, sys.stderr, label=job.variant)

    try:
        reply = await hand_over(holder, call, on_accepted)
    except HandoffError as exc:
        if not exc.reached and not after_others:
            raise
        print(
            f"error: lost contact with {holder.describe()} ({exc}); the take goes on there: "
            "see `wan-desktop jobs list`.",
            file=sys.stderr,
        )
        return EXIT_FAILED
    finally:
        if not accepted.done():
            accepted.set_result(None)
    if isinstance(reply, int):
        return reply
    assert reply.job is not None
    return report_take(reply.job, reply.result)
