"""How a job, or the takes of one click, enter the queue: all of it or none of it.

A submission is checked (the request, the take group's id, the number of takes), priced and
held against the spending caps first; then each job's inputs are copied into its folder and
prepared, and it is committed as ``waiting``. A refusal or a failure at any step keeps nothing
(no row, no folder) and sends nothing; the user's own files are never touched. The takes of a
group are *held* (:attr:`JobIntake.holding`) until every one of them is queued, so the runner
never launches the first take of a group that is then refused as a whole. Loop-thread object.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path

from ..core.problems import InvalidInputError, Problem
from ..core.request import GenerationRequest
from ..core.variants import MAX_TAKES, Variant
from ..library.ids import is_valid_group_id, new_group_id
from .book import JobBook
from .model import JobEventKind, JobState
from .record_file import JOBS_DIR
from .spending import JobSpending, price_of
from .store import JobRecord
from .work import JobWork

__all__ = ["JobIntake"]


class JobIntake:
    """Admits jobs into ``book`` for a runner on the backend named ``backend``.

    ``holding`` is shared with the runner: ids it must not launch yet (takes of a group being
    admitted, a job being edited). ``mine`` collects the ids admitted here, which a runner
    started with ``resume=False`` carries (and no others).
    """

    def __init__(
        self,
        book: JobBook,
        work: JobWork,
        spending: JobSpending,
        *,
        backend: str,
        holding: set[str],
    ):
        self._book = book
        self._work = work
        self._spending = spending
        self._backend = backend
        self._root = Path(book.root)
        self.holding = holding
        self.mine: set[str] = set()

    async def admit(
        self,
        request: GenerationRequest,
        *,
        parent_id: str | None,
        group_id: str | None,
        variant: str,
        take: int = 0,
    ) -> JobRecord:
        """Check, price and budget ``request``, then queue it as one job (``take``: its place
        in its group's queue order, carried into the library). Raises
        ``InvalidInputError`` (naming the field and the limit; a cap: ``BudgetExceededError``)
        and keeps nothing when refused."""
        request.raise_if_invalid()
        _check_group(group_id)
        self._spending.require(price_of(request).amount_usd)
        return await self._admit(request, parent_id, group_id, variant, take=take)

    async def admit_group(
        self, variants: list[Variant], *, parent_id: str | None, group_id: str | None
    ) -> list[JobRecord]:
        """Queue the takes of one click as one take group (a new group id unless given).

        Every request and the group's price (the sum of the takes' estimates) are checked
        first; the takes are prepared one by one and released to the runner only once all
        of them are queued, so a refusal or a failure keeps none of them.
        """
        if not 1 <= len(variants) <= MAX_TAKES:
            raise InvalidInputError(
                Problem("variants", f"Variants: 1 to {MAX_TAKES} takes (got {len(variants)}).")
            )
        problems = [p for v in variants for p in v.request.validate()]
        if problems:
            raise InvalidInputError(list(dict.fromkeys(problems)))
        gid = group_id if group_id is not None else new_group_id()
        _check_group(gid)
        total = sum(price_of(v.request).amount_usd for v in variants)
        self._spending.require(round(total, 4), takes=len(variants))
        admitted: list[JobRecord] = []
        try:
            for v in variants:
                admitted.append(
                    await self._admit(v.request, parent_id, gid, v.label, take=v.take, hold=True)
                )
        except BaseException:
            for rec in admitted:
                self.holding.discard(rec.id)
                await self.forget(rec)
            raise
        for rec in admitted:
            self.holding.discard(rec.id)
        return admitted

    async def forget(self, rec: JobRecord) -> None:
        """Take ``rec`` out of the book and off the disk, folder and all (``removed``)."""
        if self._book.records.pop(rec.id, None) is not None:
            self._book.emit(rec, JobEventKind.REMOVED)
        await self._book.io(self._book.drop, rec, folder=True)

    def _next_position(self) -> float:
        return max((r.position for r in self._book.records.values()), default=0.0) + 1.0

    async def _admit(
        self,
        request: GenerationRequest,
        parent_id: str | None,
        group_id: str | None,
        variant: str,
        *,
        take: int = 0,
        hold: bool = False,
    ) -> JobRecord:
        """Persist and prepare one job (it then waits for a slot); ``hold`` keeps it from
        being launched until released. Nothing is kept when this raises."""
        price = price_of(request)
        job_id = _new_job_id()
        rec = JobRecord(
            id=job_id,
            request=request,
            state=JobState.PREPARING,
            created_at=time.time(),
            position=self._next_position(),
            backend=self._backend,
            folder=f"{JOBS_DIR}/{job_id}",
            parent_id=parent_id,
            group_id=group_id,
            variant=variant,
            take=take,
            cost_usd=price.amount_usd,
            cost_source=price.source,
        )
        self.mine.add(job_id)
        if hold:
            self.holding.add(job_id)
        try:
            await self._work.copy_sources(rec, self._root / rec.folder)
            self._book.records[job_id] = rec
            await self._book.save(rec)
            self._book.emit(rec, JobEventKind.ADDED)
            await self._work.prepare(rec)
        except BaseException:
            # Refused input (or an interruption): keep nothing; the user's files are untouched.
            self.holding.discard(job_id)
            await self.forget(rec)
            raise
        return rec


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
