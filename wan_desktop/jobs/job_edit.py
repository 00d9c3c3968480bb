"""What may be edited in a job that has not been sent yet, and what an edit changes.

A job can be edited only while it waits in the local queue for a free slot
(:attr:`~.model.JobState.WAITING`, not yet launched): until then nothing of it has left the
machine. Once its submit starts (``submitting``) the payload is being built and sent, and once
fal accepted it (``queued``, ``running``, ``downloading``) the service holds the request: there
is no way to change it there, only to cancel it and send another. A job still ``preparing``
is having its inputs checked by the runner, which would race the edit; a finished job has
nothing left to run (Retry makes a new one). These rules are light on purpose: the window
reads them before it offers Edit. :mod:`.job_editor` applies them for the runner.
"""

from __future__ import annotations

import re

from ..core.request import GenerationRequest
from .model import JobState

__all__ = [
    "EDITED_NOTE",
    "LEFT_QUEUE",
    "NotEditableError",
    "edit_refusal",
    "inputs_changed",
    "relabel",
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
