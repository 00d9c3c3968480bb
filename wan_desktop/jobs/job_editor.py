"""The runner's edits: a waiting job's request replaced, its new inputs staged beside it.

The rules (what may be edited, what an edit changes) are :mod:`.job_edit`'s; this module does
the work. A job is *held* while its inputs change (the runner launches no held job), the new
inputs are copied and prepared in a scratch folder inside the job's, so a refused input leaves
the job exactly as it was, and the record is committed before ``edited`` is emitted. Every
await lets the job be cancelled or removed meanwhile: the edit then says so
(:data:`~.job_edit.LEFT_QUEUE`) and keeps none of what it staged. Loop-thread object; file
work goes to the book's thread.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from ..core.pricing import Estimate
from ..core.request import GenerationRequest
from . import inputs
from .book import JobBook
from .job_edit import (
    EDITED_NOTE,
    LEFT_QUEUE,
    NotEditableError,
    edit_refusal,
    inputs_changed,
    relabel,
    warning_notes,
)
from .model import JobEventKind, JobState
from .spending import JobSpending, price_of
from .store import JobRecord
from .work import JobWork

__all__ = ["JobEditor", "drop_replaced", "stage_edit"]


class JobEditor:
    """Edits the waiting jobs of ``book`` for a runner.

    ``holding`` is shared with the runner: a job in it is never launched (the editor holds the
    job while its inputs change; a take group being admitted is held too). ``launched(job_id)``
    says whether the runner has already started sending a waiting job.
    """

    def __init__(
        self,
        book: JobBook,
        work: JobWork,
        spending: JobSpending,
        *,
        holding: set[str],
        launched: Callable[[str], bool],
    ):
        self._book = book
        self._work = work
        self._spending = spending
        self._root = Path(book.root)
        self._holding = holding
        self._launched = launched

    async def edit(self, job_id: str, request: GenerationRequest) -> JobRecord:
        """Replace the request of waiting job ``job_id`` (see :meth:`JobRunner.edit
        <wan_desktop.jobs.runner.JobRunner.edit>`); returns its record, committed and
        ``edited`` emitted. Raises ``KeyError`` (unknown job), :class:`NotEditableError`,
        ``InvalidInputError`` or ``BudgetExceededError``; the job is unchanged then."""
        rec = self._book.records[job_id]
        if job_id in self._holding:
            raise NotEditableError("It is being queued or edited right now; try again in a moment.")
        refusal = edit_refusal(rec.state, launched=self._launched(job_id))
        if refusal is not None:
            raise NotEditableError(refusal)
        request.raise_if_invalid()
        price = price_of(request)
        # Its old price is not counted on top of the new one.
        self._spending.require(price.amount_usd, except_id=job_id)
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
            await self._apply(rec, request, price, staged)
        finally:
            self._holding.discard(job_id)
        return rec

    def _still_waiting(self, rec: JobRecord) -> bool:
        """``rec`` is still in the book and waiting (an edit's awaits let it be cancelled)."""
        return self._book.records.get(rec.id) is rec and rec.state is JobState.WAITING

    async def _apply(
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


async def stage_edit(work: JobWork, rec: JobRecord, request: GenerationRequest) -> JobRecord:
    """Copy and prepare ``request``'s inputs for job ``rec`` exactly as a new submission's;
    returns a scratch record holding their paths and notes (``rec`` is untouched).

    They are made in a scratch folder inside the job's, then moved into the job folder under
    names of their own (``edit-<hex>-…``: a job's files sit directly in its folder, which is
    what a restore from the folders accepts). Raises ``InvalidInputError`` naming the field
    and the limit; nothing is kept then."""
    root = work.root
    source = request
    # An input the edit keeps comes from the job's own copy (the user's file may have moved
    # since), so only what changed is read from outside the library.
    if request.image == rec.request.image and rec.source_image:
        source = source.replace(image=str(root / rec.source_image))
    if request.audio is not None and request.audio == rec.request.audio and rec.source_audio:
        source = source.replace(audio=str(root / rec.source_audio))
    tag = f"edit-{secrets.token_hex(3)}"
    scratch = dataclasses.replace(
        rec,
        request=source,
        folder=f"{rec.folder}/{tag}",
        notes=[],
        source_image=None,
        source_audio=None,
        sent_image=None,
        sent_audio=None,
    )
    try:
        await work.copy_sources(scratch, root / scratch.folder)
        scratch.request = request
        await work.prepare(scratch)  # a waiting record: prepared, no change of state
        await work.book.io(_move_up, root, scratch, rec.folder, tag)
    except BaseException:
        await work.book.io(inputs.remove_folder, root / scratch.folder)
        raise
    return scratch


def _move_up(root: Path, scratch: JobRecord, job_folder: str, tag: str) -> None:
    """Move the scratch record's files into ``job_folder`` as ``<tag>-<name>`` (renames in one
    folder tree: each atomic) and remove the scratch folder."""
    for name in ("source_image", "source_audio", "sent_image", "sent_audio"):
        rel = getattr(scratch, name)
        if rel is None:
            continue
        dest = f"{job_folder}/{tag}-{PurePosixPath(rel).name}"
        (root / rel).replace(root / dest)
        setattr(scratch, name, dest)
    (root / scratch.folder).rmdir()
    scratch.folder = job_folder


def drop_replaced(root: Path, paths: list[str]) -> None:
    """Delete the inputs an edit replaced (``paths`` relative to ``root``). File calls: the
    runner's book thread."""
    for rel in paths:
        (root / rel).unlink(missing_ok=True)
