"""What may be edited in a job that has not been sent yet, and what an edit changes.

A job can be edited only while it waits in the local queue for a free slot
(:attr:`~.model.JobState.WAITING`, not yet launched): until then nothing of it has left the
machine. Once its submit starts (``submitting``) the payload is being built and sent, and once
fal accepted it (``queued``, ``running``, ``downloading``) the service holds the request: there
is no way to change it there, only to cancel it and send another. A job still ``preparing``
is having its inputs checked by the runner, which would race the edit; a finished job has
nothing left to run (Retry makes a new one). The runner applies these; the staging
runs on its loop, file work on its executors.
"""

from __future__ import annotations

import dataclasses
import re
import secrets
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from ..core.request import GenerationRequest
from . import inputs
from .model import JobState

if TYPE_CHECKING:
    from .store import JobRecord
    from .work import JobWork

__all__ = [
    "EDITED_NOTE",
    "LEFT_QUEUE",
    "NotEditableError",
    "drop_replaced",
    "edit_refusal",
    "inputs_changed",
    "relabel",
    "stage_edit",
    "warning_notes",
]

#: The note an edited job carries (once, however often it was edited).
EDITED_NOTE = "Edited before it was sent."

#: What the jobs panel and ``jobs edit`` say when a job left the queue during an edit.
LEFT_QUEUE = (
    "The job left the local queue while the edit was being prepared (it was sent, cancelled "
    "or removed); the edit was not applied."
)


class NotEditableError(ValueError):
    """The job cannot be edited in its state; the message says why and what to do instead."""


def edit_refusal(state: JobState, *, launched: bool = False) -> str | None:
    """Why a job in ``state`` cannot be edited, or ``None`` when it can.

    ``launched``: the runner has already started sending this waiting job (a slot freed up),
    so it is as good as submitted.
    """
    if state is JobState.WAITING and not launched:
        return None
    if state is JobState.WAITING or state is JobState.SUBMITTING:
        return (
            "It is being sent to fal right now, so it can no longer be edited. Cancel it and "
            "queue it again with the changes instead."
        )
    if state is JobState.PREPARING:
        return "Its inputs are still being prepared; it can be edited once it is waiting."
    if state.is_submitted:
        return (
            f"It is already at fal ({state.value}): the service has the request and cannot "
            "change it. Cancel it and retry, or queue it again with the changes, instead."
        )
    return (
        f"It has finished ({state.value}), so there is nothing left to edit. Retry runs it "
        "again as a new job."
    )


def inputs_changed(old: GenerationRequest, new: GenerationRequest) -> bool:
    """Whether the inputs must be copied and prepared again: another image or audio file,
    or another duration while there is audio (the audio is cut to the video's length)."""
    if new.image != old.image or new.audio != old.audio:
        return True
    return new.audio is not None and new.duration != old.duration


_SEED_LABEL = re.compile(r"(random seed|seed \d+)\Z")


def relabel(variant: str, old_seed: int | None, new_seed: int | None) -> str:
    """A take's label after its seed changed: ``seed 12`` → ``seed 99`` (``prompt B · seed
    12`` keeps its prompt part), ``random seed`` when the seed is left to the service.
    Labels that do not end with a seed are kept as they are."""
    if old_seed == new_seed:
        return variant
    said = f"seed {new_seed}" if new_seed is not None else "random seed"
    return _SEED_LABEL.sub(said, variant)


def warning_notes(request: GenerationRequest) -> list[str]:
    """The notes a job keeps about its request (what is worth knowing but does not stop
    it), as the runner adds them when it prepares the job."""
    return [p.message for p in request.warnings()]


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
